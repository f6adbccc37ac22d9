"""The case tallies (portal.models.case_tallies) give every case figure of the dashboards exactly
what its definition over the visible case rows gives, after every case service, for every kind of
viewer and at moments on both sides of a day boundary; a rebuild writes what the flushes kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal import stats
from portal.cases import service as cases
from portal.cases.service import CaseChanges
from portal.models import Case, CasePriority, CaseStatus, CaseTally
from portal.summaries import rebuild_case_tallies
from tests.builders import Scene, build_scene

VIEWERS = ("owner", "dealer-group", "dealer-branch", "dealer-other", "partner", "supplier-a")


def _moments(now: datetime) -> list[datetime]:
    midnight = datetime.combine(now.date(), datetime.min.time(), UTC)
    return [
        now - timedelta(days=40),
        now - timedelta(days=2),
        midnight - timedelta(seconds=1),
        midnight,
        now,
        now + timedelta(hours=3),
        now + timedelta(hours=8),
        midnight + timedelta(days=1, hours=2),
        now + timedelta(days=4),
    ]


def _assert_figures_match(scene: Scene, step: str) -> None:
    now = datetime.now(UTC)
    with scene.factory() as session:
        for slug in VIEWERS:
            p = scene.p(slug)
            where = f"{step}, {slug}"
            assert stats.cases_by_status(session, p) == stats.cases_by_status_definition(session, p), where
            for moment in _moments(now):
                near = stats.near_sla_count(session, p, until=moment)
                assert near == stats.near_sla_count_definition(session, p, until=moment), (where, moment)
                compliance = stats.sla_compliance(session, p, since=moment)
                assert compliance == stats.sla_compliance_definition(session, p, since=moment), (
                    where,
                    moment,
                )
        owner = scene.p("owner")
        assert stats.by_partner(session, owner) == stats.by_partner_definition(session, owner), step


def test_every_case_service_keeps_each_case_figure_equal_to_its_definition(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-branch", "dealer-other"))
    now = datetime.now(UTC)
    owner = scene.p("owner")
    made: list[Case] = []
    with scene.uow() as uow:
        for n, (routed, priority, age) in enumerate(
            [
                ("dealer-branch", CasePriority.URGENT, timedelta(hours=1)),  # due in 3 h
                ("dealer-group", CasePriority.NORMAL, timedelta(hours=20)),  # due in 4 h
                ("dealer-other", CasePriority.LOW, timedelta(days=5)),  # overdue
                ("partner", CasePriority.HIGH, timedelta(minutes=5)),
                (None, CasePriority.NORMAL, timedelta(days=1, hours=1)),  # in-house, overdue
            ]
        ):
            made.append(
                cases.open_case(
                    uow=uow,
                    principal=owner,
                    subject=f"Fall {n}",
                    customer_id=customer.id,
                    priority=priority,
                    routed_to_id=scene.orgs[routed].id if routed else None,
                    now=now - age,
                )
            )
    _assert_figures_match(scene, "opened by the owner")
    with scene.uow() as uow:
        mine = cases.open_case(uow=uow, principal=scene.p("dealer-branch"), subject="Vom Händler")
    _assert_figures_match(scene, "opened by a dealer branch")

    steps: list[tuple[str, str, int, str]] = [
        ("dealer-branch", "start", made[0].id, "started"),
        ("dealer-other", "resolve", made[2].id, "resolved late"),
        ("partner", "wait", made[3].id, "waiting"),
        ("dealer-branch", "resolve", made[0].id, "resolved in time"),
        ("owner", "close", made[2].id, "closed"),
        ("owner", "reopen", made[0].id, "reopened"),
        ("owner", "resolve", mine.id, "the dealer's own case resolved"),
    ]
    for slug, action, case_id, step in steps:
        with scene.uow() as uow:
            cases.change_status(uow=uow, principal=scene.p(slug), case_id=case_id, action=action)
        _assert_figures_match(scene, step)
    with scene.uow() as uow:
        cases.route_case(
            uow=uow, principal=owner, case_id=made[1].id, organization_id=scene.orgs["partner"].id
        )
    _assert_figures_match(scene, "re-routed from the dealer group to the partner")
    with scene.uow() as uow:
        cases.route_case(uow=uow, principal=owner, case_id=made[3].id, organization_id=None)
    _assert_figures_match(scene, "taken in-house")
    with scene.uow() as uow:
        cases.update_case(
            uow=uow, principal=owner, case_id=made[4].id, changes=CaseChanges(priority=CasePriority.LOW)
        )
    _assert_figures_match(scene, "priority lowered: a later SLA end")

    with scene.factory() as session:
        dealer = scene.p("dealer-group")
        assert sum(stats.cases_by_status(session, dealer).values()) == 2  # its branch's two cases
        assert stats.cases_by_status(session, scene.p("supplier-a")) == dict.fromkeys(CaseStatus, 0)
        kept = _nonzero(session)
    with scene.factory.begin() as session:
        rebuild_case_tallies(session.connection())
    with scene.factory() as session:
        assert _nonzero(session) == kept


def _nonzero(session: Session) -> set[tuple[object, ...]]:
    rows = session.execute(select(CaseTally).where(CaseTally.n != 0)).scalars()
    return {(r.routed_to_id, r.opened_by_org_id, r.kind, r.day, r.key, r.n) for r in rows}


def test_a_case_within_one_viewers_tree_twice_is_counted_once(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    now = datetime.now(UTC)
    with scene.uow() as uow:  # opened by the branch, routed to its group: both in the group's tree
        uow.session.add(
            Case(
                number="C-900001",
                subject="Beide",
                priority=CasePriority.NORMAL,
                routed_to_id=scene.orgs["dealer-group"].id,
                opened_by_org_id=scene.orgs["dealer-branch"].id,
                sla_due_at=now + timedelta(hours=2),
                created_at=now,
            )
        )
    with scene.factory() as session:
        group = scene.p("dealer-group")
        assert stats.cases_by_status(session, group)[CaseStatus.OPEN] == 1
        assert stats.near_sla_count(session, group, until=now + timedelta(days=1)) == 1
        assert stats.near_sla_count(session, scene.p("dealer-other"), until=now + timedelta(days=1)) == 0


def test_a_bulk_statement_on_cases_is_refused(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    with scene.uow() as uow:
        cases.open_case(uow=uow, principal=scene.p("owner"), subject="Eins")
    with scene.factory() as session, pytest.raises(RuntimeError, match="portal stats rebuild"):
        session.execute(update(Case).values(status=CaseStatus.CLOSED))
