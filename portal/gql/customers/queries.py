"""The customer and contact connections."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.customers.queries import list_contacts, list_customers
from portal.gql.base import Connection
from portal.gql.connection import connection
from portal.gql.customers.inputs import (
    ContactFilter,
    ContactOrder,
    CustomerFilter,
    CustomerOrder,
    contact_query,
    customer_query,
)
from portal.gql.customers.types import Contact, Customer


@strawberry.type
class CustomersQuery:
    @strawberry.field
    def customers(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CustomerFilter | None = None,
        order_by: CustomerOrder | None = None,
    ) -> Connection[Customer]:
        return connection(
            info, list_customers, customer_query(filter), order_by or CustomerOrder(), Customer, m.Customer,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def contacts(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ContactFilter | None = None,
        order_by: ContactOrder | None = None,
    ) -> Connection[Contact]:
        return connection(
            info, list_contacts, contact_query(filter), order_by or ContactOrder(), Contact, m.Contact,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip
