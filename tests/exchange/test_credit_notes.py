"""Credit notes by EDI (issue #17.5): from the supplier as EDIFACT INVOIC 381, X12 810 with BIG07 CR
or a negative total, UBL CreditNote and CII 381, matched to its invoice by number; a credit note
larger than what is owed, or for an invoice the supplier does not have, is refused: the file stays
in the ledger with the reason, which the supplier reads there."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from portal.exchange import contents, ledger
from portal.exchange.worker import run_once
from portal.models import CreditNote, ExchangeRecord, Invoice, InvoiceStatus, RecordState
from portal.orders import service as orders
from tests.exchange.helpers import Partner, invoice, partner_scene
from tests.portal.test_order_summaries import assert_facts_and_tallies_current


def billed(partner: Partner) -> Invoice:
    """An order of 10 x 12.50 and 4 x 25.00, confirmed, shipped and invoiced through the services
    (gross 267.75)."""
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    run_once(scene.factory)  # the order leaves
    scene.fulfil(order, "supplier-a")
    with scene.factory() as session:
        return session.scalars(select(Invoice).where(Invoice.order_id == order.id)).one()


def credit(
    partner: Partner, of: Invoice, gross: Decimal, *, number: str = "GS-1", negative: bool = False
) -> doc.Invoice:
    with partner.scene.uow() as uow:
        order = orders.load_order(uow, partner.scene.p("owner"), of.order_id)
    base = invoice(order, {1: Decimal(1)}, number=number)
    tax = (gross * Decimal(19) / Decimal(119)).quantize(Decimal("0.01"))
    sign = -1 if negative else 1
    totals = doc.MonetaryTotals(
        line_total=sign * (gross - tax),
        tax_exclusive=sign * (gross - tax),
        tax_total=sign * tax,
        tax_inclusive=sign * gross,
        payable=sign * gross,
    )
    line = replace(base.lines[0], net_price=gross - tax, net_amount=sign * (gross - tax))
    return replace(
        base,
        type_code="380" if negative else "381",
        invoice_reference=of.number,
        totals=totals,
        lines=(line,),
        tax_subtotals=(doc.TaxSubtotal("S", Decimal(19), sign * (gross - tax), sign * tax),),
        note="Gutschrift für beschädigte Ware",
    )


def inbound(factory: sessionmaker[Session]) -> list[ExchangeRecord]:
    with factory() as session:
        return list(
            session.scalars(
                select(ExchangeRecord)
                .where(ExchangeRecord.direction == "inbound")
                .order_by(ExchangeRecord.id)
            )
        )


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl", "cii"])
def test_a_credit_note_reduces_what_is_owed_on_its_invoice(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner = partner_scene(factory, tmp_path, "ubl" if fmt == "cii" else fmt, invalid_einvoices="accept")
    bill = billed(partner)
    document = credit(partner, bill, Decimal("38.00"))
    partner.drop("credit-1", edi.encode(document, format=fmt, envelope=partner.envelope("501")))
    run_once(factory)
    [record] = inbound(factory)
    assert record.state is RecordState.APPLIED, record.error
    with factory() as session:
        after = session.get_one(Invoice, bill.id)
        assert (after.amount_credited, after.amount_owed) == (Decimal("38.00"), Decimal("229.75"))
        note = session.scalars(select(CreditNote)).one()
        assert (note.number, note.tax_total, note.exchange_record_id) == ("GS-1", Decimal("6.07"), record.id)
    assert_facts_and_tallies_current(factory)


def test_an_x12_credit_with_a_negative_total_is_a_credit_note(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path, "x12")
    bill = billed(partner)
    partner.send("credit-neg", credit(partner, bill, Decimal("267.75"), negative=True), "502")
    run_once(factory)
    [record] = inbound(factory)
    assert record.state is RecordState.APPLIED, record.error
    with factory() as session:
        assert session.get_one(Invoice, bill.id).status is InvoiceStatus.CREDITED


def test_a_credit_note_larger_than_its_invoice_is_refused_and_kept_with_the_reason(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    bill = billed(partner)
    path = partner.send("credit-big", credit(partner, bill, Decimal("267.76")), "503")
    data = path.read_bytes()
    run_once(factory)
    [record] = inbound(factory)
    assert record.state is RecordState.FAILED
    assert "the credit note of 267.76 EUR is larger than the 267.75 EUR still owed on invoice" in (
        record.error or ""
    )
    with factory() as session:
        assert contents.read_all(session, record.id) == data  # the raw file is kept
        # The supplier reads the same record and its reason in its ledger.
        seen = ledger.get_record(session, partner.scene.p("supplier-a"), record.id)
        assert seen.error == record.error
        assert session.get_one(Invoice, bill.id).amount_credited == 0
        assert session.scalars(select(CreditNote)).all() == []


def test_a_credit_note_for_an_invoice_the_supplier_does_not_have_is_refused_like_a_missing_one(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    bill = billed(partner)
    # The same invoice number, but issued by another supplier: as if it did not exist.
    other = partner.scene.order(partner.scene.customer(), supplier="supplier-b", quantities=(1,))
    partner.scene.fulfil(other, "supplier-b")
    with partner.scene.uow() as uow:
        foreign = uow.session.scalars(select(Invoice).where(Invoice.order_id == other.id)).one()
        foreign.number = "INV-FOREIGN"
    partner.send(
        "credit-foreign", replace(credit(partner, bill, Decimal(1)), invoice_reference="INV-FOREIGN"), "504"
    )
    partner.send(
        "credit-missing",
        replace(credit(partner, bill, Decimal(1), number="GS-2"), invoice_reference="NOPE"),
        "505",
    )
    run_once(factory)
    records = inbound(factory)
    assert [r.state for r in records] == [RecordState.FAILED, RecordState.FAILED]
    assert [r.error for r in records] == [
        "message 1: invoice INV-FOREIGN not found",
        "message 1: invoice NOPE not found",
    ]
    with factory() as session:
        assert session.scalars(select(CreditNote)).all() == []
