"""Lead notifications (issue #18.2): the dealer a lead is offered to (while it is still offered to
it), marketing when a dealer declines, and, when the deadline passes, the dealer that let it pass
(on the leads list: the lead is no longer its to see) and marketing; never another dealer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from portal.leads import service as leads
from portal.leads.deadlines import route_overdue_leads
from portal.leads.territories import set_territory
from portal.models.base import utcnow
from portal.notify.notifier import notify_once
from portal.notify.rules import RULE_OF, link, title
from tests.builders import build_scene
from tests.notify.people import add_user, as_user
from tests.notify.test_notifier import inbox as full_inbox


def inbox(factory: sessionmaker[Session], user_id: int) -> list[tuple[str, str, int]]:
    return [entry for entry in full_inbox(factory, user_id) if entry[0].startswith("lead_")]


def test_offered_declined_and_expired_leads_tell_the_right_people(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    branch = add_user(scene, "dealer-branch", "member")
    other = add_user(scene, "dealer-other", "member")
    partner = add_user(scene, "partner", "member")
    marketing = add_user(scene, "owner", "sales")
    support = add_user(scene, "owner", "support")
    with scene.uow() as uow:
        for slug in ("dealer-branch", "dealer-other"):
            set_territory(
                uow=uow,
                principal=scene.p("owner", "admin"),
                organization_id=scene.orgs[slug].id,
                postal_ranges="DE 20000-22999" if slug == "dealer-branch" else "DE 20000-20999",
                regions="",
                capacity=5,
            )
    with scene.uow() as uow:
        ident = leads.create_lead(
            uow=uow,
            principal=as_user(scene, marketing),
            values=leads.LeadFields(company="Kühlhaus", postal_code="20095"),
        ).id
        first = leads.load_lead(uow, scene.p("owner"), ident).dealer_id
    first_user, second_user = (branch, other) if first == scene.orgs["dealer-branch"].id else (other, branch)
    first_slug = "dealer-branch" if first_user == branch else "dealer-other"
    with scene.uow() as uow:
        leads.decline_lead(
            uow=uow, principal=as_user(scene, first_user), lead_id=ident, reason="Kein Personal"
        )
    route_overdue_leads(factory, now=utcnow() + timedelta(hours=49))  # the second lets it pass
    notify_once(factory, now=utcnow() + timedelta(hours=49))
    declined = ("lead_declined", "lead", ident)
    assert inbox(factory, first_user) == []  # offered, then declined: no longer its to be told of
    assert inbox(factory, second_user) == [("lead_expired", "leads", ident)]  # not the offer: gone now
    assert inbox(factory, marketing) == [declined, ("lead_expired", "lead", ident)]  # it created it
    assert inbox(factory, support) == [] and inbox(factory, partner) == []
    assert first_slug  # both dealers had it: the lead waits in the queue
    with scene.uow() as uow:
        assert leads.load_lead(uow, scene.p("owner"), ident).dealer_id is None
    notify_once(factory, now=utcnow() + timedelta(hours=49))  # again: nothing twice
    assert len(inbox(factory, marketing)) == 2


def test_a_dealer_is_told_of_a_lead_still_offered_to_it(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    branch = add_user(scene, "dealer-branch", "member")
    group = add_user(scene, "dealer-group", "admin")
    with scene.uow() as uow:
        set_territory(
            uow=uow,
            principal=scene.p("owner", "admin"),
            organization_id=scene.orgs["dealer-branch"].id,
            postal_ranges="DE 2",
            regions="",
            capacity=5,
        )
        ident = leads.create_lead(
            uow=uow,
            principal=scene.p("owner", "sales"),
            values=leads.LeadFields(company="X", postal_code="21073"),
        ).id
    notify_once(factory, now=utcnow() + timedelta(minutes=5))
    assert inbox(factory, branch) == [("lead_offered", "lead", ident)]
    assert inbox(factory, group) == [("lead_offered", "lead", ident)]  # the group sees its branch's


def test_titles_and_links() -> None:
    assert title("lead_declined", {"number": "LD-000001", "reason": "zu weit"}, lambda s: s) == (
        "A dealer declined lead LD-000001: zu weit"
    )
    assert link("lead", 7, {}) == "/leads/7" and link("leads", 7, {}) == "/leads"
    assert {"lead_offered", "lead_declined", "lead_expired"} <= set(RULE_OF)
