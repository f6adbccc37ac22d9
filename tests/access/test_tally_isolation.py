"""The dashboard figures read from the tallies count only the viewer's orders and invoices: a dealer
its own (and its branches'), a supplier those routed to it; an organization tree that holds both a
dealer and a supplier (where the tallies would count an order twice) is counted from its rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from portal import stats
from portal.access import Principal, order_tally_scopes
from portal.cases import service as cases
from portal.models import CaseStatus, OpportunityStage, OrderStatus, OrgKind
from portal.opportunities import service as opportunities
from portal.opportunities.queries import forecast, stage_totals
from tests.builders import build_scene, principal_of


def test_dealer_and_supplier_figures_count_only_their_orders(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-branch", "dealer-other"))
    for _ in range(3):
        scene.order(customer, dealer="dealer-branch", supplier="supplier-a")
    other = scene.order(customer, dealer="dealer-other", supplier="supplier-b")
    scene.fulfil(other, "supplier-b")
    scene.order(customer)  # the owner's draft
    today = date.today()
    with factory() as session:
        group, branch, rival = (scene.p(s) for s in ("dealer-group", "dealer-branch", "dealer-other"))
        supplier_a, supplier_b = scene.p("supplier-a"), scene.p("supplier-b")
        awaiting = {OrderStatus.AWAITING_CONFIRMATION: 3}
        assert stats.orders_by_status(session, group) == awaiting  # its branch's orders
        assert stats.orders_by_status(session, branch) == awaiting
        assert stats.orders_by_status(session, rival) == {OrderStatus.INVOICED: 1}
        assert stats.orders_by_status(session, supplier_a) == awaiting
        assert stats.orders_by_status(session, scene.p("partner")) == {}
        assert stats.waiting_count(session, supplier_a) == 3 and stats.waiting_count(session, supplier_b) == 0
        assert stats.open_order_count(session, rival) == 0 and stats.open_order_count(session, group) == 3
        assert sum(w.count for w in stats.orders_per_week(session, rival, today=today)) == 1
        assert sum(w.count for w in stats.orders_per_week(session, scene.p("owner"), today=today)) == 5
        assert stats.open_invoices(session, supplier_a, today=today)[0] == 0
        assert stats.open_invoices(session, supplier_b, today=today)[0] == 1
        assert stats.open_invoices(session, scene.p("owner"), today=today)[0] == 1


def test_a_tree_of_dealer_and_supplier_is_counted_from_its_rows(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-branch",))
    scene.order(customer, dealer="dealer-branch", supplier="supplier-a")
    with factory() as session:
        plain = principal_of(session, scene.orgs["dealer-branch"])
        mixed = Principal(
            org_id=plain.org_id,
            org_kind=OrgKind.DEALER,
            org_ids=frozenset({scene.orgs["dealer-branch"].id, scene.orgs["supplier-a"].id}),
            roles=plain.roles,
        )
        assert order_tally_scopes(session, plain) is not None
        assert order_tally_scopes(session, mixed) is None
        # the tallies would say 2 (once as dealer, once as supplier); the rows say 1
        assert stats.orders_by_status(session, mixed) == {OrderStatus.AWAITING_CONFIRMATION: 1}
        assert stats.waiting_count(session, mixed) == 1


def test_case_figures_count_only_the_viewers_cases(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    now = datetime.now(UTC)
    with scene.uow() as uow:
        for routed in ("dealer-branch", "dealer-other", "dealer-other", "partner"):
            cases.open_case(
                uow=uow, principal=scene.p("owner"), subject=routed, routed_to_id=scene.orgs[routed].id
            )
    soon = now + timedelta(days=2)
    with factory() as session:
        for slug, mine in (("dealer-group", 1), ("dealer-branch", 1), ("dealer-other", 2), ("partner", 1)):
            p = scene.p(slug)
            assert stats.cases_by_status(session, p)[CaseStatus.OPEN] == mine, slug
            assert stats.near_sla_count(session, p, until=soon) == mine, slug
        assert sum(stats.cases_by_status(session, scene.p("supplier-a")).values()) == 0
        assert stats.near_sla_count(session, scene.p("owner"), until=soon) == 4


def test_pipeline_figures_count_only_the_viewers_opportunities(factory: sessionmaker[Session]) -> None:
    """The board's column heads and the forecast, read from the opportunity tallies: a dealer sums
    its own pipeline (a group its branches' too), never another dealer's; suppliers see none."""
    scene = build_scene(factory)
    close = date.today() + timedelta(days=10)
    sellers = (("dealer-branch", "100"), ("dealer-other", "7000"), ("owner", "50"))
    customers = {slug: scene.customer(shared_with=(slug,) if slug != "owner" else ()) for slug, _ in sellers}
    with scene.uow() as uow:
        for slug, amount in sellers:
            customer = customers[slug]
            opportunities.create_opportunity(
                uow=uow,
                principal=scene.p(slug),
                customer_id=customer.id,
                name=f"Angebot {slug}",
                expected_close=close,
                amount=Decimal(amount),
            )
    qualification = OpportunityStage.QUALIFICATION
    with factory() as session:
        for slug, mine in (
            ("dealer-branch", "100.00"),
            ("dealer-group", "100.00"),
            ("dealer-other", "7000.00"),
            ("owner", "7150.00"),
            ("supplier-a", "0.00"),
            ("partner", "0.00"),
        ):
            p = scene.p(slug)
            assert stage_totals(session, p)[qualification].amount == Decimal(mine), slug
            assert forecast(session, p, start=date.today())[0].amount == Decimal(mine), slug
