"""Inbound e-invoices through the worker: validated by their scenario before anything is applied;
the profile says whether one that breaks a rule is rejected (negative acknowledgement naming the
rules, in a format the partner reads) or accepted with the findings on the record."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from edi.xml import codec
from edi.xml.zugferd import embed_xml
from portal.exchange import contents
from portal.exchange.worker import run_once
from portal.models import ExchangeLink, ExchangeRecord, RecordState
from portal.orders import service as orders
from tests.exchange.helpers import Partner, invoice, order_response, partner_scene

ADDRESS = doc.Address(street="Hauptstr. 1", city="Berlin", postal_code="10115", country_code="DE")


def _xrechnung(partner: Partner, order_id: int, *, seller_city: str | None = "Berlin") -> doc.Invoice:
    """An invoice for the order's first line with everything XRechnung asks for (seller contact and
    address, buyer address, Leitweg-ID, payment instructions), or without the seller's city."""
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order_id)
    base = invoice(loaded, {1: Decimal(2)})
    contact = doc.Contact(name="Anna", phone="+49 30 1234", email="anna@supplier.example")
    return replace(
        base,
        seller=replace(
            base.seller,
            vat_id="DE123456789",
            address=replace(ADDRESS, city=seller_city),
            contact=contact,
        ),
        buyer=replace(base.buyer, address=replace(ADDRESS, city="Köln", postal_code="50667")),
        buyer_reference="04011000-12345-34",
        delivery_date=base.issue_date,
        payment_terms=doc.PaymentTerms(iban="DE02120300000000202051", payment_means_code="58"),
    )


def _scene(factory: sessionmaker[Session], root: Path, fmt: str, policy: str) -> tuple[Partner, int]:
    partner = partner_scene(factory, root, fmt, invalid_einvoices=policy)
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(10, 4))
    run_once(factory)  # the order goes out
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    partner.send("ordrsp-1", order_response(loaded, quantities={1: None, 2: None}), "101")
    run_once(factory)  # and is confirmed
    return partner, order.id


def _inbound(factory: sessionmaker[Session], name: str) -> tuple[ExchangeRecord, list[str], bytes]:
    """The record of the file ``name``, what it is linked to, and the acknowledgement it got."""
    with factory() as session:
        record = session.scalars(select(ExchangeRecord).where(ExchangeRecord.filename == name)).one()
        links = session.scalars(select(ExchangeLink.entity).where(ExchangeLink.record_id == record.id)).all()
        ack = session.scalars(select(ExchangeRecord).where(ExchangeRecord.acknowledges_id == record.id)).one()
        content = contents.read_all(session, ack.id)
        session.expunge(record)
        return record, list(links), content


def _pdf(xml: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return embed_xml(out.getvalue(), xml, name="xrechnung.xml", relationship="Source")


def test_a_valid_xrechnung_is_applied_with_its_scenario_on_the_record(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner, order_id = _scene(factory, tmp_path, "ubl", "reject")
    partner.drop("inv-ok.xml", codec.encode(_xrechnung(partner, order_id), syntax="ubl", profile="xrechnung"))
    run_once(factory)
    record, links, ack = _inbound(factory, "inv-ok.xml")
    assert record.state is RecordState.APPLIED, record.error
    assert "invoice" in links
    [result] = record.messages
    assert result["scenario"] == "XRechnung 3.0 (UBL Invoice)"
    assert not [f for f in result["findings"] if f["flag"] in ("fatal", "error")]
    answer = edi.decode_all(ack).messages[0].document
    assert isinstance(answer, doc.Acknowledgement) and answer.status is doc.AckStatus.ACCEPTED


def test_an_xrechnung_breaking_a_rule_is_rejected_naming_the_rule(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner, order_id = _scene(factory, tmp_path, "ubl", "reject")
    broken = _xrechnung(partner, order_id, seller_city=None)
    partner.drop("inv-bad.xml", codec.encode(broken, syntax="ubl", profile="xrechnung"))
    run_once(factory)
    record, links, ack = _inbound(factory, "inv-bad.xml")
    assert record.state is RecordState.FAILED
    assert record.error is not None and "BR-DE-3: Seller city (BT-37) must be given" in record.error
    assert "invoice" not in links  # nothing was applied
    [result] = record.messages
    assert result["code"] == "einvoice_rules"
    assert ("BR-DE-3", "fatal") in {(f["rule"], f["flag"]) for f in result["findings"]}
    answer = edi.decode_all(ack).messages[0].document
    assert isinstance(answer, doc.Acknowledgement)
    assert answer.status is doc.AckStatus.REJECTED
    assert answer.document_reference == broken.number
    assert [(e.code, (e.text or "")[:7]) for e in answer.errors] == [("BV", "BR-DE-3")]
    assert answer.errors[0].segment_tag == "/Invoice[1]/AccountingSupplierParty[1]/Party[1]/PostalAddress[1]"


def test_a_profile_that_accepts_applies_it_and_keeps_the_findings(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner, order_id = _scene(factory, tmp_path, "ubl", "accept")
    broken = _xrechnung(partner, order_id, seller_city=None)
    partner.drop("inv-bad.xml", codec.encode(broken, syntax="cii", profile="xrechnung"))
    run_once(factory)
    record, links, ack = _inbound(factory, "inv-bad.xml")
    assert record.state is RecordState.APPLIED, record.error
    assert "invoice" in links
    [result] = record.messages
    assert result["ok"] is True and result["scenario"] == "XRechnung 3.0 (CII)"
    assert ("BR-DE-3", "fatal") in {(f["rule"], f["flag"]) for f in result["findings"]}
    answer = edi.decode_all(ack).messages[0].document
    assert isinstance(answer, doc.Acknowledgement) and answer.status is doc.AckStatus.ACCEPTED


@pytest.mark.parametrize(("fmt", "kind"), [("edifact", "APERAK"), ("x12", "824")])
def test_a_rejected_pdf_invoice_is_answered_in_the_partners_own_format(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str, kind: str
) -> None:
    partner, order_id = _scene(factory, tmp_path, fmt, "reject")
    broken = _xrechnung(partner, order_id, seller_city=None)
    partner.drop("inv-bad.pdf", _pdf(codec.encode(broken, syntax="cii", profile="xrechnung")))
    run_once(factory)
    record, _, ack = _inbound(factory, "inv-bad.pdf")
    assert record.state is RecordState.FAILED and record.format == "zugferd"
    assert [p.name for p in partner.received(kind) if p.read_bytes() == ack]  # and it went out
    text = ack.decode("latin-1")
    if fmt == "edifact":
        answer = edi.decode_all(ack).messages[0].document
        assert isinstance(answer, doc.Acknowledgement) and answer.status is doc.AckStatus.REJECTED
        assert [e.code for e in answer.errors] == ["BV"] and "BR-DE-3" in (answer.errors[0].text or "")
    else:
        assert "ST*824*" in text and f"OTI*TR*IV*{broken.number}" in text
        assert "TED*848*BR-DE-3: Seller city (BT-37) must be given." in text
