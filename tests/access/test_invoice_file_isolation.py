"""The files an invoice came in (#17.4) and the e-invoice upload without an order (#17.6): a file
is read only by who may see its invoice, and an upload naming another supplier's order is refused
exactly as one naming no order at all, so it tells nothing about whose order it is."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from edi.xml import codec
from portal.access import get_visible
from portal.errors import NotFound
from portal.exchange import originals
from portal.exchange.upload import upload_invoice
from portal.models import ExchangeRecord, Invoice, Order
from tests.exchange.test_upload import _scene, xrechnung

WHO = ("owner", "supplier-a", "supplier-b", "dealer-group", "dealer-branch", "dealer-other", "partner")


def _uploaded(factory: sessionmaker[Session]) -> tuple[object, int, int]:
    scene, order_id = _scene(factory)
    data = codec.encode(xrechnung(scene, order_id), syntax="ubl", profile="xrechnung")
    with scene.uow() as uow:
        record = upload_invoice(uow=uow, principal=scene.p("supplier-a"), filename="i.xml", data=data)
        record_id = record.id
    with factory() as session:
        invoice_id = session.scalars(select(Invoice.id)).one()
    return scene, invoice_id, record_id


def test_an_invoices_file_is_read_exactly_by_who_sees_the_invoice(factory: sessionmaker[Session]) -> None:
    scene, invoice_id, record_id = _uploaded(factory)
    with factory() as session:
        for who in WHO:
            p = scene.p(who)  # type: ignore[attr-defined]
            try:
                invoice = get_visible(session, p, Invoice, invoice_id)
            except NotFound:
                with pytest.raises(NotFound):
                    originals.original_file(session, p, invoice_id, record_id)
                continue
            name, data = originals.original_file(session, p, invoice_id, record_id)
            assert name == "i.xml" and data.startswith(b"<?xml")
            [shown] = originals.originals(session, p, invoice)
            assert shown.document is not None and shown.document.number == invoice.number
        # a record id that is no file of this invoice is missing, for everyone
        for who in ("owner", "supplier-a"):
            with pytest.raises(NotFound):
                originals.original_file(session, scene.p(who), invoice_id, record_id + 1000)  # type: ignore[attr-defined]


def test_naming_another_suppliers_order_reads_as_naming_an_unknown_one(
    factory: sessionmaker[Session],
) -> None:
    scene, order_id = _scene(factory)
    with factory() as session:
        number = session.get_one(Order, order_id).number
    base = xrechnung(scene, order_id)
    errors = {}
    for name, ref in (("foreign", number), ("unknown", "SO-9999-999999")):
        data = codec.encode(
            replace(base, order_number=ref),
            syntax="ubl",
            profile="xrechnung",
        )
        with scene.uow() as uow:
            record = upload_invoice(
                uow=uow, principal=scene.p("supplier-b"), filename=f"{name}.xml", data=data
            )
            errors[name] = (record.state, record.error, record.organization_id)
    assert errors["foreign"][0] == errors["unknown"][0]
    assert errors["foreign"][1] == errors["unknown"][1].replace("SO-9999-999999", number)  # type: ignore[union-attr]
    assert errors["foreign"][2] == scene.orgs["supplier-b"].id  # the supplier's own failed file
    with factory() as session:
        assert session.scalar(select(Invoice.id)) is None
        # supplier-a sees nothing of supplier-b's refused files
        seen = session.scalars(
            select(ExchangeRecord.id).where(ExchangeRecord.organization_id == scene.orgs["supplier-a"].id)
        )
        assert list(seen) == []
