"""Invoice decisions by EDI (issue #17.4): a dispute's COMDIS / 824 / Invoice Response goes only to the
invoice's own supplier, and a supplier cannot answer (or learn of) another supplier's dispute: its
invoice reads exactly like an unknown one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi.documents as doc
from portal.exchange.profiles import create_profile
from portal.exchange.worker import run_once
from portal.models import ExchangeRecord, Invoice, MessageKind, Organization
from tests.exchange.helpers import OWNER_GLN, SUPPLIER_GLN
from tests.exchange.test_dispute_roundtrip import dispute, scene, thread


def test_a_decision_reaches_only_the_invoices_supplier(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner, _ = scene(factory, tmp_path / "a", "edifact")
    s = partner.scene
    with s.uow() as uow:
        other = uow.session.get_one(Organization, s.orgs["supplier-b"].id)
        other.gln = "4034567000018"
        create_profile(
            uow=uow,
            principal=s.p("owner"),
            organization_id=other.id,
            transport="folder",
            settings={"root": str(tmp_path / "b")},
            partner_id="4034567000018",
            our_id=OWNER_GLN,
            format="edifact",
        )
    b_order = s.order(s.customer(), supplier="supplier-b", quantities=(2,))
    run_once(factory)
    s.fulfil(b_order, "supplier-b")
    with factory() as session:
        b_bill = session.scalars(select(Invoice).where(Invoice.order_id == b_order.id)).one()
    dispute(partner, b_bill, "Only B may read this")
    b_files = sorted((tmp_path / "b" / "in").glob("COMDIS*"))
    assert len(b_files) == 1 and b"Only B may read this" in b_files[0].read_bytes()
    assert partner.received("COMDIS") == []
    with factory() as session:
        record = session.scalars(select(ExchangeRecord).where(ExchangeRecord.message_type == "COMDIS")).one()
        assert record.organization_id == other.id
    # supplier A cannot answer B's dispute: B's invoice is missing to A, exactly like an unknown one
    for name, number in (("foreign", b_bill.number), ("unknown", "NOPE-1")):
        partner.send(
            name,
            doc.InvoiceResponse(
                "ANS-3",
                date(2030, 1, 20),
                doc.InvoiceResponseStatus.CONDITIONALLY_ACCEPTED,
                number,
                doc.Party(name="Owner", gln=OWNER_GLN),
                doc.Party(name="Supplier A", gln=SUPPLIER_GLN),
                reason="mine now",
            ),
            "604" if name == "foreign" else "605",
        )
    run_once(factory)
    with factory() as session:
        errors = {
            r.filename: r.error
            for r in session.scalars(
                select(ExchangeRecord).where(ExchangeRecord.filename.in_(("foreign", "unknown")))
            )
        }
    assert errors == {
        "foreign": f"message 1: invoice {b_bill.number} not found",
        "unknown": "message 1: invoice NOPE-1 not found",
    }
    assert [k for k, _, _ in thread(factory, b_bill)] == [MessageKind.DISPUTE]
