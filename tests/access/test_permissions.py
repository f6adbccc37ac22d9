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
from portal.models import Contact
from portal.notify.webhooks import service as webhooks
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
    for name, (allowed, action) in checks.items():
        assert _denied(scene, action) == (not allowed), (name, org, role)
