"""The buyer's invoice decisions by EDI (issue #17.4): a dispute or a rejection leaves as a Peppol
Invoice Response (UBL), COMDIS (EDIFACT) or 824 (X12) with the reviewer's reason; an approval (and a
full payment) only as an Invoice Response; openTRANS partners get nothing and nothing fails.
The round trip: dispute -> file out -> the supplier's credit note (or its COMDIS / 824 / Invoice
Response answer) in -> the invoice credited and the dispute answered in its thread."""

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
from portal.models import (
    CreditNote,
    Event,
    ExchangeLink,
    ExchangeRecord,
    Invoice,
    InvoiceMessage,
    InvoiceStatus,
    MessageKind,
    RecordState,
)
from tests.exchange.helpers import OWNER_GLN, SUPPLIER_GLN, Partner, partner_scene
from tests.exchange.test_credit_notes import billed, credit

KINDS = {"edifact": "COMDIS", "x12": "824", "ubl": "InvoiceResponse"}
REASON = "Line 2 was billed at 25.00, the order says 15.50: please credit the difference"


def scene(factory: sessionmaker[Session], tmp_path: Path, fmt: str) -> tuple[Partner, Invoice]:
    partner = partner_scene(factory, tmp_path, fmt, invalid_einvoices="accept")
    return partner, billed(partner)


def dispute(partner: Partner, bill: Invoice, reason: str = REASON) -> None:
    with partner.scene.uow() as uow:
        invoicing.dispute_invoice(
            uow=uow, principal=partner.scene.p("owner", "sales"), invoice_id=bill.id, reason=reason
        )
    run_once(partner.scene.factory)


def responses(partner: Partner, fmt: str) -> list[doc.InvoiceResponse]:
    out = []
    for path in partner.received(KINDS[fmt]):
        decoded = edi.decode_all(path.read_bytes())
        assert decoded.error is None and decoded.messages[0].ok, decoded.messages[0].error
        document = decoded.messages[0].document
        assert isinstance(document, doc.InvoiceResponse)
        out.append(document)
    return out


def thread(factory: sessionmaker[Session], bill: Invoice) -> list[tuple[MessageKind, str, int | None]]:
    with factory() as session:
        return [
            (m.kind, m.body, m.credit_note_id)
            for m in session.scalars(
                select(InvoiceMessage).where(InvoiceMessage.invoice_id == bill.id).order_by(InvoiceMessage.id)
            )
        ]


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl"])
def test_a_dispute_goes_out_and_the_suppliers_credit_note_answers_it(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner, bill = scene(factory, tmp_path, fmt)
    dispute(partner, bill)
    [sent] = responses(partner, fmt)
    assert (sent.status, sent.invoice_number, sent.reason) == (
        doc.InvoiceResponseStatus.UNDER_QUERY,
        bill.number,
        REASON,
    )
    assert (sent.buyer.gln, sent.seller.gln, sent.invoice_date) == (OWNER_GLN, SUPPLIER_GLN, bill.issue_date)
    if fmt == "ubl":  # the Peppol clarification: other reason, please provide information
        assert (sent.reason_code, sent.action_code) == ("OTH", "PIN")
    with factory() as session:
        record = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.message_type == KINDS[fmt])
        ).one()
        assert record.state is RecordState.SENT
        links = session.scalars(select(ExchangeLink).where(ExchangeLink.record_id == record.id)).all()
        assert [(link.entity, link.entity_id) for link in links] == [("invoice", bill.id)]

    # the supplier's system answers with a credit note for the difference
    partner.send("credit-1", credit(partner, bill, Decimal("38.00")), "601")
    run_once(factory)
    with factory() as session:
        applied = session.scalars(
            select(ExchangeRecord).where(
                ExchangeRecord.direction == "inbound", ExchangeRecord.filename == "credit-1"
            )
        ).one()
        assert applied.state is RecordState.APPLIED, applied.error
        after = session.get_one(Invoice, bill.id)
        assert (after.status, after.amount_credited, after.amount_owed) == (
            InvoiceStatus.DISPUTED,  # answered; the owner's staff now approve or reject it
            Decimal("38.00"),
            Decimal("229.75"),
        )
        note = session.scalars(select(CreditNote)).one()
        assert note.exchange_record_id == applied.id
        answered = session.scalars(select(Event).where(Event.kind == "invoice.dispute_answered")).one()
        assert answered.payload["credit_note_id"] == note.id
    assert thread(factory, bill) == [
        (MessageKind.DISPUTE, REASON, None),
        (MessageKind.ANSWER, "Gutschrift für beschädigte Ware", note.id),
    ]
    run_once(factory)  # nothing twice
    assert len(partner.received(KINDS[fmt])) == 1


@pytest.mark.parametrize(
    ("fmt", "code"), [("edifact", "DOC+380+{}:8'"), ("x12", "OTI*TR*IV*{}~"), ("ubl", "")]
)
def test_a_rejection_goes_out_with_its_reason(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str, code: str
) -> None:
    partner, bill = scene(factory, tmp_path, fmt)
    with partner.scene.uow() as uow:
        invoicing.reject_invoice(
            uow=uow, principal=partner.scene.p("owner", "sales"), invoice_id=bill.id, reason="Not our order"
        )
    run_once(factory)
    [sent] = responses(partner, fmt)
    assert (sent.status, sent.reason) == (doc.InvoiceResponseStatus.REJECTED, "Not our order")
    [path] = partner.received(KINDS[fmt])
    assert code.format(bill.number) in path.read_bytes().decode("latin-1")
    if fmt == "ubl":  # rejected: issue a new invoice
        assert sent.action_code == "NIN"


@pytest.mark.parametrize("fmt", ["edifact", "x12"])
def test_an_approval_sends_nothing_in_edifact_and_x12(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner, bill = scene(factory, tmp_path, fmt)
    with partner.scene.uow() as uow:
        invoicing.approve_invoice(uow=uow, principal=partner.scene.p("owner", "sales"), invoice_id=bill.id)
    run_once(factory)
    assert partner.received(KINDS[fmt]) == []
    with factory() as session:
        assert (
            session.scalar(select(ExchangeRecord).where(ExchangeRecord.state == RecordState.FAILED)) is None
        )


def test_a_ubl_supplier_hears_of_the_approval_and_of_the_full_payment(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner, bill = scene(factory, tmp_path, "ubl")
    owner = partner.scene.p("owner", "sales")
    with partner.scene.uow() as uow:
        invoicing.approve_invoice(uow=uow, principal=owner, invoice_id=bill.id)
    for amount in (Decimal("100.00"), Decimal("167.75")):  # a part payment says nothing
        with partner.scene.uow() as uow:
            invoicing.record_payment(
                uow=uow, principal=owner, invoice_id=bill.id, amount=amount, paid_on=date(2030, 2, 3)
            )
        run_once(factory)
    assert [(r.status, r.reason) for r in responses(partner, "ubl")] == [
        (doc.InvoiceResponseStatus.APPROVED, None),
        (doc.InvoiceResponseStatus.PAID, None),
    ]


def test_an_opentrans_partner_gets_nothing_and_nothing_fails(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner, bill = scene(factory, tmp_path, "opentrans")
    dispute(partner, bill)
    with partner.scene.uow() as uow:
        invoicing.reject_invoice(
            uow=uow, principal=partner.scene.p("owner", "sales"), invoice_id=bill.id, reason="Wrong prices"
        )
    run_once(factory)
    with factory() as session:
        kinds = set(session.scalars(select(ExchangeRecord.message_type)))
        assert not kinds & set(KINDS.values())
        assert (
            session.scalar(select(ExchangeRecord).where(ExchangeRecord.state == RecordState.FAILED)) is None
        )


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl"])
def test_the_supplier_answers_the_dispute_in_its_own_message(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner, bill = scene(factory, tmp_path, fmt)
    dispute(partner, bill)
    [ours] = responses(partner, fmt)
    answer = doc.InvoiceResponse(
        number="ANS-1",
        issue_date=date(2030, 1, 20),
        status=doc.InvoiceResponseStatus.CONDITIONALLY_ACCEPTED,
        invoice_number=ours.invoice_number,
        buyer=ours.buyer,
        seller=ours.seller,
        reason="The price was agreed by phone on 3 January; we keep it",
    )
    partner.send("answer-1", answer, "602")
    run_once(factory)
    with factory() as session:
        record = session.scalars(select(ExchangeRecord).where(ExchangeRecord.filename == "answer-1")).one()
        assert record.state is RecordState.APPLIED, record.error
    assert thread(factory, bill)[-1] == (MessageKind.ANSWER, answer.reason, None)


def test_an_answer_to_an_invoice_that_is_not_disputed_is_refused_with_the_reason(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner, bill = scene(factory, tmp_path, "edifact")
    partner.send(
        "answer-early",
        doc.InvoiceResponse(
            "ANS-2",
            date(2030, 1, 20),
            doc.InvoiceResponseStatus.APPROVED,
            bill.number,
            doc.Party(name="Owner", gln=OWNER_GLN),
            doc.Party(name="Supplier A", gln=SUPPLIER_GLN),
            reason="ok",
        ),
        "603",
    )
    run_once(factory)
    with factory() as session:
        record = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.filename == "answer-early")
        ).one()
        assert record.state is RecordState.FAILED
        assert "received" in (record.error or "") and "answer" in (record.error or "")
    assert thread(factory, bill) == []
