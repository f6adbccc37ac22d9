"""Which case fields an external organization may change (issue #12.10): see portal.access.permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.access.permissions import can_change_case_priority, can_edit_case_text
from portal.cases import service as cases
from portal.errors import PermissionDenied
from portal.models import Case, CasePriority, Event
from tests.builders import Scene, build_scene


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def _routed_case(scene: Scene, *, opened_by: str = "owner") -> int:
    with scene.uow() as uow:
        case = cases.open_case(
            uow=uow, principal=scene.p(opened_by), subject="Pumpe defekt", priority=CasePriority.LOW
        )
        if case.routed_to_id is None:
            cases.route_case(
                uow=uow, principal=scene.p("owner"), case_id=case.id, organization_id=scene.orgs["partner"].id
            )
        return case.id


def _events(scene: Scene, case_id: int) -> int:
    with scene.factory() as session:
        return int(
            session.scalar(select(func.count()).where(Event.entity == "case", Event.entity_id == case_id))
            or 0
        )


def test_the_partner_a_case_is_routed_to_may_not_move_its_own_sla_deadline(scene: Scene) -> None:
    case_id = _routed_case(scene)
    before = _events(scene, case_id)
    with pytest.raises(PermissionDenied, match="priority"), scene.uow() as uow:
        cases.update_case(
            uow=uow,
            principal=scene.p("partner"),
            case_id=case_id,
            changes=cases.CaseChanges(priority=CasePriority.URGENT),
        )
    with pytest.raises(PermissionDenied, match="subject"), scene.uow() as uow:
        cases.update_case(
            uow=uow,
            principal=scene.p("partner"),
            case_id=case_id,
            changes=cases.CaseChanges(subject="Nicht so schlimm"),
        )
    with scene.factory() as session:
        case = session.get_one(Case, case_id)
        assert (case.priority, case.subject) == (CasePriority.LOW, "Pumpe defekt")
    assert _events(scene, case_id) == before


def test_a_form_that_resends_unchanged_values_is_no_change(scene: Scene) -> None:
    """The web form posts every field; the partner's form may carry the current values."""
    case_id = _routed_case(scene)
    with scene.uow() as uow:
        cases.update_case(
            uow=uow,
            principal=scene.p("partner"),
            case_id=case_id,
            changes=cases.CaseChanges(subject="Pumpe defekt", description="", priority=CasePriority.LOW),
        )


def test_the_opener_edits_its_words_and_escalates_but_not_when_it_works_on_the_case(scene: Scene) -> None:
    case_id = _routed_case(scene, opened_by="dealer-group")
    with scene.uow() as uow:
        case = cases.update_case(
            uow=uow,
            principal=scene.p("dealer-group"),
            case_id=case_id,
            changes=cases.CaseChanges(subject="Pumpe 100 defekt", priority=CasePriority.URGENT),
        )
        assert (case.subject, case.priority) == ("Pumpe 100 defekt", CasePriority.URGENT)
    with scene.uow() as uow:  # the partner opens a case, and the owner hands it to the partner
        own = cases.open_case(uow=uow, principal=scene.p("partner"), subject="Ersatzteil fehlt")
        cases.route_case(
            uow=uow, principal=scene.p("owner"), case_id=own.id, organization_id=scene.orgs["partner"].id
        )
    with pytest.raises(PermissionDenied, match="priority"), scene.uow() as uow:
        cases.update_case(
            uow=uow,
            principal=scene.p("partner"),
            case_id=own.id,
            changes=cases.CaseChanges(priority=CasePriority.LOW),
        )
    with scene.uow() as uow:
        assert (
            cases.update_case(
                uow=uow,
                principal=scene.p("partner"),
                case_id=own.id,
                changes=cases.CaseChanges(subject="Ersatzteil 200 fehlt"),
            ).subject
            == "Ersatzteil 200 fehlt"
        )


def test_owner_staff_change_everything_and_the_permission_functions_agree(scene: Scene) -> None:
    case_id = _routed_case(scene)
    with scene.uow() as uow:
        case = cases.update_case(
            uow=uow,
            principal=scene.p("owner", "support"),
            case_id=case_id,
            changes=cases.CaseChanges(subject="Pumpe 100 defekt", priority=CasePriority.URGENT),
        )
        assert case.priority is CasePriority.URGENT
        assert can_change_case_priority(scene.p("owner", "support"), case)
        assert not can_change_case_priority(scene.p("partner"), case)
        assert not can_edit_case_text(scene.p("partner"), case)
        assert not can_edit_case_text(scene.p("owner", "viewer"), case)
        assert cases.status_actions(scene.p("partner"), case) == ["start", "wait", "resolve"]
        assert cases.status_actions(scene.p("owner"), case) == ["start", "wait", "resolve", "close"]
