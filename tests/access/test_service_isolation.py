"""Every service write and read on another organization's object answers exactly like a missing id
and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import Principal
from portal.activities import service as activities
from portal.cases import service as cases
from portal.customers import service as customers
from portal.errors import NotFound, PermissionDenied, PortalError
from portal.invoicing import service as invoicing
from portal.models import ActivityKind, Event, Invoice, LineResponse
from portal.orders import changes, fulfilment, review
from portal.orders import service as orders
from portal.partners import service as partners
from tests.builders import Scene, build_scene

START = datetime.now(UTC) + timedelta(days=1)

# name -> (entity the call looks up, call(uow, principal, id of that entity))
Call = Callable[[Any, Principal, int], object]
CALLS: dict[str, tuple[str, Call]] = {
    "add_contact": (
        "customer",
        lambda uow, p, i: customers.add_contact(
            uow=uow, principal=p, customer_id=i, first_name="X", last_name="Y"
        ),
    ),
    "contact_history": ("customer", lambda uow, p, i: customers.contact_history(uow.session, p, i)),
    "create_order": (
        "customer",
        lambda uow, p, i: orders.create_order(
            uow=uow, principal=p, customer_id=i, lines=[orders.NewOrderLine(sku="P-100", quantity=Decimal(1))]
        ),
    ),
    "respond_to_order": (
        "order",
        lambda uow, p, i: orders.respond_to_order(
            uow=uow, principal=p, order_id=i, answers=[orders.LineAnswer(1, LineResponse.ACCEPTED)]
        ),
    ),
    "change_order": (
        "order",
        lambda uow, p, i: changes.change_order(
            uow=uow, principal=p, order_id=i, changes=[changes.LineChange(1, quantity=Decimal(3))]
        ),
    ),
    "list_order_versions": ("order", lambda uow, p, i: changes.list_versions(uow, p, i)),
    "review_line_changes": (
        "order",
        lambda uow, p, i: review.review_line_changes(
            uow=uow, principal=p, order_id=i, decisions=[review.LineDecision(1, accept=True)]
        ),
    ),
    "set_tolerance": (
        "organization",
        lambda uow, p, i: review.set_tolerance(
            uow=uow, principal=p, organization_id=i, days=1, quantity_percent=Decimal(1)
        ),
    ),
    "cancel_order": ("order", lambda uow, p, i: orders.cancel_order(uow=uow, principal=p, order_id=i)),
    "record_shipment": (
        "order",
        lambda uow, p, i: fulfilment.record_shipment(
            uow=uow,
            principal=p,
            order_id=i,
            number="X",
            shipped_on=date.today(),
            lines=[fulfilment.ShipLine(1, Decimal(1))],
        ),
    ),
    "submit_invoice": (
        "order",
        lambda uow, p, i: fulfilment.submit_invoice(
            uow=uow,
            principal=p,
            order_id=i,
            number="X",
            issue_date=date.today(),
            lines=[fulfilment.BillLine(1, Decimal(1))],
        ),
    ),
    "approve_invoice": (
        "invoice",
        lambda uow, p, i: invoicing.approve_invoice(uow=uow, principal=p, invoice_id=i),
    ),
    "dispute_invoice": (
        "invoice",
        lambda uow, p, i: invoicing.dispute_invoice(uow=uow, principal=p, invoice_id=i, reason="x"),
    ),
    "reject_invoice": (
        "invoice",
        lambda uow, p, i: invoicing.reject_invoice(uow=uow, principal=p, invoice_id=i, reason="x"),
    ),
    "record_payment": (
        "invoice",
        lambda uow, p, i: invoicing.record_payment(
            uow=uow, principal=p, invoice_id=i, amount=Decimal(1), paid_on=date.today()
        ),
    ),
    "answer_dispute": (
        "invoice",
        lambda uow, p, i: invoicing.answer_dispute(uow=uow, principal=p, invoice_id=i, message="x"),
    ),
    "issue_credit_note": (
        "invoice",
        lambda uow, p, i: invoicing.issue_credit_note(
            uow=uow, principal=p, invoice_id=i, credit=invoicing.Credit("GS-X", date.today(), Decimal(1))
        ),
    ),
    "open_case_on_customer": (
        "customer",
        lambda uow, p, i: cases.open_case(uow=uow, principal=p, subject="s", customer_id=i),
    ),
    "open_case_on_order": (
        "order",
        lambda uow, p, i: cases.open_case(uow=uow, principal=p, subject="s", order_id=i),
    ),
    "update_case": (
        "case",
        lambda uow, p, i: cases.update_case(
            uow=uow, principal=p, case_id=i, changes=cases.CaseChanges(subject="x")
        ),
    ),
    "change_case_status": (
        "case",
        lambda uow, p, i: cases.change_status(uow=uow, principal=p, case_id=i, action="resolve"),
    ),
    "add_case_comment": (
        "case",
        lambda uow, p, i: cases.add_comment(uow=uow, principal=p, case_id=i, body="x"),
    ),
    "add_case_attachment": (
        "case",
        lambda uow, p, i: cases.add_attachment(
            uow=uow, principal=p, case_id=i, filename="a.txt", content_type="text/plain", data=b"x"
        ),
    ),
    "log_activity": (
        "customer",
        lambda uow, p, i: activities.log_activity(
            uow=uow, principal=p, customer_id=i, kind=ActivityKind.CALL, subject="x"
        ),
    ),
    "schedule_appointment": (
        "customer",
        lambda uow, p, i: activities.schedule_appointment(
            uow=uow,
            principal=p,
            customer_id=i,
            subject="x",
            starts_at=START,
            ends_at=START + timedelta(hours=1),
        ),
    ),
    "complete_task": (
        "activity",
        lambda uow, p, i: activities.complete_task(uow=uow, principal=p, activity_id=i),
    ),
    "add_user": (
        "organization",
        lambda uow, p, i: partners.add_user(
            uow=uow,
            principal=p,
            organization_id=i,
            email="new@example.com",
            name="N",
            password="lang-genug-1",
            roles={"member"},
        ),
    ),
    "issue_token": (
        "organization",
        lambda uow, p, i: partners.issue_token(uow=uow, principal=p, organization_id=i, name="t"),
    ),
    "revoke_token": ("API token", lambda uow, p, i: partners.revoke_token(uow=uow, principal=p, token_id=i)),
    "set_user_active": (
        "user",
        lambda uow, p, i: partners.set_user_active(uow=uow, principal=p, user_id=i, active=False),
    ),
}


@pytest.fixture
def world(factory: sessionmaker[Session]) -> tuple[Scene, dict[str, int]]:
    """Objects that belong to dealer-other / supplier-a; the probing principals are unrelated to them."""
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-other",))
    order = scene.order(customer, by="dealer-other", supplier="supplier-a")
    billed = scene.order(customer, by="dealer-other", supplier="supplier-a")
    scene.fulfil(billed, "supplier-a")
    with scene.uow() as uow:
        invoice = uow.session.scalars(select(Invoice).where(Invoice.order_id == billed.id)).one()
        case = cases.open_case(
            uow=uow, principal=scene.p("dealer-other"), subject="Pumpe defekt", customer_id=customer.id
        )
        task = activities.log_activity(
            uow=uow,
            principal=scene.p("dealer-other"),
            customer_id=customer.id,
            kind=ActivityKind.TASK,
            subject="Rückruf",
        )
        token = partners.issue_token(
            uow=uow, principal=scene.p("owner"), organization_id=scene.orgs["dealer-other"].id, name="erp"
        )
        user = partners.add_user(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["dealer-other"].id,
            email="colleague@dealer-other.example",
            name="Colleague",
            password="lang-genug-1",
            roles={"member"},
        )
    ids = {
        "customer": customer.id,
        "order": order.id,
        "invoice": invoice.id,
        "case": case.id,
        "activity": task.id,
        "organization": scene.orgs["dealer-other"].id,
        "API token": token.token.id,
        "user": user.id,
    }
    return scene, ids


@pytest.mark.parametrize("prober", ["dealer-group", "supplier-b", "partner"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_foreign_object_answers_like_a_missing_one_and_writes_nothing(
    world: tuple[Scene, dict[str, int]], name: str, prober: str
) -> None:
    scene, ids = world
    entity, call = CALLS[name]
    principal = scene.p(prober)
    with scene.factory() as session:
        events_before = session.scalar(select(func.count()).select_from(Event))
    with pytest.raises(PortalError) as hidden, scene.uow() as uow:
        call(uow, principal, ids[entity])
    with pytest.raises(PortalError) as missing, scene.uow() as uow:
        call(uow, principal, 9_999_999)
    # Either the call is refused for the principal's kind or role, whatever the id (nothing learnt),
    # or the foreign object is reported exactly like a missing one.
    assert type(hidden.value) is type(missing.value)
    assert hidden.value.message.replace(str(ids[entity]), "#") == missing.value.message.replace(
        "9999999", "#"
    )
    if isinstance(hidden.value, NotFound):
        assert hidden.value.message == f"{entity} {ids[entity]} not found"
    else:
        assert isinstance(hidden.value, PermissionDenied)
    with scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == events_before


def test_the_same_calls_succeed_for_the_owning_organization(world: tuple[Scene, dict[str, int]]) -> None:
    """Guards the test above: the probes fail for isolation, not because the calls are broken."""
    scene, ids = world
    with scene.uow() as uow:
        CALLS["add_contact"][1](uow, scene.p("dealer-other"), ids["customer"])
        CALLS["add_case_comment"][1](uow, scene.p("dealer-other"), ids["case"])
        CALLS["complete_task"][1](uow, scene.p("dealer-other"), ids["activity"])
        CALLS["respond_to_order"][1](uow, scene.p("supplier-a"), ids["order"])
        CALLS["set_user_active"][1](uow, scene.p("dealer-other"), ids["user"])
        CALLS["issue_credit_note"][1](uow, scene.p("supplier-a"), ids["invoice"])
        CALLS["dispute_invoice"][1](uow, scene.p("owner", "sales"), ids["invoice"])
        CALLS["answer_dispute"][1](uow, scene.p("supplier-a"), ids["invoice"])
        CALLS["approve_invoice"][1](uow, scene.p("owner", "sales"), ids["invoice"])
        CALLS["record_payment"][1](uow, scene.p("owner", "sales"), ids["invoice"])
        history = customers.contact_history(uow.session, scene.p("dealer-other"), ids["customer"])
    assert {entry.kind for entry in history} == {"activity", "order", "case"}
