"""The e-invoice upload on the order page (#17.6): a good file becomes the invoice (its page); a
bad one is kept in the ledger and the supplier lands on it, with every finding; a file of the wrong
kind is refused on the form in the reader's language, nothing stored."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from edi.xml import codec
from portal.models import ExchangeRecord, Invoice, LineResponse, Organization
from portal.orders import service as orders
from tests.exchange.helpers import OWNER_GLN, SUPPLIER_GLN
from tests.exchange.test_upload import xrechnung
from tests.web.conftest import WebWorld, csrf_of


def _confirmed_order(world: WebWorld) -> int:
    scene = world.scene
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
    return order.id


def _post(world: WebWorld, who: str, order_id: int, name: str, data: bytes, lang: str = "en") -> object:
    client = world.client(who)
    headers = {"accept-language": lang}
    page = client.get(f"/orders/{order_id}", headers=headers)
    assert page.status_code == 200
    return client.post(
        f"/orders/{order_id}/invoice-file",
        data={"csrf": csrf_of(page.text)},
        files={"file": (name, data, "application/xml")},
        headers=headers,
        follow_redirects=False,
    )


def test_the_supplier_sees_the_form_and_a_good_file_becomes_the_invoice(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    order_id = _confirmed_order(world)
    page = world.client("supplier-a").get(f"/orders/{order_id}", headers={"accept-language": "de"})
    assert f'action="/orders/{order_id}/invoice-file"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and "E-Rechnung hochladen" in page.text
    data = codec.encode(xrechnung(world.scene, order_id), syntax="ubl", profile="xrechnung")
    response = _post(world, "supplier-a", order_id, "inv.xml", data)
    assert response.status_code == 303  # type: ignore[attr-defined]
    with factory() as session:
        invoice = session.scalars(select(Invoice)).one()
    assert response.headers["location"] == f"/invoices/{invoice.id}"  # type: ignore[attr-defined]
    assert invoice.number == "INV-1" and invoice.order_id == order_id


def test_a_bad_file_lands_on_its_ledger_record_with_the_findings(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    order_id = _confirmed_order(world)
    data = codec.encode(xrechnung(world.scene, order_id, seller_city=None), syntax="cii", profile="xrechnung")
    response = _post(world, "supplier-a", order_id, "bad.xml", data)
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/exchange/")
    shown = world.client("supplier-a").get(location)
    assert shown.status_code == 200
    assert "BR-DE-3" in shown.text and "Seller city (BT-37)" in shown.text
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0
    # the other supplier cannot see the record
    assert world.client("supplier-b").get(location).status_code == 404


def test_a_file_of_the_wrong_kind_is_refused_on_the_form_in_german(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    order_id = _confirmed_order(world)
    response = _post(world, "supplier-a", order_id, "x.png", b"\x89PNG\r\n", lang="de")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "ist weder eine XML-E-Rechnung" in response.text  # type: ignore[attr-defined]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ExchangeRecord)) == 0


def test_another_supplier_cannot_upload_against_the_order(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    order_id = _confirmed_order(world)
    client = world.client("supplier-b")
    page = client.get("/orders")
    response = client.post(
        f"/orders/{order_id}/invoice-file",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("inv.xml", b"<Invoice/>", "application/xml")},
        follow_redirects=False,
    )
    assert response.status_code == 404
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ExchangeRecord)) == 0


KOSIT = "kosit-xrechnung-testsuite/01.04_comprehensive_test_uncefact.xml"


def _kosit(order_number: str, invoice_number: str, **replace: str) -> bytes:
    """KoSIT's comprehensive XRechnung CII test file, billing one of our orders (its number and the
    order reference changed, nothing else unless asked)."""
    from tests.edi.corpus import CONFORMANCE

    text = (CONFORMANCE / KOSIT).read_text(encoding="utf-8")
    text = text.replace("<ram:ID>1234567</ram:ID>", f"<ram:ID>{invoice_number}</ram:ID>", 1)
    text = text.replace(
        "<ram:IssuerAssignedID>65002278</ram:IssuerAssignedID>",
        f"<ram:IssuerAssignedID>{order_number}</ram:IssuerAssignedID>",
        1,
    )
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text.encode("utf-8")


def _order_number(factory: sessionmaker[Session], order_id: int) -> str:
    from portal.models import Order

    with factory() as session:
        return session.get_one(Order, order_id).number


def test_kosits_test_invoice_with_trailing_zeros_is_accepted_with_its_own_totals(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    """30.00000000000 and 158.1250000000 are exact at four decimals: taken, not refused. The VAT is
    the document's 2,048.44 (per category, rounded once), not 2,048.43 (per line), so "still owed"
    is the document's amount due."""
    from decimal import Decimal

    from portal.models import InvoiceLine

    order_id = _confirmed_order(world)
    data = _kosit(_order_number(factory, order_id), "KOSIT-1")
    response = _post(world, "supplier-a", order_id, "01.04.xml", data)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    with factory() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.number == "KOSIT-1")).one()
        lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).all()
        assert response.headers["location"] == f"/invoices/{invoice.id}"  # type: ignore[attr-defined]
        assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (
            Decimal("10781.25"),
            Decimal("2048.44"),
            Decimal("12829.69"),
        )
        assert invoice.amount_owed == Decimal("12829.69")  # DuePayableAmount
        first = min(lines, key=lambda line: line.id)
        assert (first.quantity, first.unit_price) == (Decimal(30), Decimal("158.125"))
    page = world.client("supplier-a").get(f"/invoices/{invoice.id}", params={"lang": "de"}).text
    assert "12.829,69\xa0€" in page.split('id="invoice-owed"')[1][:80]
    assert "158,125\xa0€" in page  # the unit price as stated


def test_real_extra_precision_is_refused_naming_the_line_and_field_in_german(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    order_id = _confirmed_order(world)
    data = _kosit(
        _order_number(factory, order_id),
        "KOSIT-2",
        **{'unitCode="XPP">30.00000000000<': 'unitCode="XPP">30.00001<'},
    )
    response = _post(world, "supplier-a", order_id, "01.04-b.xml", data, lang="de")
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/exchange/")
    page = world.client("supplier-a").get(location, params={"lang": "de"}).text
    assert "Position 1: Menge: hat mehr als 4 Nachkommastellen" in page
    english = world.client("supplier-a").get(location, params={"lang": "en"}).text
    assert "Line 1: Quantity: has more than 4 decimal places" in english
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0
