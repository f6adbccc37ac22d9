"""The invoices page's e-invoice upload (#17.6), the readable view of the e-invoice an invoice came
in, from real samples (XRechnung UBL and CII, ZUGFeRD, Peppol UBL credit note), with the download
of the original (#17.4), the supplier filter of the list (owner staff), and a refused upload's
reasons in German."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from edi.xml import codec
from portal.exchange import contents
from portal.models import Direction, ExchangeLink, ExchangeRecord, Invoice, Order, RecordState
from tests.edi.corpus import CONFORMANCE
from tests.exchange.test_upload import xrechnung
from tests.gql.test_upload_invoice import confirmed_order
from tests.web.conftest import WebWorld, csrf_of


def _upload(world: WebWorld, who: str, data: bytes, *, lang: str = "en", name: str = "inv.xml") -> object:
    client = world.client(who)
    headers = {"accept-language": lang}
    page = client.get("/invoices", headers=headers)
    assert page.status_code == 200
    return client.post(
        "/invoices/upload",
        data={"csrf": csrf_of(page.text)},
        files={"file": (name, data, "application/xml")},
        headers=headers,
        follow_redirects=False,
    )


def test_the_supplier_uploads_on_the_invoice_list_and_the_order_comes_from_the_invoice(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    order_id = confirmed_order(world.scene)
    listed = world.client("supplier-a").get("/invoices", headers={"accept-language": "de"}).text
    assert 'action="/invoices/upload"' in listed and 'enctype="multipart/form-data"' in listed
    assert "E-Rechnung hochladen" in listed
    assert 'action="/invoices/upload"' not in world.client("owner").get("/invoices").text  # not a supplier
    data = codec.encode(xrechnung(world.scene, order_id), syntax="ubl", profile="xrechnung")
    response = _upload(world, "supplier-a", data)
    assert response.status_code == 303  # type: ignore[attr-defined]
    with factory() as session:
        invoice = session.scalars(select(Invoice)).one()
    assert invoice.order_id == order_id
    assert response.headers["location"] == f"/invoices/{invoice.id}"  # type: ignore[attr-defined]


def test_an_upload_naming_no_order_of_the_supplier_is_kept_failed_and_said_in_german(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    order_id = confirmed_order(world.scene)  # supplier-a's order
    data = codec.encode(xrechnung(world.scene, order_id), syntax="ubl", profile="xrechnung")
    response = _upload(world, "supplier-b", data, lang="de")
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/exchange/")
    page = world.client("supplier-b").get(location, headers={"accept-language": "de"})
    with factory() as session:
        number = session.get_one(Order, order_id).number
        record = session.scalars(select(ExchangeRecord)).one()
        assert record.state is RecordState.FAILED
        assert record.organization_id == world.scene.orgs["supplier-b"].id
        assert session.scalar(select(Invoice.id)) is None
    assert f"die Rechnung nennt den Auftrag {number}, der keiner Ihrer Aufträge ist" in page.text
    assert "Supplier A" not in page.text  # never whose order it is
    assert world.client("supplier-a").get(location).status_code == 404


def test_a_broken_rule_is_said_in_german_on_the_failed_file(world: WebWorld) -> None:
    order_id = confirmed_order(world.scene)
    data = codec.encode(xrechnung(world.scene, order_id, seller_city=None), syntax="cii", profile="xrechnung")
    location = _upload(world, "supplier-a", data, lang="de").headers["location"]  # type: ignore[attr-defined]
    german = world.client("supplier-a").get(location, headers={"accept-language": "de"}).text
    assert "die E-Rechnung verletzt die Regeln ihres Prüfszenarios XRechnung 3.0 (CII)" in german
    assert "BR-DE-3: Der Ort des Verkäufers (BT-37) muss angegeben sein." in german
    english = world.client("supplier-a").get(location, headers={"accept-language": "en"}).text
    assert "BR-DE-3: Seller city (BT-37) must be given." in english


def test_a_file_of_the_wrong_kind_is_refused_on_the_upload_page(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    response = _upload(world, "supplier-a", b"\x89PNG\r\n", lang="de", name="x.png")
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "ist weder eine XML-E-Rechnung" in text and 'id="invoice-upload-form"' in text
    with factory() as session:
        assert session.scalar(select(ExchangeRecord.id)) is None


def test_owner_staff_have_no_upload_without_an_order(world: WebWorld) -> None:
    assert world.client("owner").get("/invoices/upload").status_code == 403


# -- the readable view, from real samples ------------------------------------------------------
SAMPLES = [
    # (file, invoice number, words the readable view shows, in English)
    (
        "kosit-xrechnung-testsuite/01.15a-INVOICE_ubl.xml",
        "0000123456",
        ["Anforderungsaufnahme", "DE79000000001234567890", "SEPA credit transfer", "Commercial invoice"],
    ),
    (
        "kosit-xrechnung-testsuite/01.15a-INVOICE_uncefact.xml",
        "0000123456",
        ["Anforderungsaufnahme", "Bei Zahlungen binnen 14 Tagen, 2% Skonto", "Standard rate"],
    ),
    (
        "horstoeko-zugferd/pdf_zf_xrechnung_1.pdf",
        "471102",
        ["Lieferant GmbH", "Kunden AG Mitte", "Trennblätter A4", "GTIN 4012345001235", "BYLADEM1001"],
    ),
    (
        "cen-en16931/BIS_Billing_30-Kreditering_med_kreditnota.xml",
        "2018133",  # a credit note: shown on the invoice it corrects (BT-25)
        ["The credit note as sent", "Protection cover (plastic)", "Quantity discount", "Credit transfer"],
    ),
]


def _attach(world: WebWorld, path: Path, number: str) -> tuple[int, int, bytes]:
    """An invoice of supplier-a that came in ``path``: its number made the file's (for a credit note,
    the invoice the file corrects), the file in the ledger, linked as inbound processing links it."""
    data = path.read_bytes()
    order = world.scene.order(world.scene.customer(), supplier="supplier-a")
    world.scene.fulfil(order, "supplier-a")
    with world.scene.uow() as uow:
        invoice = uow.session.scalars(select(Invoice).where(Invoice.order_id == order.id)).one()
        uow.session.execute(update(Invoice).where(Invoice.id == invoice.id).values(number=number))
        record = ExchangeRecord(
            organization_id=world.scene.orgs["supplier-a"].id,
            direction=Direction.INBOUND,
            state=RecordState.APPLIED,
            filename=path.name,
            size=len(data),
            sha256="0" * 64,
            messages=[],
        )
        uow.session.add(record)
        uow.flush()
        contents.save(uow.session, record.id, data)
        uow.session.add(ExchangeLink(record_id=record.id, entity="invoice", entity_id=invoice.id))
        return invoice.id, record.id, data


@pytest.mark.parametrize(("sample", "number", "words"), SAMPLES, ids=[s[0].split("/")[-1] for s in SAMPLES])
def test_the_invoice_page_shows_the_einvoice_readable_and_offers_the_original(
    world: WebWorld, sample: str, number: str, words: list[str]
) -> None:
    invoice_id, record_id, data = _attach(world, CONFORMANCE / sample, number)
    page = world.client("supplier-a").get(f"/invoices/{invoice_id}", headers={"accept-language": "en"}).text
    for word in words:
        assert word in page, word
    assert "VAT breakdown" in page and "Amount due" in page
    href = f"/invoices/{invoice_id}/files/{record_id}"
    assert f'href="{href}"' in page
    original = world.client("owner").get(href)
    assert original.status_code == 200 and original.content == data
    kind = "application/pdf" if sample.endswith(".pdf") else "application/xml"
    assert original.headers["content-type"] == kind
    assert original.headers["content-disposition"].startswith("attachment;")


def test_the_readable_view_in_german(world: WebWorld) -> None:
    invoice_id, _, _ = _attach(world, CONFORMANCE / SAMPLES[0][0], SAMPLES[0][1])
    page = world.client("owner").get(f"/invoices/{invoice_id}", headers={"accept-language": "de"}).text
    for word in ("Die E-Rechnung, wie sie gesendet wurde", "SEPA-Überweisung", "Handelsrechnung"):
        assert word in page, word
    assert "Aufschlüsselung der Umsatzsteuer" in page and "Regelsteuersatz" in page
    assert "10.686,20" in page  # the amount due, written the German way


def test_another_supplier_gets_neither_the_view_nor_the_original(world: WebWorld) -> None:
    invoice_id, record_id, _ = _attach(world, CONFORMANCE / SAMPLES[0][0], SAMPLES[0][1])
    other = world.client("supplier-b")
    assert other.get(f"/invoices/{invoice_id}").status_code == 404
    assert other.get(f"/invoices/{invoice_id}/files/{record_id}").status_code == 404
    # nor through an invoice of its own: the file must be one of that invoice's
    order = world.scene.order(world.scene.customer(), supplier="supplier-b")
    world.scene.fulfil(order, "supplier-b")
    with world.scene.factory() as session:
        own = session.scalars(select(Invoice.id).where(Invoice.order_id == order.id)).one()
    assert other.get(f"/invoices/{own}").status_code == 200
    assert other.get(f"/invoices/{own}/files/{record_id}").status_code == 404
    # dealers see no supplier invoices at all
    assert world.client("dealer-group").get(f"/invoices/{invoice_id}/files/{record_id}").status_code == 404


# -- the supplier filter -------------------------------------------------------------------------
def test_owner_staff_filter_the_invoices_by_supplier_and_the_csv_follows(world: WebWorld) -> None:
    numbers = {}
    for slug in ("supplier-a", "supplier-b"):
        order = world.scene.order(world.scene.customer(), supplier=slug)
        world.scene.fulfil(order, slug)
        numbers[slug] = f"INV-{order.id}"
    owner = world.client("owner")
    page = owner.get("/invoices").text
    a = world.scene.orgs["supplier-a"]
    assert 'name="supplier"' in page and f'<option value="{a.id}" >{a.name}</option>' in page
    filtered = owner.get("/invoices", params={"supplier": str(a.id)}).text
    assert numbers["supplier-a"] in filtered and numbers["supplier-b"] not in filtered
    assert f'<option value="{a.id}" selected>' in filtered
    csv = owner.get("/invoices.csv", params={"supplier": str(a.id)}).text
    assert numbers["supplier-a"] in csv and numbers["supplier-b"] not in csv
    assert owner.get("/invoices", params={"supplier": "x"}).status_code == 400
    # suppliers see neither the filter nor anything through it
    supplier = world.client("supplier-b")
    assert 'name="supplier"' not in supplier.get("/invoices").text
    theirs = supplier.get("/invoices", params={"supplier": str(a.id)}).text
    assert numbers["supplier-b"] in theirs and numbers["supplier-a"] not in theirs
