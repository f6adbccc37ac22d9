"""The web portal as principals of two unrelated organizations: every page, form action, export and
download of the other organization's objects answers 404 (like a missing id) and shows none of its
data; every list and export leaves its rows out."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.app import create_app
from portal.cases import service as cases
from portal.config import Settings
from portal.exchange import contents
from portal.invoicing import service as invoicing
from portal.leads import service as leads
from portal.models import (
    CaseAttachment,
    Direction,
    Event,
    ExchangeRecord,
    Invoice,
    OrderLine,
    RecordState,
    User,
)
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users, csrf_of

LISTS = [
    "orders",
    "shipments",
    "invoices",
    "cases",
    "customers",
    "contacts",
    "activities",
    "exchange",
    "leads",
]


@dataclass
class Foreign:
    """Objects that belong to the other side only, and texts that must never leak."""

    urls: list[str]
    posts: list[tuple[str, dict[str, str]]]
    secrets: list[str]


@pytest.fixture
def world(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    scene = build_scene(factory)
    users = add_users(factory, scene)
    app = create_app(Settings(secret_key=SECRET), engine=engine)
    return WebWorld(scene, app, users)


def _belongings(world: WebWorld, dealer: str, supplier: str) -> Foreign:
    scene = world.scene
    customer = scene.customer(f"Geheim {dealer} GmbH", shared_with=(dealer,))
    order = scene.order(customer, by=dealer, supplier=supplier)
    scene.fulfil(order, supplier)
    with scene.uow() as uow:
        case = cases.open_case(
            uow=uow, principal=scene.p(dealer), subject=f"Vertraulich {dealer}", customer_id=customer.id
        )
        attachment = cases.add_attachment(
            uow=uow,
            principal=scene.p(dealer),
            case_id=case.id,
            filename="plan.pdf",
            content_type="application/pdf",
            data=b"%PDF secret",
        )
        supplier_case = cases.open_case(
            uow=uow, principal=scene.p(supplier), subject=f"Reklamation {supplier}", order_id=order.id
        )
        edi_file = ExchangeRecord(
            organization_id=scene.orgs[supplier].id,
            direction=Direction.INBOUND,
            state=RecordState.FAILED,
            filename=f"DESADV-{supplier}-geheim.edi",
            size=3,
            sha256="c" * 64,
            messages=[],
            error="failed",
        )
        uow.session.add(edi_file)
        uow.flush()
        contents.save(uow.session, edi_file.id, b"UNA")
        # The invoice's workflow: a dispute answered with a credit note, then a payment.
        invoice = uow.session.scalars(select(Invoice).where(Invoice.order_id == order.id)).one()
        invoicing.dispute_invoice(
            uow=uow,
            principal=scene.p("owner", "sales"),
            invoice_id=invoice.id,
            reason=f"Streitfall {supplier}",
        )
        invoicing.answer_dispute(
            uow=uow,
            principal=scene.p(supplier),
            invoice_id=invoice.id,
            message=f"Antwort {supplier}",
            credit=invoicing.Credit(f"GS-{supplier}", date.today(), Decimal(1)),
        )
        invoicing.approve_invoice(uow=uow, principal=scene.p("owner", "sales"), invoice_id=invoice.id)
        invoicing.record_payment(
            uow=uow,
            principal=scene.p("owner", "sales"),
            invoice_id=invoice.id,
            amount=Decimal(1),
            paid_on=date.today(),
            reference=f"Zahlung {supplier}",
        )
    with scene.uow() as uow:  # a lead offered to the dealer (by hand: no territories here)
        lead = leads.create_lead(
            uow=uow,
            principal=scene.p("owner", "sales"),
            values=leads.LeadFields(company=f"Interessent {dealer}", postal_code="10115"),
            distribute_now=False,
        )
        leads.reassign_lead(
            uow=uow, principal=scene.p("owner", "sales"), lead_id=lead.id, dealer_id=scene.orgs[dealer].id
        )
    return Foreign(
        urls=[
            f"/leads/{lead.id}",
            f"/leads/{lead.id}/edit",
            f"/orders/{order.id}",
            f"/cases/{case.id}",
            f"/cases/{supplier_case.id}",
            f"/cases/{case.id}/attachments/{attachment.id}",
            f"/customers/{customer.id}",
            f"/exchange/{edi_file.id}",
            f"/exchange/{edi_file.id}/download",
            f"/invoices/{invoice.id}",
        ],
        posts=[
            (f"/orders/{order.id}/respond", {"version": "1", "line-1-action": "rejected"}),
            (
                f"/orders/{order.id}/shipments",
                {"number": "X", "shipped_on": "2026-01-01", "line-1-quantity": "1"},
            ),
            (
                f"/orders/{order.id}/invoices",
                {"number": "X", "issue_date": "2026-01-01", "line-1-quantity": "1"},
            ),
            (f"/orders/{order.id}/route", {"supplier_id": str(scene.orgs[supplier].id)}),
            (f"/cases/{case.id}/comments", {"body": "hallo"}),
            (f"/cases/{case.id}/status", {"action": "resolve"}),
            (f"/cases/{case.id}/edit", {"subject": "übernommen", "priority": "low"}),
            (f"/cases/{supplier_case.id}/comments", {"body": "hallo"}),
            (f"/customers/{customer.id}/activities", {"kind": "call", "subject": "Anruf"}),
            (f"/customers/{customer.id}/share", {"organization_id": str(scene.orgs[dealer].id)}),
            (f"/customers/{customer.id}/contacts", {"last_name": "Spion"}),
            (
                "/orders/new",
                {
                    "customer_id": str(customer.id),
                    "line-1-product": str(scene.products[0].id),
                    "line-1-quantity": "1",
                },
            ),
            ("/cases/new", {"subject": "x", "customer_id": str(customer.id)}),
            ("/cases/new", {"subject": "x", "order_id": str(order.id)}),
            (f"/invoices/{invoice.id}/review", {"action": "reject", "reason": "x"}),
            (f"/invoices/{invoice.id}/payments", {"amount": "1", "paid_on": "2026-01-01"}),
            (f"/invoices/{invoice.id}/schedule", {"payment_scheduled_on": "2026-01-01"}),
            (f"/invoices/{invoice.id}/answer", {"message": "x"}),
            (
                f"/invoices/{invoice.id}/credit-notes",
                {"number": "GS-X", "issue_date": "2026-01-01", "gross_total": "1"},
            ),
            (f"/exchange/{edi_file.id}/reprocess", {}),
            (f"/exchange/{edi_file.id}/discard", {}),
            (f"/leads/{lead.id}/accept", {}),
            (f"/leads/{lead.id}/decline", {"reason": "nein"}),
            (f"/leads/{lead.id}/convert", {"opportunity_name": "x", "expected_close": "2026-12-01"}),
            (f"/leads/{lead.id}/reassign", {"dealer_id": str(scene.orgs[dealer].id)}),
            (f"/leads/{lead.id}/disqualify", {"reason": "x"}),
            (f"/leads/{lead.id}/edit", {"company": "x", "country_code": "DE"}),
            (f"/admin/users/{world.users[dealer].id}/active", {"active": "0"}),
            (f"/admin/users/{world.users[supplier].id}/active", {"active": "0"}),
        ],
        secrets=[
            order.number,
            customer.name,
            f"Vertraulich {dealer}",
            f"Reklamation {supplier}",
            f"DN-{order.id}",
            f"INV-{order.id}",
            f"DESADV-{supplier}-geheim.edi",
            f"Streitfall {supplier}",
            f"Antwort {supplier}",
            f"GS-{supplier}",
            f"Zahlung {supplier}",
            f"Interessent {dealer}",
            lead.number,
        ],
    )


def _events(world: WebWorld) -> int:
    with world.scene.factory() as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


@pytest.mark.parametrize("viewer", ["dealer-other", "supplier-b"])
def test_pages_downloads_and_actions_of_another_organization_answer_404(world: WebWorld, viewer: str) -> None:
    theirs = _belongings(world, "dealer-group", "supplier-a")
    client = world.client(viewer)
    for url in theirs.urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert not [s for s in theirs.secrets if s in response.text], url
    before = _events(world)
    token = csrf_of(client.get("/account/password").text)
    for url, data in theirs.posts:
        response = client.post(url, data={"csrf": token, **data}, follow_redirects=False)
        assert response.status_code == 404, (url, response.status_code)
        assert not [s for s in theirs.secrets if s in response.text], url
    pdf = client.post(
        theirs.urls[1] + "/attachments",
        data={"csrf": token},
        files={"file": ("a.pdf", b"%PDF", "application/pdf")},
    )
    assert pdf.status_code == 404
    assert _events(world) == before  # nothing was written
    with world.scene.factory() as session:
        for owner_of in ("dealer-group", "supplier-a"):
            assert session.get_one(User, world.users[owner_of].id).is_active


@pytest.mark.parametrize("viewer", ["dealer-other", "supplier-b"])
def test_lists_and_exports_leave_out_another_organizations_rows(world: WebWorld, viewer: str) -> None:
    theirs = _belongings(world, "dealer-group", "supplier-a")
    mine = _belongings(world, "dealer-other", "supplier-b")
    client = world.client(viewer)
    seen_own = False
    for name in LISTS:
        page = client.get(f"/{name}")
        export = client.get(f"/{name}.csv")
        assert page.status_code == export.status_code
        if page.status_code == 404:
            continue
        for text in (page.text, export.text):
            assert not [s for s in theirs.secrets if s in text], name
        cells = {cell for row in csv.reader(io.StringIO(export.text.lstrip("\ufeff"))) for cell in row}
        seen_own = seen_own or bool(cells & set(mine.secrets))
    assert seen_own  # the lists are not simply empty: the viewer's own rows are there
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert not [s for s in theirs.secrets if s in dashboard.text]


def test_attachment_ids_are_checked_against_the_case_in_the_url(world: WebWorld) -> None:
    theirs = _belongings(world, "dealer-group", "supplier-a")
    mine = _belongings(world, "dealer-other", "supplier-b")
    with world.scene.factory() as session:
        foreign_attachment = min(session.scalars(select(CaseAttachment.id)))  # created first: theirs
    del theirs
    own_case = mine.urls[1]
    response = world.client("dealer-other").get(f"{own_case}/attachments/{foreign_attachment}")
    assert response.status_code == 404
    assert b"%PDF secret" not in response.content


def test_a_list_shell_drawn_for_one_organization_is_never_served_to_another(world: WebWorld) -> None:
    """The same URL, loaded by users of two unrelated organizations in turn (list pages reuse a
    drawn page shell): each page carries its own user, navigation and rows, never the other's."""
    theirs = _belongings(world, "dealer-group", "supplier-a")
    mine = _belongings(world, "dealer-other", "supplier-b")
    pages: dict[str, list[str]] = {}
    for _ in range(2):
        for viewer in ("dealer-group", "dealer-other", "supplier-a", "supplier-b"):
            for name in ("orders", "cases"):
                pages.setdefault(viewer, []).append(world.client(viewer).get(f"/{name}?sort=number").text)
    for viewer, texts in pages.items():
        others = {world.users[o].name for o in pages if o != viewer}
        for text in texts:
            assert world.users[viewer].name in text
            assert not [name for name in others if name in text], viewer
    for viewer in ("dealer-other", "supplier-b"):
        for text in pages[viewer]:
            assert not [s for s in theirs.secrets if s in text]
    assert any(s in text for text in pages["dealer-other"] for s in mine.secrets)
    suppliers_nav = [text for viewer in ("supplier-a", "supplier-b") for text in pages[viewer]]
    assert not [text for text in suppliers_nav if 'href="/customers"' in text]  # no customer master
    assert all('href="/customers"' in text for text in pages["dealer-other"])


@pytest.mark.parametrize("viewer", ["dealer-other", "supplier-b"])
def test_the_late_orders_filter_and_its_export_leave_out_another_organizations_orders(
    world: WebWorld, viewer: str
) -> None:
    customer = world.scene.customer("Geheim Spät GmbH", shared_with=("dealer-group",))
    theirs = world.scene.order(customer, by="dealer-group", supplier="supplier-a")
    mine_customer = world.scene.customer("Eigen Spät GmbH", shared_with=("dealer-other",))
    mine = world.scene.order(mine_customer, by="dealer-other", supplier="supplier-b")
    with world.scene.uow() as uow:
        uow.session.execute(
            update(OrderLine)
            .where(OrderLine.order_id.in_([theirs.id, mine.id]))
            .values(requested_date=date.today() - timedelta(days=5))
        )
    client = world.client(viewer)
    page = client.get("/orders?delivery=late").text
    export = client.get("/orders.csv?delivery=late").text
    dashboard = client.get("/").text
    for text in (page, export, dashboard):
        assert theirs.number not in text and "Geheim Spät" not in text
    assert mine.number in page and mine.number in export


def test_the_tokens_page_shows_no_other_organizations_token_nor_its_roles(world: WebWorld) -> None:
    from portal.partners import service as partners

    with world.scene.uow() as uow:
        partners.issue_token(
            uow=uow,
            principal=world.scene.p("supplier-a", "admin"),
            organization_id=world.scene.orgs["supplier-a"].id,
            name="Geheimes ERP",
            roles={"admin"},
        )
    owner = world.client("owner").get("/admin/tokens", params={"lang": "en"}).text
    assert "Geheimes ERP" in owner and "Administrator" in owner.split("Geheimes ERP", 1)[1].split("</tr>")[0]
    other = world.client("supplier-b").get("/admin/tokens", params={"lang": "en"}).text
    assert "Geheimes ERP" not in other
    assert "Administrator</td>" not in other  # no token row of another organization, no role shown
