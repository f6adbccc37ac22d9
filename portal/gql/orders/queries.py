"""The order, shipment and invoice connections."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.gql.base import Connection, ctx
from portal.gql.connection import connection
from portal.gql.orders.inputs import (
    InvoiceFilter,
    InvoiceOrder,
    OrderFilter,
    OrderOrder,
    ShipmentFilter,
    ShipmentOrder,
    invoice_query,
    order_query,
    shipment_query,
)
from portal.gql.orders.types import Invoice, Order, Shipment
from portal.orders.queries import list_invoices, list_orders, list_shipments


@strawberry.type
class OrdersQuery:
    @strawberry.field
    def orders(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OrderFilter | None = None,
        order_by: OrderOrder | None = None,
    ) -> Connection[Order]:
        query = order_query(filter, ctx(info).principal)
        return connection(
            info, list_orders, query, order_by or OrderOrder(), Order, m.Order,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def shipments(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ShipmentFilter | None = None,
        order_by: ShipmentOrder | None = None,
    ) -> Connection[Shipment]:
        return connection(
            info, list_shipments, shipment_query(filter), order_by or ShipmentOrder(), Shipment, m.Shipment,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def invoices(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: InvoiceFilter | None = None,
        order_by: InvoiceOrder | None = None,
    ) -> Connection[Invoice]:
        return connection(
            info, list_invoices, invoice_query(filter), order_by or InvoiceOrder(), Invoice, m.Invoice,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip
