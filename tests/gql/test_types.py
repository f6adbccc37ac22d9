from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from portal import models as m
from portal.gql.activities.types import Activity
from portal.gql.cases.types import Case, CaseComment
from portal.gql.customers.types import Contact, Customer, CustomerAssignment
from portal.gql.orders.types import (
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceMessage,
    InvoicePayment,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from portal.gql.partners.types import Organization, Product

BUILT: list[tuple[type[Any], type[Any]]] = [
    (m.Organization, Organization),
    (m.Product, Product),
    (m.Customer, Customer),
    (m.Contact, Contact),
    (m.CustomerAssignment, CustomerAssignment),
    (m.Order, Order),
    (m.OrderLine, OrderLine),
    (m.Shipment, Shipment),
    (m.ShipmentLine, ShipmentLine),
    (m.Invoice, Invoice),
    (m.InvoiceLine, InvoiceLine),
    (m.InvoicePayment, InvoicePayment),
    (m.InvoiceMessage, InvoiceMessage),
    (m.CreditNote, CreditNote),
    (m.Case, Case),
    (m.CaseComment, CaseComment),
    (m.Activity, Activity),
]


@pytest.mark.parametrize(("model", "build"), BUILT, ids=[b.__name__ for _, b in BUILT])
def test_object_types_declare_exactly_their_tables_columns(model: type[Any], build: type[Any]) -> None:
    """Rows fill the objects directly (loaders.build_all): a column the type lacks would be an
    undeclared attribute, a field the table lacks would be missing at resolution."""
    fields = {
        f.name for f in dataclasses.fields(build) if f.init and getattr(f, "base_resolver", None) is None
    }
    columns = {"pk" if c.key == "id" else c.key for c in model.__table__.columns}
    assert fields == columns
