"""One function per action: for each kind of principal, the service accepts an action exactly when
its `can_*` function says so (the function the web and GraphQL use to show the action)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import permissions as may
from portal.cases import service as cases
from portal.customers import erasure
from portal.customers import service as customers
from portal.db import UnitOfWork
from portal.errors import PermissionDenied, PortalError
from portal.models import Contact, LineResponse
from portal.notify.webhooks import service as webhooks
from portal.orders import changes, review
from portal.orders import service as orders
from tests.builders import Scene, build_scene

PRINCIPALS = [
    ("owner", "admin"),
    ("owner", "sales"),
    ("owner", "support"),
    ("owner", "viewer"),
    ("dealer-group", "admin"),
    ("dealer-group", "member"),
    ("partner", "member"),
    ("supplier-a", "admin"),
    ("supplier-a", "member"),
]


def _denied(scene: Scene, action: Callable[[UnitOfWork], object]) -> bool:
    """Whether the service refuses the action for the role (other refusals: input, state)."""
    with scene.uow() as uow:
        try:
            action(uow)
        except PermissionDenied:
            return True
        except PortalError:
            return False
        finally:
            uow.session.rollback()
    return False


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


@pytest.mark.parametrize(("org", "role"), PRINCIPALS)
def test_services_enforce_the_functions_the_pages_show(scene: Scene, org: str, role: str) -> None:
    customer = scene.customer("Matrix AG", shared_with=("dealer-group", "partner"))
    order = scene.order(customer, dealer="dealer-group", supplier="supplier-a")
    with scene.uow() as uow:  # a change awaiting the buyer's review (issue #17)
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(2))],
        )
    with scene.factory() as session:
        contact_id = session.scalars(select(Contact.id).where(Contact.customer_id == customer.id)).one()
    p = scene.p(org, role)
    checks: dict[str, tuple[bool, Callable[[UnitOfWork], object]]] = {
        "create_order": (
            may.can_create_order(p),
            lambda uow: orders.create_order(
                uow=uow,
                principal=p,
                customer_id=customer.id,
                lines=[orders.NewOrderLine(product_id=scene.products[0].id, quantity=Decimal(1))],
            ),
        ),
        "route_order": (
            may.can_route_order(p),
            lambda uow: orders.route_order(
                uow=uow, principal=p, order_id=order.id, supplier_id=scene.orgs["supplier-b"].id
            ),
        ),
        "review_line_changes": (
            may.can_review_line_changes(p),
            lambda uow: review.review_line_changes(
                uow=uow, principal=p, order_id=order.id, decisions=[review.LineDecision(1, accept=True)]
            ),
        ),
        "set_tolerance": (
            may.can_manage_tolerances(p),
            lambda uow: review.set_tolerance(
                uow=uow,
                principal=p,
                organization_id=scene.orgs["supplier-a"].id,
                days=2,
                quantity_percent=Decimal(5),
            ),
        ),
        "open_case": (may.can_open_case(p), lambda uow: cases.open_case(uow=uow, principal=p, subject="x")),
        "share_customer": (
            may.can_share_customer(p),
            lambda uow: customers.share_customer(
                uow=uow, principal=p, customer_id=customer.id, organization_id=scene.orgs["dealer-other"].id
            ),
        ),
        "create_customer": (
            may.can_create_customer(p),
            lambda uow: customers.create_customer(uow=uow, principal=p, name="Neu", allow_duplicates=True),
        ),
        # A supplier does not see the customer master: those answer NotFound, not a refusal.
        "edit_customer": (
            may.can_edit_customer(p) or p.is_supplier,
            lambda uow: customers.update_customer(
                uow=uow, principal=p, customer_id=customer.id, fields=customers.CustomerFields(name="Neu")
            ),
        ),
        "edit_contact": (
            may.can_add_contact(p) or p.is_supplier,
            lambda uow: customers.update_contact(
                uow=uow, principal=p, contact_id=contact_id, last_name="Neu"
            ),
        ),
        "erase_contact": (
            may.can_erase_contact(p) or p.is_supplier,
            lambda uow: erasure.erase_contact(uow=uow, principal=p, contact_id=contact_id),
        ),
        "register_webhook": (
            may.can_manage_webhooks(p, p.org_id),
            lambda uow: webhooks.create_endpoint(
                uow, p, url="https://93.184.216.34/hook", event_kinds=["order.routed"]
            ),
        ),
    }
    if org != "partner":  # the partner does not see the order at all (the isolation suite: NotFound)
        checks["change_order"] = (
            may.can_change_order(p, order),
            lambda uow: changes.change_order(
                uow=uow, principal=p, order_id=order.id, changes=[changes.LineChange(2, quantity=Decimal(9))]
            ),
        )
    for name, (allowed, action) in checks.items():
        assert _denied(scene, action) == (not allowed), (name, org, role)


@pytest.mark.parametrize(("org", "role"), [(o, r) for o, r in PRINCIPALS if o in ("owner", "supplier-a")])
def test_invoice_services_enforce_the_functions_the_invoice_page_shows(
    scene: Scene, org: str, role: str
) -> None:
    """Among those who see a supplier invoice (the owner's staff and its supplier), the workflow's
    services refuse exactly what `can_review_invoice`, `can_record_payment`, `can_answer_invoice` deny."""
    from datetime import date

    from sqlalchemy import select

    from portal.invoicing import service as invoicing
    from portal.models import Invoice

    order = scene.order(scene.customer("Matrix AG"), supplier="supplier-a")
    scene.fulfil(order, "supplier-a")
    with scene.factory() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.order_id == order.id)).one()
    p = scene.p(org, role)
    checks: dict[str, tuple[bool, Callable[[UnitOfWork], object]]] = {
        "approve": (
            may.can_review_invoice(p),
            lambda uow: invoicing.approve_invoice(uow=uow, principal=p, invoice_id=invoice.id),
        ),
        "dispute": (
            may.can_review_invoice(p),
            lambda uow: invoicing.dispute_invoice(uow=uow, principal=p, invoice_id=invoice.id, reason="x"),
        ),
        "reject": (
            may.can_review_invoice(p),
            lambda uow: invoicing.reject_invoice(uow=uow, principal=p, invoice_id=invoice.id, reason="x"),
        ),
        "record_payment": (
            may.can_record_payment(p),
            lambda uow: invoicing.record_payment(
                uow=uow, principal=p, invoice_id=invoice.id, amount=Decimal(1), paid_on=date.today()
            ),
        ),
        "credit": (
            may.can_answer_invoice(p, invoice),
            lambda uow: invoicing.issue_credit_note(
                uow=uow,
                principal=p,
                invoice_id=invoice.id,
                credit=invoicing.Credit("GS", date.today(), Decimal(1)),
            ),
        ),
        "answer": (
            may.can_answer_invoice(p, invoice),
            lambda uow: invoicing.answer_dispute(uow=uow, principal=p, invoice_id=invoice.id, message="x"),
        ),
    }
    for name, (allowed, action) in checks.items():
        assert _denied(scene, action) == (not allowed), (name, org, role)
