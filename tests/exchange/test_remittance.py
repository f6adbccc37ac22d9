"""Remittance advice out (issue #17.4): a recorded payment leaves as EDIFACT REMADV or X12 820 where
the supplier's profile exchanges one of those; the first payment lists the credit notes taken off;
a partner on UBL gets no file (UBL has no remittance advice)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from portal.exchange.worker import run_once
from portal.invoicing import service as invoicing
from portal.models import ExchangeLink, ExchangeRecord, Invoice
from tests.exchange.helpers import SUPPLIER_GLN, Partner, partner_scene


def paid(partner: Partner, *amounts: Decimal, credit: Decimal | None = None) -> Invoice:
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))  # gross 267.75
    run_once(scene.factory)
    scene.fulfil(order, "supplier-a")
    with scene.factory() as session:
        bill = session.scalars(select(Invoice).where(Invoice.order_id == order.id)).one()
    if credit is not None:
        with scene.uow() as uow:
            invoicing.issue_credit_note(
                uow=uow,
                principal=scene.p("supplier-a"),
                invoice_id=bill.id,
                credit=invoicing.Credit("GS-1", date(2030, 1, 9), credit),
            )
    with scene.uow() as uow:
        invoicing.approve_invoice(uow=uow, principal=scene.p("owner", "sales"), invoice_id=bill.id)
    for amount in amounts:
        with scene.uow() as uow:
            invoicing.record_payment(
                uow=uow,
                principal=scene.p("owner", "sales"),
                invoice_id=bill.id,
                amount=amount,
                paid_on=date(2030, 2, 3),
            )
    run_once(scene.factory)
    return bill


@pytest.mark.parametrize(("fmt", "kind"), [("edifact", "REMADV"), ("x12", "820")])
def test_each_payment_leaves_as_a_remittance_advice(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str, kind: str
) -> None:
    partner = partner_scene(factory, tmp_path, fmt)
    bill = paid(partner, Decimal("100.00"), Decimal("67.75"), credit=Decimal("100.00"))
    files = partner.received(kind)
    assert len(files) == 2
    first, second = (edi.decode_all(f.read_bytes()).messages[0].document for f in files)
    assert isinstance(first, doc.RemittanceAdvice) and isinstance(second, doc.RemittanceAdvice)
    assert first.total == Decimal("100.00") and first.payment_date == date(2030, 2, 3)
    assert [(line.invoice_number, line.amount_paid) for line in first.lines] == [
        (bill.number, Decimal("200.00")),  # the payment and the credit note settle the invoice together
        ("GS-1", Decimal("-100.00")),
    ]
    assert [(line.invoice_number, line.amount_paid) for line in second.lines] == [
        (bill.number, Decimal("67.75"))
    ]
    assert first.payee.gln == SUPPLIER_GLN
    with factory() as session:
        records = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.message_type == kind).order_by(ExchangeRecord.id)
        ).all()
        assert len(records) == 2
        links = session.scalars(select(ExchangeLink).where(ExchangeLink.record_id == records[0].id)).all()
        assert [(link.entity, link.entity_id) for link in links] == [("invoice", bill.id)]
    run_once(factory)  # nothing twice
    assert len(partner.received(kind)) == 2


def test_a_partner_on_ubl_gets_no_remittance_file(factory: sessionmaker[Session], tmp_path: Path) -> None:
    partner = partner_scene(factory, tmp_path, "ubl")
    paid(partner, Decimal("267.75"))
    with factory() as session:
        kinds = set(session.scalars(select(ExchangeRecord.message_type)))
    assert not kinds & {"REMADV", "820"}
