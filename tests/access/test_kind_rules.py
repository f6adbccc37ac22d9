"""The order, shipment and invoice rules test only the column of the organization's kind (issue
#15: a dealer's orders by dealer_id, a supplier's by supplier_id), for organization trees whose
children are of any kind, and for partner organizations that sell."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, sessionmaker

from portal.access import rule_for, visible, visible_ids
from portal.errors import InvalidInput
from portal.models import Invoice, Order, Organization, OrgKind, Shipment
from portal.orders import service as orders
from tests.builders import Scene, build_scene


def _sql(scene: Scene, slug: str, model: type) -> str:
    return str(rule_for(scene.p(slug), model).compile(dialect=postgresql.dialect()))


def _add_org(scene: Scene, slug: str, kind: OrgKind, parent: str) -> None:
    with scene.uow() as uow:
        org = Organization(slug=slug, name=slug.title(), kind=kind, parent_id=scene.orgs[parent].id)
        uow.session.add(org)
        uow.flush()
        scene.orgs[slug] = org


def test_a_dealers_rules_read_the_dealer_column_and_a_suppliers_the_supplier_column(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    for slug in ("dealer-group", "partner"):
        assert "dealer_id" in _sql(scene, slug, Order) and "supplier_id" not in _sql(scene, slug, Order)
        shipments = _sql(scene, slug, Shipment)
        assert (
            "EXISTS" in shipments
            and "shipments.supplier_id" not in shipments
            and " IN (SELECT" not in shipments
        )
        assert _sql(scene, slug, Invoice) == "false"
    supplier = _sql(scene, "supplier-a", Order)
    assert "supplier_id" in supplier and "dealer_id" not in supplier
    assert "EXISTS" not in _sql(scene, "supplier-a", Shipment)


def test_a_dealer_group_sees_its_branches_orders_and_a_partner_its_own(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-group", "dealer-branch", "dealer-other", "partner"))
    branch = scene.order(customer, by="dealer-branch", supplier="supplier-a")
    other = scene.order(customer, by="dealer-other", supplier="supplier-b")
    partner = scene.order(customer, by="partner", supplier="supplier-a")
    scene.fulfil(branch, "supplier-a")
    scene.fulfil(other, "supplier-b")
    with factory() as session:
        ids = {slug: visible_ids(session, scene.p(slug), Order) for slug in scene.orgs if slug != "owner"}
        shipments = {
            slug: visible_ids(session, scene.p(slug), Shipment) for slug in ("dealer-group", "supplier-a")
        }
        branch_shipments = set(session.scalars(select(Shipment.id).where(Shipment.order_id == branch.id)))
    assert ids["dealer-group"] == {branch.id} == ids["dealer-branch"]
    assert ids["dealer-other"] == {other.id}
    assert ids["partner"] == {partner.id}
    assert ids["supplier-a"] == {branch.id, partner.id} and ids["supplier-b"] == {other.id}
    assert shipments["dealer-group"] == branch_shipments == shipments["supplier-a"] and branch_shipments


def test_a_tree_of_mixed_kinds_sees_what_each_of_its_organizations_sees(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    _add_org(scene, "group-supplier", OrgKind.SUPPLIER, "dealer-group")  # a supplier below a dealer
    _add_org(scene, "supplier-shop", OrgKind.DEALER, "supplier-b")  # a dealer below a supplier
    customer = scene.customer(shared_with=("dealer-group", "supplier-shop", "dealer-other"))
    routed_to_child = scene.order(customer, by="dealer-other", supplier="group-supplier")
    sold_by_child = scene.order(customer, by="supplier-shop", supplier="supplier-a")
    own = scene.order(customer, by="dealer-group", supplier="supplier-b")
    scene.fulfil(routed_to_child, "group-supplier")
    group, supplier_b = scene.p("dealer-group"), scene.p("supplier-b")
    assert group.supplier_ids == {scene.orgs["group-supplier"].id}
    assert supplier_b.supplier_ids == {scene.orgs["supplier-b"].id}
    with factory() as session:
        assert visible_ids(session, group, Order) == {routed_to_child.id, own.id}
        assert visible_ids(session, supplier_b, Order) == {sold_by_child.id, own.id}
        assert len(visible_ids(session, group, Invoice)) == 1  # the child supplier's invoice
        assert len(list(session.scalars(visible(group, Shipment)))) == 1
    # the dealer column never names a supplier, which is what lets the rules read one column each
    with pytest.raises(InvalidInput) as refused, scene.uow() as uow:
        orders.create_order(
            uow=uow,
            principal=group,
            customer_id=customer.id,
            lines=[orders.NewOrderLine(product_id=scene.products[0].id, quantity=Decimal(1))],
            dealer_id=scene.orgs["group-supplier"].id,
        )
    assert refused.value.field == "dealer"
