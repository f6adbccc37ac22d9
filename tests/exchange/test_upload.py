"""An e-invoice uploaded in the portal (#17.6) takes the path of a file from the partner's inbox:
an inbound record of the supplier in the ledger, validated by its scenario, applied as the
supplier; one that fails stays with its findings and nothing else is written."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import edi.documents as doc
from edi.xml import codec
from edi.xml.zugferd import embed_xml
from portal.errors import InvalidInput, NotFound, PermissionDenied
from portal.exchange import contents
from portal.exchange.upload import MAX_UPLOAD_BYTES, upload_invoice
from portal.models import (
    Direction,
    ExchangeLink,
    ExchangeRecord,
    Invoice,
    LineResponse,
    Organization,
    RecordState,
)
from portal.orders import service as orders
from tests.builders import Scene, build_scene
from tests.exchange.helpers import OWNER_GLN, SUPPLIER_GLN, invoice

ADDRESS = doc.Address(street="Hauptstr. 1", city="Berlin", postal_code="10115", country_code="DE")


def _scene(factory: sessionmaker[Session]) -> tuple[Scene, int]:
    """supplier-a (no exchange profile) with a confirmed order."""
    scene = build_scene(factory)
    with scene.uow() as uow:
        uow.session.get_one(Organization, scene.orgs["owner"].id).gln = OWNER_GLN
        uow.session.get_one(Organization, scene.orgs["supplier-a"].id).gln = SUPPLIER_GLN
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    with scene.uow() as uow:
        sp = scene.p("supplier-a")
        current = orders.load_order(uow, sp, order.id)
        answers = [
            orders.LineAnswer(line_no=ln.line_no, action=LineResponse.ACCEPTED) for ln in current.lines
        ]
        orders.respond_to_order(uow=uow, principal=sp, order_id=order.id, answers=answers)
    return scene, order.id


def xrechnung(
    scene: Scene, order_id: int, *, seller_city: str | None = "Berlin", number: str = "INV-1"
) -> doc.Invoice:
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order_id)
    base = invoice(loaded, {1: Decimal(2)}, number=number)
    contact = doc.Contact(name="Anna", phone="+49 30 1234", email="anna@supplier.example")
    return replace(
        base,
        seller=replace(
            base.seller, vat_id="DE123456789", address=replace(ADDRESS, city=seller_city), contact=contact
        ),
        buyer=replace(base.buyer, address=replace(ADDRESS, city="Köln", postal_code="50667")),
        buyer_reference="04011000-12345-34",
        delivery_date=base.issue_date,
        payment_terms=doc.PaymentTerms(iban="DE02120300000000202051", payment_means_code="58"),
    )


def _pdf(xml: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return embed_xml(out.getvalue(), xml, name="xrechnung.xml", relationship="Source")


def _upload(scene: Scene, slug: str, data: bytes, order_id: int | None = None, name: str = "inv.xml") -> int:
    with scene.uow() as uow:
        rec = upload_invoice(uow=uow, principal=scene.p(slug), filename=name, data=data, order_id=order_id)
        return rec.id


def _invoices(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Invoice)) or 0


@pytest.mark.parametrize(
    ("syntax", "wrap", "scenario"),
    [
        ("ubl", False, "XRechnung 3.0 (UBL Invoice)"),
        ("cii", False, "XRechnung 3.0 (CII)"),
        ("cii", True, None),
    ],
)
def test_a_valid_upload_becomes_the_invoice_through_the_ledger(
    factory: sessionmaker[Session], syntax: str, wrap: bool, scenario: str | None
) -> None:
    scene, order_id = _scene(factory)
    data = codec.encode(xrechnung(scene, order_id), syntax=syntax, profile="xrechnung")
    if wrap:
        data = _pdf(data)
    record_id = _upload(scene, "supplier-a", data, order_id, name="inv.pdf" if wrap else "inv.xml")
    with factory() as session:
        rec = session.get_one(ExchangeRecord, record_id)
        assert rec.state is RecordState.APPLIED, rec.error
        assert rec.direction is Direction.INBOUND
        assert rec.organization_id == scene.orgs["supplier-a"].id
        assert contents.read_all(session, rec.id) == data  # the original file, kept
        [result] = rec.messages
        if scenario:
            assert result["scenario"] == scenario
        links = session.scalars(select(ExchangeLink).where(ExchangeLink.record_id == rec.id)).all()
        [inv_id] = [link.entity_id for link in links if link.entity == "invoice"]
        inv = session.get_one(Invoice, inv_id)
        assert inv.order_id == order_id and inv.number == "INV-1"
        assert inv.supplier_id == scene.orgs["supplier-a"].id
        # no profile: nobody to send an acknowledgement to
        assert session.scalar(select(ExchangeRecord).where(ExchangeRecord.acknowledges_id == rec.id)) is None


def test_a_broken_upload_is_kept_with_its_findings_and_nothing_else_is_written(
    factory: sessionmaker[Session],
) -> None:
    scene, order_id = _scene(factory)
    data = codec.encode(xrechnung(scene, order_id, seller_city=None), syntax="ubl", profile="xrechnung")
    record_id = _upload(scene, "supplier-a", data, order_id)
    with factory() as session:
        rec = session.get_one(ExchangeRecord, record_id)
        assert rec.state is RecordState.FAILED
        assert rec.error is not None and "BR-DE-3: Seller city (BT-37) must be given" in rec.error
        [result] = rec.messages
        finding = next(f for f in result["findings"] if f["rule"] == "BR-DE-3")
        assert finding["flag"] == "fatal"
        assert finding["location"].startswith("/Invoice[1]/AccountingSupplierParty[1]")
        assert not session.scalars(select(ExchangeLink).where(ExchangeLink.record_id == rec.id)).all()
    assert _invoices(factory) == 0
    # the fixed file goes through
    fixed = codec.encode(xrechnung(scene, order_id), syntax="ubl", profile="xrechnung")
    assert _upload(scene, "supplier-a", fixed, order_id) != record_id
    assert _invoices(factory) == 1


def test_an_invoice_for_another_order_is_refused_on_the_order_page(factory: sessionmaker[Session]) -> None:
    scene, order_id = _scene(factory)
    other = scene.order(scene.customer(), supplier="supplier-a", quantities=(1,))
    data = codec.encode(xrechnung(scene, order_id), syntax="ubl", profile="xrechnung")
    record_id = _upload(scene, "supplier-a", data, other.id)
    with factory() as session:
        rec = session.get_one(ExchangeRecord, record_id)
        assert rec.state is RecordState.FAILED
        assert rec.error is not None and f"not order {other.number}" in rec.error
    assert _invoices(factory) == 0


def test_a_file_that_is_no_invoice_is_refused(factory: sessionmaker[Session]) -> None:
    scene, order_id = _scene(factory)
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order_id)
    from tests.exchange.helpers import order_response

    data = codec.encode(order_response(loaded, quantities={1: Decimal(0)}), syntax="ubl")
    record_id = _upload(scene, "supplier-a", data, order_id)
    with factory() as session:
        rec = session.get_one(ExchangeRecord, record_id)
        assert rec.state is RecordState.FAILED
        assert rec.error is not None and "not an e-invoice" in rec.error
    with scene.uow() as uow:  # the order response was not applied: line 1 is still accepted
        loaded = orders.load_order(uow, scene.p("owner"), order_id)
        assert not any(line.awaiting_review for line in loaded.lines)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b"UNA:+.? 'UNB+UNOC:3", "neither an XML e-invoice"),
        (b"\x89PNG\r\n", "neither an XML e-invoice"),
        (b"<" + b" " * MAX_UPLOAD_BYTES, "larger than the limit of 10 MB"),
    ],
)
def test_empty_big_or_other_files_are_refused_before_anything_is_stored(
    factory: sessionmaker[Session], data: bytes, words: str
) -> None:
    scene, order_id = _scene(factory)
    with pytest.raises(InvalidInput, match=words) as refused:
        _upload(scene, "supplier-a", data, order_id)
    assert refused.value.field == "file"
    with factory() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(ExchangeRecord)
                .where(ExchangeRecord.direction == Direction.INBOUND)
            )
            == 0
        )


def test_an_xml_external_entity_is_not_resolved(factory: sessionmaker[Session]) -> None:
    scene, order_id = _scene(factory)
    secret = "/etc/hostname"
    data = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>'
    ).encode()
    record_id = _upload(scene, "supplier-a", data, order_id)
    with factory() as session:
        rec = session.get_one(ExchangeRecord, record_id)
        assert rec.state is RecordState.FAILED
        with open(secret) as fh:
            content = fh.read().strip()
        assert content not in (rec.error or "") and content not in repr(rec.messages)


def test_the_same_file_twice_is_refused(factory: sessionmaker[Session]) -> None:
    scene, order_id = _scene(factory)
    data = codec.encode(xrechnung(scene, order_id), syntax="ubl", profile="xrechnung")
    first = _upload(scene, "supplier-a", data, order_id)
    with pytest.raises(InvalidInput, match=f"received before \\(EDI message {first}\\)"):
        _upload(scene, "supplier-a", data, order_id)


def test_a_supplier_cannot_upload_against_another_suppliers_order(factory: sessionmaker[Session]) -> None:
    scene, order_id = _scene(factory)
    data = codec.encode(xrechnung(scene, order_id), syntax="ubl", profile="xrechnung")
    with pytest.raises(NotFound):
        _upload(scene, "supplier-b", data, order_id)
    # without an order, its file is its own record: the invoice names an order it does not have
    record_id = _upload(scene, "supplier-b", data)
    with factory() as session:
        rec = session.get_one(ExchangeRecord, record_id)
        assert rec.organization_id == scene.orgs["supplier-b"].id
        assert rec.state is RecordState.FAILED
    assert _invoices(factory) == 0


def test_owner_staff_upload_only_on_an_order_as_its_supplier(factory: sessionmaker[Session]) -> None:
    scene, order_id = _scene(factory)
    data = codec.encode(xrechnung(scene, order_id), syntax="ubl", profile="xrechnung")
    with pytest.raises(PermissionDenied):
        _upload(scene, "owner", data)  # without an order there is no supplier to upload for
    with pytest.raises(PermissionDenied):
        _upload_as(scene, "sales", data, order_id)  # owner staff other than admins may not
    record_id = _upload(scene, "owner", data, order_id)  # an admin, on the supplier's behalf
    with factory() as session:
        rec = session.get_one(ExchangeRecord, record_id)
        assert rec.state is RecordState.APPLIED, rec.error
        assert rec.organization_id == scene.orgs["supplier-a"].id


def _upload_as(scene: Scene, role: str, data: bytes, order_id: int) -> int:
    with scene.uow() as uow:
        rec = upload_invoice(
            uow=uow, principal=scene.p("owner", role), filename="i.xml", data=data, order_id=order_id
        )
        return rec.id
