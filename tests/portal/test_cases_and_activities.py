from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import visible
from portal.activities import service as activities
from portal.cases import service as cases
from portal.customers import service as customers
from portal.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from portal.models import (
    ActivityKind,
    CaseAttachment,
    CaseComment,
    CasePriority,
    CaseStatus,
    CustomerAssignment,
)
from tests.builders import Scene, build_scene

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def test_sla_due_time_follows_priority(scene: Scene) -> None:
    with scene.uow() as uow:
        urgent = cases.open_case(
            uow=uow, principal=scene.p("owner"), subject="Ausfall", now=NOW, priority=CasePriority.URGENT
        )
        low = cases.open_case(
            uow=uow, principal=scene.p("owner"), subject="Frage", now=NOW, priority=CasePriority.LOW
        )
        assert urgent.sla_due_at == NOW + timedelta(hours=4)
        assert low.sla_due_at == NOW + timedelta(hours=72)
        changed = cases.update_case(
            uow=uow,
            principal=scene.p("owner"),
            case_id=low.id,
            changes=cases.CaseChanges(priority=CasePriority.HIGH),
        )
        assert changed.sla_due_at == NOW + timedelta(hours=8)


def test_routed_partner_sees_case_but_not_internal_comments(scene: Scene) -> None:
    with scene.uow() as uow:
        case = cases.open_case(
            uow=uow, principal=scene.p("owner"), subject="Heizung kalt", routed_to_id=scene.orgs["partner"].id
        )
        cases.add_comment(
            uow=uow, principal=scene.p("owner"), case_id=case.id, body="Kunde ist schwierig", internal=True
        )
        cases.add_comment(uow=uow, principal=scene.p("owner"), case_id=case.id, body="Bitte Termin machen")
        cases.add_attachment(
            uow=uow,
            principal=scene.p("owner"),
            case_id=case.id,
            filename="intern.txt",
            content_type="text/plain",
            data=b"geheim",
            internal=True,
        )
    with scene.factory() as session:
        partner = scene.p("partner")
        bodies = [c.body for c in session.scalars(visible(partner, CaseComment))]
        assert bodies == ["Bitte Termin machen"]
        assert session.scalars(visible(partner, CaseAttachment)).all() == []
        owner_bodies = {c.body for c in session.scalars(visible(scene.p("owner"), CaseComment))}
        assert owner_bodies == {"Kunde ist schwierig", "Bitte Termin machen"}
    with pytest.raises(PermissionDenied, match="internal"), scene.uow() as uow:
        cases.add_comment(uow=uow, principal=scene.p("partner"), case_id=case.id, body="x", internal=True)


def test_rerouting_removes_access_of_the_previous_partner(scene: Scene) -> None:
    with scene.uow() as uow:
        case = cases.open_case(
            uow=uow, principal=scene.p("owner"), subject="S", routed_to_id=scene.orgs["partner"].id
        )
        cases.route_case(
            uow=uow, principal=scene.p("owner"), case_id=case.id, organization_id=scene.orgs["supplier-a"].id
        )
    with pytest.raises(NotFound), scene.uow() as uow:
        cases.add_comment(uow=uow, principal=scene.p("partner"), case_id=case.id, body="noch da?")
    with scene.uow() as uow:
        assert cases.add_comment(uow=uow, principal=scene.p("supplier-a"), case_id=case.id, body="ok").id


def test_case_lifecycle_and_illegal_transition(scene: Scene) -> None:
    with scene.uow() as uow:
        case = cases.open_case(uow=uow, principal=scene.p("dealer-other"), subject="Defekt")
        for action, status in [
            ("start", CaseStatus.IN_PROGRESS),
            ("resolve", CaseStatus.RESOLVED),
            ("close", CaseStatus.CLOSED),
            ("reopen", CaseStatus.OPEN),
        ]:
            assert (
                cases.change_status(
                    uow=uow, principal=scene.p("owner"), case_id=case.id, action=action
                ).status
                is status
            )
        cases.change_status(uow=uow, principal=scene.p("owner"), case_id=case.id, action="close")
    with pytest.raises(InvalidState, match="cannot resolve case in state 'closed'"), scene.uow() as uow:
        cases.change_status(uow=uow, principal=scene.p("owner"), case_id=case.id, action="resolve")
    with pytest.raises(InvalidState, match="cannot comment on case in state 'closed'"), scene.uow() as uow:
        cases.add_comment(uow=uow, principal=scene.p("dealer-other"), case_id=case.id, body="x")


def test_attachment_checks_type_and_size(scene: Scene) -> None:
    with scene.uow() as uow:
        case = cases.open_case(uow=uow, principal=scene.p("owner"), subject="S")
    with pytest.raises(InvalidInput, match="application/x-msdownload"), scene.uow() as uow:
        cases.add_attachment(
            uow=uow,
            principal=scene.p("owner"),
            case_id=case.id,
            filename="a.exe",
            content_type="application/x-msdownload",
            data=b"MZ",
        )
    with pytest.raises(InvalidInput, match="limit is 4"), scene.uow() as uow:
        cases.add_attachment(
            uow=uow,
            principal=scene.p("owner"),
            case_id=case.id,
            filename="a.txt",
            content_type="text/plain",
            data=b"12345",
            max_bytes=4,
        )
    with scene.uow() as uow:
        stored = cases.add_attachment(
            uow=uow,
            principal=scene.p("owner"),
            case_id=case.id,
            filename="../../etc/passwd",
            content_type="text/plain",
            data=b"ok",
        )
        assert stored.filename == "passwd" and stored.size == 2


def test_appointment_needs_end_after_start(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-other",))
    start = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(InvalidInput) as err, scene.uow() as uow:
        activities.schedule_appointment(
            uow=uow,
            principal=scene.p("dealer-other"),
            customer_id=customer.id,
            subject="Termin",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
        )
    assert err.value.field == "ends_at"
    with pytest.raises(InvalidInput, match="time zone"), scene.uow() as uow:
        activities.schedule_appointment(
            uow=uow,
            principal=scene.p("dealer-other"),
            customer_id=customer.id,
            subject="Termin",
            starts_at=start.replace(tzinfo=None),
            ends_at=start.replace(tzinfo=None) + timedelta(hours=1),
        )


def test_dealer_sees_own_and_owner_activities_but_not_other_dealers(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-other", "dealer-group"))
    with scene.uow() as uow:
        for slug in ("dealer-other", "dealer-group", "owner"):
            activities.log_activity(
                uow=uow,
                principal=scene.p(slug),
                customer_id=customer.id,
                kind=ActivityKind.CALL,
                subject=f"Anruf {slug}",
            )
    with scene.factory() as session:
        history = customers.contact_history(session, scene.p("dealer-other"), customer.id)
        titles = {entry.title for entry in history}
    assert titles == {"call: Anruf dealer-other", "call: Anruf owner"}


def test_unsharing_hides_the_customer_again(scene: Scene) -> None:
    customer = scene.customer(shared_with=("partner",))
    with scene.uow() as uow:
        customers.unshare_customer(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            organization_id=scene.orgs["partner"].id,
        )
    with pytest.raises(NotFound), scene.factory() as session:
        customers.contact_history(session, scene.p("partner"), customer.id)


def test_customers_are_shared_with_dealers_and_partners_only(scene: Scene) -> None:
    customer = scene.customer()
    with pytest.raises(InvalidInput, match="not a supplier"), scene.uow() as uow:
        customers.share_customer(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            organization_id=scene.orgs["supplier-a"].id,
        )
    with pytest.raises(PermissionDenied), scene.uow() as uow:
        customers.share_customer(
            uow=uow,
            principal=scene.p("dealer-other"),
            customer_id=customer.id,
            organization_id=scene.orgs["dealer-other"].id,
        )
    with scene.factory() as session:
        assert session.scalars(select(CustomerAssignment)).all() == []
