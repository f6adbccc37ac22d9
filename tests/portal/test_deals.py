"""Deal registration (issue #18.3): the service, its conflicts, the approval race and expiry."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.customers import service as customers
from portal.deals import service as deals
from portal.deals.queries import DealQuery, list_deal_registrations
from portal.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from portal.models import CustomerAssignment, DealStatus, Event, Opportunity, OpportunityStage
from tests.builders import Scene, build_scene

TODAY = date.today()
SOON = TODAY + timedelta(days=60)


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def register(
    scene: Scene,
    by: str = "dealer-branch",
    *,
    name: str = "Stadtwerke Beispielstadt GmbH",
    vat_id: str | None = None,
    postal_code: str = "60311",
    amount: str = "25000",
) -> int:
    with scene.uow() as uow:
        registration = deals.register_deal(
            uow=uow,
            principal=scene.p(by),
            prospect=deals.Prospect(
                prospect_name=name,
                description="Wärmepumpen für drei Liegenschaften",
                vat_id=vat_id,
                street="Am Markt 1",
                postal_code=postal_code,
                city="Frankfurt",
                contact_name="Eva Beispiel",
                contact_email="eva@stadtwerke.example",
            ),
            amount=Decimal(amount),
            expected_close=SOON,
        )
        return registration.id


def approve(scene: Scene, ident: int, **options: object) -> None:
    with scene.uow() as uow:
        deals.approve_registration(
            uow=uow, principal=scene.p("owner", "sales"), registration_id=ident, **options
        )  # type: ignore[arg-type]


def test_dealer_registers_in_its_own_name_and_the_owner_is_told_by_an_event(scene: Scene) -> None:
    ident = register(scene)
    with scene.uow() as uow:
        reg = deals.load_registration(uow, scene.p("dealer-branch"), ident)
        assert reg.dealer_id == scene.orgs["dealer-branch"].id
        assert reg.status is DealStatus.SUBMITTED and reg.number.startswith("DR-")
        assert reg.name_key == "stadtwerke beispielstadt"
        kinds = list(uow.session.scalars(select(Event.kind).where(Event.entity == "deal_registration")))
        assert kinds == ["deal_registration.submitted"]


def test_form_checks_every_field(scene: Scene) -> None:
    with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
        deals.register_deal(
            uow=uow,
            principal=scene.p("dealer-branch"),
            prospect=deals.Prospect(prospect_name="X", description="d", vat_id="123"),
            amount=Decimal(1),
            expected_close=SOON,
        )
    assert bad.value.field == "vat_id"
    with scene.uow() as uow, pytest.raises(InvalidInput) as past:
        deals.register_deal(
            uow=uow,
            principal=scene.p("dealer-branch"),
            prospect=deals.Prospect(prospect_name="X", description="d"),
            amount=Decimal(1),
            expected_close=TODAY - timedelta(days=1),
        )
    assert past.value.field == "expected_close"


def test_owner_supplier_and_viewer_may_not_register(scene: Scene) -> None:
    for principal in (scene.p("owner"), scene.p("supplier-a"), scene.p("dealer-branch", "viewer")):
        with scene.uow() as uow, pytest.raises(PermissionDenied):
            deals.register_deal(
                uow=uow,
                principal=principal,
                prospect=deals.Prospect(prospect_name="X", description="d"),
                amount=Decimal(1),
                expected_close=SOON,
            )


def test_another_dealers_registration_answers_like_a_missing_one(scene: Scene) -> None:
    ident = register(scene)
    with scene.uow() as uow, pytest.raises(NotFound):
        deals.load_registration(uow, scene.p("dealer-other"), ident)
    with scene.uow() as uow, pytest.raises(NotFound):
        deals.withdraw_registration(uow=uow, principal=scene.p("dealer-other"), registration_id=ident)
    with scene.uow() as uow:  # the group above the branch sees it
        assert deals.load_registration(uow, scene.p("dealer-group"), ident).id == ident


def test_conflict_with_another_dealers_registration_is_a_neutral_hint_to_the_dealer(scene: Scene) -> None:
    first = register(scene, "dealer-other", vat_id="DE 123 456 789")
    second = register(scene, name="Stadtwerke Beispielstadt", vat_id=None)  # same name key, same postal code
    with scene.uow() as uow:
        dealer = scene.p("dealer-branch")
        found = deals.conflicts_of(uow.session, dealer, deals.load_registration(uow, dealer, second))
        assert found.other_partner is True and found.registrations == []
        owner = scene.p("owner")
        seen = deals.conflicts_of(uow.session, owner, deals.load_registration(uow, owner, second))
        assert [r.id for r in seen.registrations] == [first] and seen.other_partner is False
        # the other way round, by VAT id alone at another postal code
    third = register(scene, name="Ganz anders AG", vat_id="DE123456789", postal_code="01067")
    with scene.uow() as uow:
        owner = scene.p("owner")
        seen = deals.conflicts_of(uow.session, owner, deals.load_registration(uow, owner, third))
        assert {r.id for r in seen.registrations} == {first}


def test_an_approved_registration_is_no_conflict_with_its_own_customer_and_gives_no_hint(
    scene: Scene,
) -> None:
    mine = register(scene)
    register(scene, "dealer-other")  # the same prospect, still submitted
    dealer = scene.p("dealer-branch")
    with scene.uow() as uow:
        before = deals.conflicts_of(uow.session, dealer, deals.load_registration(uow, dealer, mine))
        assert before.other_partner is True  # while the owner's staff decide
    approve(scene, mine)
    with scene.uow() as uow:
        reg = deals.load_registration(uow, dealer, mine)
        assert reg.customer_id is not None
        after = deals.conflicts_of(uow.session, dealer, reg)
        assert after.customers == [] and not after.customer_hint and not after.other_partner
        owner = scene.p("owner")
        seen = deals.conflicts_of(uow.session, owner, deals.load_registration(uow, owner, mine))
        assert seen.customers == [] and len(seen.registrations) == 1  # the other one is still shown


def test_withdrawn_and_rejected_registrations_are_no_conflict(scene: Scene) -> None:
    first = register(scene, "dealer-other")
    with scene.uow() as uow:
        deals.withdraw_registration(uow=uow, principal=scene.p("dealer-other"), registration_id=first)
    second = register(scene)
    with scene.uow() as uow:
        dealer = scene.p("dealer-branch")
        assert not deals.conflicts_of(uow.session, dealer, deals.load_registration(uow, dealer, second))


def test_existing_customer_is_a_link_for_the_owner_and_a_neutral_hint_for_the_dealer(scene: Scene) -> None:
    customer = scene.customer("Stadtwerke Beispielstadt GmbH")  # at 10115, not shared with the dealer
    with scene.uow() as uow:
        customers.update_customer(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            fields=customers.CustomerFields(name=customer.name, postal_code="60311", city="Frankfurt"),
        )
    ident = register(scene, name="Stadtwerke Beispielstadt")
    with scene.uow() as uow:
        dealer = scene.p("dealer-branch")
        found = deals.conflicts_of(uow.session, dealer, deals.load_registration(uow, dealer, ident))
        assert found.customers == [] and found.customer_hint is True
        owner = scene.p("owner")
        seen = deals.conflicts_of(uow.session, owner, deals.load_registration(uow, owner, ident))
        assert [c.id for c in seen.customers] == [customer.id] and seen.customer_hint is False
    with scene.uow() as uow:  # shared with the dealer: it sees the customer itself
        customers.share_customer(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            organization_id=scene.orgs["dealer-branch"].id,
        )
    with scene.uow() as uow:
        dealer = scene.p("dealer-branch")
        found = deals.conflicts_of(uow.session, dealer, deals.load_registration(uow, dealer, ident))
        assert [c.id for c in found.customers] == [customer.id] and found.customer_hint is False


def test_approval_protects_90_days_and_opens_the_dealers_opportunity_on_a_new_shared_customer(
    scene: Scene,
) -> None:
    ident = register(scene)
    approve(scene, ident)
    with scene.uow() as uow:
        reg = deals.load_registration(uow, scene.p("dealer-branch"), ident)
        assert reg.status is DealStatus.APPROVED
        assert reg.protected_until == TODAY + timedelta(days=90)
        assert reg.decided_at is not None and reg.customer_id is not None
        opp = uow.session.get(Opportunity, reg.opportunity_id)
        assert opp is not None and opp.dealer_id == scene.orgs["dealer-branch"].id
        assert opp.stage is OpportunityStage.QUALIFICATION and opp.amount == Decimal(25000)
        assert opp.customer_id == reg.customer_id
        shared = uow.session.scalar(
            select(func.count()).where(
                CustomerAssignment.customer_id == reg.customer_id,
                CustomerAssignment.organization_id == scene.orgs["dealer-branch"].id,
            )
        )
        assert shared == 1


def test_approval_links_the_existing_customer_and_the_approver_may_set_the_date(scene: Scene) -> None:
    customer = scene.customer("Stadtwerke Beispielstadt GmbH")
    ident = register(scene, name="Stadtwerke Beispielstadt", postal_code="10115")
    approve(scene, ident, protected_until=TODAY + timedelta(days=30))
    with scene.uow() as uow:
        reg = deals.load_registration(uow, scene.p("owner"), ident)
        assert reg.customer_id == customer.id
        assert reg.protected_until == TODAY + timedelta(days=30)
    with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
        deals.approve_registration(
            uow=uow, principal=scene.p("owner"), registration_id=register(scene), protected_until=TODAY
        )
    assert bad.value.field == "protected_until"


def test_two_approvers_at_once_one_wins_the_other_is_told(scene: Scene) -> None:
    ident = register(scene)
    with scene.uow() as uow:
        seen = deals.load_registration(uow, scene.p("owner"), ident).version
    approve(scene, ident, expected_version=seen)
    with scene.uow() as uow, pytest.raises(Conflict) as late:
        deals.reject_registration(
            uow=uow, principal=scene.p("owner"), registration_id=ident, reason="x", expected_version=seen
        )
    assert "changed meanwhile" in late.value.message
    with scene.uow() as uow, pytest.raises(InvalidState):  # without a version: its state says no
        deals.approve_registration(uow=uow, principal=scene.p("owner"), registration_id=ident)
    with scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Opportunity)) == 1


def test_approving_over_another_dealers_protection_needs_confirmation(scene: Scene) -> None:
    first = register(scene, "dealer-other")
    approve(scene, first)
    second = register(scene)
    with scene.uow() as uow, pytest.raises(InvalidInput) as unconfirmed:
        deals.approve_registration(uow=uow, principal=scene.p("owner"), registration_id=second)
    assert unconfirmed.value.field == "confirm_over_protection"
    approve(scene, second, confirm_over_protection=True)
    with scene.uow() as uow:
        assert deals.load_registration(uow, scene.p("owner"), second).status is DealStatus.APPROVED


def test_reject_needs_a_reason_and_only_owner_sales_decide(scene: Scene) -> None:
    ident = register(scene)
    with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
        deals.reject_registration(uow=uow, principal=scene.p("owner"), registration_id=ident, reason=" ")
    assert bad.value.field == "reason"
    for principal in (scene.p("owner", "support"), scene.p("dealer-branch")):
        with scene.uow() as uow, pytest.raises(PermissionDenied):
            deals.reject_registration(uow=uow, principal=principal, registration_id=ident, reason="x")
    with scene.uow() as uow:
        reg = deals.reject_registration(
            uow=uow, principal=scene.p("owner"), registration_id=ident, reason="Kunde betreut der Vertrieb"
        )
        assert reg.status is DealStatus.REJECTED and reg.reason == "Kunde betreut der Vertrieb"


def test_dealer_withdraws_only_while_submitted(scene: Scene) -> None:
    ident = register(scene)
    approve(scene, ident)
    with scene.uow() as uow, pytest.raises(InvalidState):
        deals.withdraw_registration(uow=uow, principal=scene.p("dealer-branch"), registration_id=ident)
    other = register(scene)
    with scene.uow() as uow:
        reg = deals.withdraw_registration(uow=uow, principal=scene.p("dealer-branch"), registration_id=other)
        assert reg.status is DealStatus.WITHDRAWN


def test_expiry_marks_lapsed_protections_once(scene: Scene) -> None:
    ident = register(scene)
    approve(scene, ident, protected_until=TODAY + timedelta(days=10))
    with scene.uow() as uow:
        assert deals.expire_registrations(uow, today=TODAY + timedelta(days=10)) == []  # the last day counts
    with scene.uow() as uow:
        assert deals.expire_registrations(uow, today=TODAY + timedelta(days=11)) == [ident]
    with scene.uow() as uow:
        assert deals.expire_registrations(uow, today=TODAY + timedelta(days=12)) == []
        assert deals.load_registration(uow, scene.p("owner"), ident).status is DealStatus.EXPIRED
        expired = uow.session.scalar(
            select(func.count()).where(Event.kind == "deal_registration.expired", Event.entity_id == ident)
        )
        assert expired == 1


def test_list_filters_by_status_dealer_and_expiring_soon(scene: Scene) -> None:
    a = register(scene)
    b = register(scene, "dealer-other", name="Anderer Kunde AG")
    approve(scene, a, protected_until=TODAY + timedelta(days=7))
    approve(scene, b, protected_until=TODAY + timedelta(days=60))
    c = register(scene, name="Dritter Kunde KG")
    with scene.factory() as session:
        owner = scene.p("owner")

        def ids(query: DealQuery) -> list[int]:
            return [row.id for row in list_deal_registrations(session, owner, query).items]

        assert ids(DealQuery.expiring(TODAY)) == [a]
        assert ids(DealQuery(statuses=frozenset({DealStatus.SUBMITTED}))) == [c]
        assert set(ids(DealQuery(dealer_id=scene.orgs["dealer-branch"].id))) == {a, c}
        mine = list_deal_registrations(session, scene.p("dealer-branch"))
        assert {row.id for row in mine.items} == {a, c}
