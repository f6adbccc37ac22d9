from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from portal import models as m
from portal.gql import types as t

BUILT: list[tuple[type[Any], type[Any]]] = [
    (m.Organization, t.Organization),
    (m.Product, t.Product),
    (m.Customer, t.Customer),
    (m.Contact, t.Contact),
    (m.CustomerAssignment, t.CustomerAssignment),
    (m.Order, t.Order),
    (m.OrderLine, t.OrderLine),
    (m.Shipment, t.Shipment),
    (m.ShipmentLine, t.ShipmentLine),
    (m.Invoice, t.Invoice),
    (m.InvoiceLine, t.InvoiceLine),
    (m.Case, t.Case),
    (m.CaseComment, t.CaseComment),
    (m.Activity, t.Activity),
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
