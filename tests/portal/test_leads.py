"""Leads and their distribution (issue #18.2): territories, capacity, ties, the answer deadline
routed on by the worker (idempotent), decline and accept, races, and conversion."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied, PossibleDuplicates
from portal.leads import service as leads
from portal.leads.deadlines import route_overdue_leads
from portal.leads.territories import parse_range, set_territory
from portal.models import (
    Customer,
    CustomerAssignment,
    Event,
    Lead,
    LeadOffer,
    LeadStatus,
    OfferOutcome,
    Opportunity,
    OpportunityStage,
)
from portal.models.base import utcnow
from tests.builders import Scene, build_scene

SOON = date.today() + timedelta(days=30)


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    scene = build_scene(factory)
    territory(scene, "dealer-branch", "DE 20000-22999", capacity=2)
    territory(scene, "dealer-other", "DE 20000-20999\nDE 80000-81999", capacity=5)
    return scene


def territory(scene: Scene, slug: str, ranges: str, *, capacity: int = 10, regions: str = "") -> None:
    with scene.uow() as uow:
        set_territory(
            uow=uow,
            principal=scene.p("owner", "admin"),
            organization_id=scene.orgs[slug].id,
            postal_ranges=ranges,
            regions=regions,
            capacity=capacity,
        )


def new_lead(
    scene: Scene, postal_code: str = "21073", company: str = "Hafen Kälte GmbH", **kw: object
) -> int:
    with scene.uow() as uow:
        lead = leads.create_lead(
            uow=uow,
            principal=scene.p("owner", "sales"),
            values=leads.LeadFields(
                company=company,
                contact_name="Jana Voss",
                postal_code=postal_code,
                city="Hamburg",
                **kw,  # type: ignore[arg-type]
            ),
        )
        return lead.id


def lead_of(scene: Scene, ident: int) -> Lead:
    with scene.uow() as uow:
        lead = leads.load_lead(uow, scene.p("owner"), ident)
        uow.session.expunge(lead)
        return lead


def test_ranges_are_country_aware_and_compare_by_leading_characters() -> None:
    hamburg = parse_range("DE 20000-22999")
    assert hamburg.covers("DE", "21073") and hamburg.covers("de", "20000") and hamburg.covers("DE", "22999")
    assert not hamburg.covers("DE", "23000") and not hamburg.covers("AT", "2100")
    assert parse_range("20-22").covers("DE", "22999")  # a prefix range; Germany by default
    assert parse_range("NL 1011").covers("NL", "1011 AB")
    with pytest.raises(InvalidInput):
        parse_range("DE 22999-20000")


def test_a_new_lead_goes_to_the_covering_dealer_with_fewest_open_leads(scene: Scene) -> None:
    first = lead_of(scene, new_lead(scene, "20095"))  # both cover 20095; tie: neither has one yet
    second = lead_of(scene, new_lead(scene, "20095"))  # the other one now has fewer open leads
    assert first.status is LeadStatus.OFFERED and second.status is LeadStatus.OFFERED
    assert {first.dealer_id, second.dealer_id} == {
        scene.orgs["dealer-branch"].id,
        scene.orgs["dealer-other"].id,
    }
    assert first.answer_due_at is not None and first.offered_at is not None
    assert first.answer_due_at - first.offered_at == timedelta(hours=48)
    only_branch = lead_of(scene, new_lead(scene, "22041"))
    assert only_branch.dealer_id == scene.orgs["dealer-branch"].id


def test_a_dealer_at_capacity_gets_no_more_and_a_lead_nobody_covers_waits_in_the_queue(scene: Scene) -> None:
    for _ in range(2):
        new_lead(scene, "22041")  # the branch's capacity: 2
    waiting = lead_of(scene, new_lead(scene, "22041"))
    assert waiting.status is LeadStatus.NEW and waiting.dealer_id is None
    nowhere = lead_of(scene, new_lead(scene, "50667"))
    assert nowhere.status is LeadStatus.NEW and nowhere.dealer_id is None


def test_a_declined_lead_goes_on_to_a_dealer_that_has_not_had_it_and_then_to_the_queue(scene: Scene) -> None:
    ident = new_lead(scene, "20095")
    first = lead_of(scene, ident).dealer_id
    slug = next(s for s, o in scene.orgs.items() if o.id == first)
    with scene.uow() as uow:
        leads.decline_lead(uow=uow, principal=scene.p(slug), lead_id=ident, reason="Keine Kapazität")
    second = lead_of(scene, ident)
    assert second.status is LeadStatus.OFFERED and second.dealer_id not in (None, first)
    with scene.uow() as uow, pytest.raises(NotFound):  # it left the first dealer: hidden as missing
        leads.load_lead(uow, scene.p(slug), ident)
    other = next(s for s, o in scene.orgs.items() if o.id == second.dealer_id)
    with scene.uow() as uow:
        leads.decline_lead(uow=uow, principal=scene.p(other), lead_id=ident, reason="Zu weit weg")
    back = lead_of(scene, ident)
    assert back.status is LeadStatus.DECLINED and back.dealer_id is None
    with scene.uow() as uow:
        history = leads.offers_of(uow, scene.p("owner"), ident)
        assert [(o.outcome, o.reason) for o in history] == [
            (OfferOutcome.DECLINED, "Keine Kapazität"),
            (OfferOutcome.DECLINED, "Zu weit weg"),
        ]
        # a dealer sees its own offers of a lead it sees, never another dealer's
        assert leads.offers_of(uow, scene.p(slug), ident) == []


def test_declining_needs_a_reason_and_only_the_dealer_answers(scene: Scene) -> None:
    ident = new_lead(scene, "22041")
    with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
        leads.decline_lead(uow=uow, principal=scene.p("dealer-branch"), lead_id=ident, reason=" ")
    assert bad.value.field == "reason"
    with scene.uow() as uow, pytest.raises(NotFound):
        leads.accept_lead(uow=uow, principal=scene.p("dealer-other"), lead_id=ident)
    with scene.uow() as uow, pytest.raises(PermissionDenied):
        leads.accept_lead(uow=uow, principal=scene.p("owner", "sales"), lead_id=ident)
    with scene.uow() as uow, pytest.raises(PermissionDenied):
        leads.accept_lead(uow=uow, principal=scene.p("dealer-branch", "viewer"), lead_id=ident)
    with scene.uow() as uow:  # the group above the branch answers for it
        assert leads.accept_lead(uow=uow, principal=scene.p("dealer-group"), lead_id=ident).status is (
            LeadStatus.ACCEPTED
        )


def test_dealers_and_viewers_may_not_create_leads(scene: Scene) -> None:
    for principal in (scene.p("dealer-branch"), scene.p("owner", "viewer"), scene.p("owner", "support")):
        with scene.uow() as uow, pytest.raises(PermissionDenied):
            leads.create_lead(uow=uow, principal=principal, values=leads.LeadFields(company="X"))


def test_the_worker_routes_an_overdue_lead_on_once(scene: Scene, factory: sessionmaker[Session]) -> None:
    ident = new_lead(scene, "20095")
    first = lead_of(scene, ident).dealer_id
    later = utcnow() + timedelta(hours=49)
    assert route_overdue_leads(factory, now=utcnow()) == 0  # not due yet
    assert route_overdue_leads(factory, now=later) == 1
    assert route_overdue_leads(factory, now=later) == 0  # again: nothing twice
    moved = lead_of(scene, ident)
    assert moved.dealer_id not in (None, first) and moved.status is LeadStatus.OFFERED
    with factory() as session:
        kinds = list(session.scalars(select(Event.kind).where(Event.entity == "lead").order_by(Event.id)))
        assert kinds.count("lead.expired") == 1
        outcomes = list(
            session.scalars(
                select(LeadOffer.outcome).where(LeadOffer.lead_id == ident).order_by(LeadOffer.id)
            )
        )
        assert outcomes == [OfferOutcome.EXPIRED, None]


def test_a_dealer_cannot_answer_after_the_deadline(scene: Scene, factory: sessionmaker[Session]) -> None:
    ident = new_lead(scene, "22041")
    with factory() as session:
        lead = session.get_one(Lead, ident)
        lead.answer_due_at = utcnow() - timedelta(minutes=1)
        session.commit()
    with scene.uow() as uow, pytest.raises(InvalidState):
        leads.accept_lead(uow=uow, principal=scene.p("dealer-branch"), lead_id=ident)


def test_decline_against_expiry_one_wins(scene: Scene, factory: sessionmaker[Session]) -> None:
    """The dealer saw version 1; the worker routed the lead on meanwhile: the late decline is told
    the lead changed (nothing of it is kept), and the lead is where the worker put it."""
    ident = new_lead(scene, "22041")
    version = lead_of(scene, ident).version
    route_overdue_leads(factory, now=utcnow() + timedelta(hours=49))
    with scene.uow() as uow, pytest.raises((NotFound, Conflict, InvalidState)):
        leads.decline_lead(
            uow=uow,
            principal=scene.p("dealer-branch"),
            lead_id=ident,
            reason="zu spät",
            expected_version=version,
        )
    with factory() as session:
        outcomes = list(session.scalars(select(LeadOffer.outcome).where(LeadOffer.lead_id == ident)))
        assert outcomes == [OfferOutcome.EXPIRED]


def test_two_users_of_the_dealer_answering_at_once_one_wins(scene: Scene, engine: Engine) -> None:
    ident = new_lead(scene, "22041")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(accept: bool) -> None:
        try:
            with scene.uow() as uow:
                version = leads.load_lead(uow, scene.p("dealer-branch"), ident).version
                barrier.wait(timeout=10)
                if accept:
                    leads.accept_lead(
                        uow=uow, principal=scene.p("dealer-branch"), lead_id=ident, expected_version=version
                    )
                else:
                    leads.decline_lead(
                        uow=uow,
                        principal=scene.p("dealer-branch"),
                        lead_id=ident,
                        reason="nein",
                        expected_version=version,
                    )
            outcomes.append("ok")
        except (Conflict, InvalidState, NotFound):
            outcomes.append("lost")

    threads = [threading.Thread(target=answer, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["lost", "ok"], outcomes
    with scene.uow() as uow:
        closed = leads.offers_of(uow, scene.p("owner"), ident)
        assert len([o for o in closed if o.outcome is not None]) == 1


def test_marketing_reassigns_by_hand_and_disqualifies(scene: Scene) -> None:
    ident = new_lead(scene, "50667")  # nobody covers it
    with scene.uow() as uow:
        leads.reassign_lead(
            uow=uow,
            principal=scene.p("owner", "sales"),
            lead_id=ident,
            dealer_id=scene.orgs["dealer-other"].id,
        )
    assert lead_of(scene, ident).dealer_id == scene.orgs["dealer-other"].id
    with scene.uow() as uow:
        leads.disqualify_lead(uow=uow, principal=scene.p("owner", "sales"), lead_id=ident, reason="Dublette")
    gone = lead_of(scene, ident)
    assert gone.status is LeadStatus.DISQUALIFIED and gone.dealer_id is None
    with scene.uow() as uow:
        assert [o.outcome for o in leads.offers_of(uow, scene.p("owner"), ident)] == [OfferOutcome.WITHDRAWN]
    with scene.uow() as uow, pytest.raises(InvalidState):
        leads.reassign_lead(uow=uow, principal=scene.p("owner", "sales"), lead_id=ident, dealer_id=None)


def _accepted(scene: Scene, **kw: object) -> int:
    ident = new_lead(scene, "22041", **kw)
    with scene.uow() as uow:
        leads.accept_lead(uow=uow, principal=scene.p("dealer-branch"), lead_id=ident)
    return ident


def test_an_accepted_lead_converts_into_a_shared_customer_and_an_opportunity(scene: Scene) -> None:
    with scene.uow() as uow:
        from portal.models import Campaign

        campaign = Campaign(name="Frühjahr 2026", channel="E-Mail", budget=Decimal(1000))
        uow.session.add(campaign)
        uow.flush()
        campaign_id = campaign.id
    ident = new_lead(scene, "22041")
    with scene.uow() as uow:
        leads.update_lead(
            uow=uow,
            principal=scene.p("owner", "sales"),
            lead_id=ident,
            values=leads.LeadFields.of(leads.load_lead(uow, scene.p("owner"), ident)),
            campaign_id=campaign_id,
        )
        leads.accept_lead(uow=uow, principal=scene.p("dealer-branch"), lead_id=ident)
    with scene.uow() as uow:
        lead = leads.convert_lead(
            uow=uow,
            principal=scene.p("dealer-branch"),
            lead_id=ident,
            conversion=leads.Conversion("Kälteanlage Hafen", SOON, amount=Decimal("12000")),
        )
        assert lead.status is LeadStatus.CONVERTED
        customer_id, opportunity_id = lead.customer_id, lead.opportunity_id
    with scene.uow() as uow:
        opp = uow.session.get_one(Opportunity, opportunity_id)
        assert opp.stage is OpportunityStage.QUALIFICATION
        assert opp.dealer_id == scene.orgs["dealer-branch"].id and opp.customer_id == customer_id
        assert opp.campaign_id == campaign_id and opp.amount == Decimal("12000")
        shared = uow.session.scalars(
            select(CustomerAssignment.organization_id).where(CustomerAssignment.customer_id == customer_id)
        )
        assert list(shared) == [scene.orgs["dealer-branch"].id]
    with scene.uow() as uow:  # the dealer still sees its converted lead
        assert leads.load_lead(uow, scene.p("dealer-branch"), ident).opportunity_id == opportunity_id


def test_conversion_warns_of_a_duplicate_and_keeps_nothing(scene: Scene) -> None:
    existing = scene.customer("Hafen Kälte GmbH", shared_with=("dealer-branch",))
    with scene.uow() as uow:
        count = uow.session.scalar(select(func.count()).select_from(Customer))
    ident = new_lead(scene, "10115")  # the scene's customers sit at 10115; no territory covers it
    with scene.uow() as uow:
        leads.reassign_lead(
            uow=uow,
            principal=scene.p("owner", "sales"),
            lead_id=ident,
            dealer_id=scene.orgs["dealer-branch"].id,
        )
        leads.accept_lead(uow=uow, principal=scene.p("dealer-branch"), lead_id=ident)
    with scene.uow() as uow, pytest.raises(PossibleDuplicates) as dup:
        leads.convert_lead(
            uow=uow,
            principal=scene.p("dealer-branch"),
            lead_id=ident,
            conversion=leads.Conversion("Anlage", SOON),
        )
    assert dup.value.customer_ids == [existing.id]
    assert lead_of(scene, ident).status is LeadStatus.ACCEPTED
    with scene.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Customer)) == count
        lead = leads.convert_lead(  # linking the existing customer instead
            uow=uow,
            principal=scene.p("dealer-branch"),
            lead_id=ident,
            conversion=leads.Conversion("Anlage", SOON, customer_id=existing.id),
        )
        assert lead.customer_id == existing.id


def test_a_dealer_cannot_link_a_customer_it_does_not_see(scene: Scene) -> None:
    hidden = scene.customer("Fremd AG", shared_with=("dealer-other",))
    ident = _accepted(scene)
    with scene.uow() as uow, pytest.raises(NotFound):
        leads.convert_lead(
            uow=uow,
            principal=scene.p("dealer-branch"),
            lead_id=ident,
            conversion=leads.Conversion("Anlage", SOON, customer_id=hidden.id),
        )


def test_the_documented_example_file_imports_with_no_bad_row(scene: Scene) -> None:
    from pathlib import Path

    from portal.leads import importing
    from portal.models import Campaign

    docs = (Path(__file__).parents[2] / "docs" / "sales.md").read_text(encoding="utf-8")
    example = docs.split("Example (`leads.csv`):", 1)[1].split("```", 2)[1].lstrip("\n")
    with scene.uow() as uow:
        uow.session.add(Campaign(name="SHK-Messe Essen 2026", channel="Messe", budget=Decimal(1)))
    territory(scene, "dealer-group", "DE 60000-61999")
    with scene.uow() as uow:
        result = importing.import_leads(
            uow=uow,
            principal=scene.p("owner", "sales"),
            text=example,
            mode=importing.ImportMode.ALL_OR_NOTHING,
        )
        assert result.preview.errors == [] and len(result.imported) == 3
        assert result.offered == 2  # the Austrian lead waits: nobody covers Austria
        first = leads.load_lead(uow, scene.p("owner"), result.imported[0])
        assert first.company == "Bäckerei Krüger" and first.campaign_id is not None


def test_postal_code_and_country_are_checked_on_leads_and_import_rows(scene: Scene) -> None:
    from portal.leads import importing

    sales = scene.p("owner", "sales")
    for postal, country, field in (
        ("6031X1", "DE", "postal_code"),
        ("ABCDE", "DE", "postal_code"),
        ("1010", "DE", "postal_code"),
        ("60311", "XX", "country_code"),
        ("A-1010/2", "AT", "postal_code"),
        ("12345678901", "NL", "postal_code"),
    ):
        with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
            leads.create_lead(
                uow=uow,
                principal=sales,
                values=leads.LeadFields(company="Kälte AG", postal_code=postal, country_code=country),
            )
        assert bad.value.field == field, (postal, country)
    with scene.uow() as uow:  # other countries: letters, digits, spaces and hyphens
        for postal, country in (("1010", "AT"), ("SW1A 1AA", "gb"), ("1012 AB", "NL"), ("60311", "DE")):
            lead = leads.create_lead(
                uow=uow,
                principal=sales,
                values=leads.LeadFields(company="Kälte AG", postal_code=postal, country_code=country),
                distribute_now=False,
            )
            assert (lead.postal_code, lead.country_code) == (postal, country.upper())
    csv = "Firma;PLZ;Land\nEins;6031X1;DE\nZwei;60311;XX\nDrei;1010;AT\n"
    with scene.uow() as uow:
        found = importing.preview(uow, sales, csv)
    assert [(e.line, e.field) for e in found.errors] == [(2, "postal_code"), (3, "country_code")]
