"""A real `portal exchange run` worker validates inbound e-invoices with nothing configured (no
EDI_SCHEMA_DIR: the packaged artefacts and the built-in XRechnung rules), as each partner's profile
says (issue #13 item 9).

Supplier A's profile rejects invalid e-invoices: its XRechnung without the seller's city fails, is
not applied, and A gets a negative ApplicationResponse naming BR-DE-3; its valid XRechnung CII is
applied. Supplier B's profile accepts them: its ZUGFeRD PDF with the same fault is applied and the
finding stays on the record."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
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
from portal.exchange.profiles import create_profile
from portal.models import ExchangeRecord, Order, RecordState
from tests.e2e.test_exchange_faults import (
    PORTAL,
    SUPPLIER_B_GLN,
    drop_old,
    envelope_b,
    loaded,
    migrated,
    wait_for,
)
from tests.exchange.helpers import OWNER_GLN, invoice, order_response, partner_scene

__all__ = ["migrated"]  # the fixture, shared with the faults test
pytestmark = pytest.mark.slow
DEADLINE = 120.0  # the worker compiles the rule sets once: seconds on a loaded machine
ADDRESS = doc.Address(street="Hauptstr. 1", city="Berlin", postal_code="10115", country_code="DE")


def xrechnung(order: Order, seller_gln: str, *, number: str, seller_city: str | None) -> doc.Invoice:
    base = invoice(order, {1: Decimal(1)}, number=number)
    contact = doc.Contact(name="Anna", phone="+49 30 1234", email="anna@supplier.example")
    return replace(
        base,
        seller=doc.Party(
            name="Supplier",
            gln=seller_gln,
            vat_id="DE123456789",
            address=replace(ADDRESS, city=seller_city),
            contact=contact,
        ),
        buyer=replace(base.buyer, address=replace(ADDRESS, city="Köln", postal_code="50667")),
        buyer_reference="04011000-12345-34",
        delivery_date=base.issue_date,
        payment_terms=doc.PaymentTerms(iban="DE02120300000000202051", payment_means_code="58"),
    )


def pdf(xml: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return embed_xml(out.getvalue(), xml, name="factur-x.xml")


def test_the_worker_rejects_or_accepts_invalid_einvoices_as_each_profile_says(
    migrated: tuple[str, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, factory = migrated
    a = partner_scene(factory, tmp_path / "a", "ubl")
    with a.scene.uow() as uow:
        create_profile(
            uow=uow,
            principal=a.scene.p("owner"),
            organization_id=a.scene.orgs["supplier-b"].id,
            transport="folder",
            settings={"root": str(tmp_path / "b")},
            partner_id=SUPPLIER_B_GLN,
            our_id=OWNER_GLN,
            format="edifact",
            invalid_einvoices="accept",
        )
    customer = a.scene.customer()
    order_a = loaded(a, a.scene.order(customer, supplier="supplier-a", quantities=(3, 2)))
    order_b = loaded(a, a.scene.order(customer, supplier="supplier-b", quantities=(2,)))
    inbox_a, inbox_b = tmp_path / "a" / "out", tmp_path / "b" / "out"
    # confirmed first (older files are taken first), then invoiced
    confirm_a = order_response(order_a, quantities={1: None, 2: None})
    confirm_b = order_response(order_b, quantities={1: None})
    drop_old(inbox_a, "1-ordrsp.xml", edi.encode(confirm_a, format="ubl", envelope=a.envelope("1")), age=60)
    drop_old(
        inbox_b, "1-ordrsp.edi", edi.encode(confirm_b, format="edifact", envelope=envelope_b("2")), age=60
    )
    bad = xrechnung(order_a, "4023456000017", number="INV-A-BAD", seller_city=None)
    good = xrechnung(order_a, "4023456000017", number="INV-A-OK", seller_city="Berlin")
    accepted = xrechnung(order_b, SUPPLIER_B_GLN, number="INV-B", seller_city=None)
    drop_old(inbox_a, "2-bad.xml", codec.encode(bad, syntax="ubl", profile="xrechnung"), age=30)
    drop_old(inbox_a, "3-good.xml", codec.encode(good, syntax="cii", profile="xrechnung"), age=20)
    drop_old(
        inbox_b, "2-accepted.pdf", pdf(codec.encode(accepted, syntax="cii", profile="xrechnung")), age=30
    )

    env = {**os.environ, "PORTAL_DATABASE_URL": url}
    for name in ("EDI_SCHEMA_DIR", "EDI_SCHEMATRON_DIR", "PORTAL_EXCHANGE_CRASH_AT"):
        env.pop(name, None)
    deadline = time.monotonic() + DEADLINE
    names = {"1-ordrsp.xml", "1-ordrsp.edi", "2-bad.xml", "3-good.xml", "2-accepted.pdf"}

    def by_name() -> dict[str, ExchangeRecord]:
        with factory() as session:
            found = session.scalars(select(ExchangeRecord).where(ExchangeRecord.filename.in_(names))).all()
            return {r.filename: r for r in found}

    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [PORTAL, "exchange", "run", "--interval", "0.5"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for(
                "every invoice processed and answered",
                lambda: (
                    len(found := by_name()) == len(names)
                    and all(r.state is not RecordState.RECEIVED for r in found.values())
                    and len(list((tmp_path / "a" / "in").glob("ApplicationResponse_*"))) >= 3
                ),
                deadline,
                worker,
            )
        finally:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    log_text = (tmp_path / "worker.log").read_text(errors="replace")
    found = by_name()
    assert found["2-bad.xml"].state is RecordState.FAILED, log_text[-2000:]
    assert "BR-DE-3: Seller city (BT-37) must be given" in (found["2-bad.xml"].error or "")
    assert found["3-good.xml"].state is RecordState.APPLIED, found["3-good.xml"].error
    assert found["3-good.xml"].messages[0]["scenario"] == "XRechnung 3.0 (CII)"
    accepted_record = found["2-accepted.pdf"]
    assert accepted_record.state is RecordState.APPLIED, accepted_record.error
    assert "BR-DE-3" in {f["rule"] for f in accepted_record.messages[0]["findings"]}
    answers = [
        edi.decode_all(p.read_bytes()).messages[0].document
        for p in (tmp_path / "a" / "in").glob("ApplicationResponse_*")
    ]
    rejected = [
        ack
        for ack in answers
        if isinstance(ack, doc.Acknowledgement) and ack.status is doc.AckStatus.REJECTED
    ]
    assert [(ack.document_reference, [e.text[:7] for e in ack.errors if e.text]) for ack in rejected] == [
        ("INV-A-BAD", ["BR-DE-3"])
    ]
