"""Deal registrations against the access policy (issue #18.3): another dealer's registration answers
like a missing one on every path (page, CSV, GraphQL node and connection, the change feed, the
services), and the conflict hints a dealer reads leak no name, number, partner or customer; in random
worlds, what a principal learns of a registration's conflicts is what the independent model allows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from portal.access import Principal, organization_kinds
from portal.changes import feed
from portal.customers import service as customers
from portal.db import make_sessionmaker
from portal.deals import service as deals
from portal.errors import NotFound
from portal.models import DealRegistration, Organization
from tests.access.world import WorldSpec, build, expected_visible, worlds
from tests.changefeed import settle
from tests.conftest import wipe
from tests.web.conftest import WebWorld
from tests.web.conftest import world as world

SOON = date.today() + timedelta(days=30)


def _register(world: WebWorld, by: str, name: str, vat_id: str | None = None) -> int:
    with world.scene.uow() as uow:
        return deals.register_deal(
            uow=uow,
            principal=world.scene.p(by),
            prospect=deals.Prospect(
                prospect_name=name, description=f"Geheim {by}", postal_code="60311", vat_id=vat_id
            ),
            amount=Decimal(777),
            expected_close=SOON,
        ).id


def test_a_dealer_never_sees_anothers_registration_and_the_hint_names_nothing(world: WebWorld) -> None:
    theirs = _register(world, "dealer-other", "Stadtwerke Beispielstadt GmbH", "DE999999999")
    with world.scene.uow() as uow:  # the owner's customer with the prospect's VAT id, not shared
        customer = customers.create_customer(
            uow=uow, principal=world.scene.p("owner"), name="Versorger Hidden AG", vat_id="DE999999999"
        )
    with world.scene.uow() as uow:
        number = deals.load_registration(uow, world.scene.p("owner"), theirs).number
    mine = _register(world, "dealer-group", "Stadtwerke Beispielstadt", "DE 999 999 999")
    client = world.client("dealer-group")
    page = client.get(f"/deals/{mine}")
    assert 'id="hint-partner"' in page.text and 'id="hint-customer"' in page.text
    for secret in (number, "Dealer Other", "Geheim dealer-other", customer.number, "Versorger Hidden"):
        assert secret not in page.text, secret
    assert client.get(f"/deals/{theirs}").status_code == 404
    for path in ("/deals", "/deals.csv", "/deals?status=submitted"):
        assert number not in client.get(path).text, path
    with world.scene.uow() as uow, pytest.raises(NotFound):
        deals.conflicts_by_id(uow.session, world.scene.p("dealer-group"), theirs)
    settle(world.scene.factory)
    with world.scene.factory() as session:
        seen = feed(session, world.scene.p("dealer-group"), entities=["deal_registration"], first=100)
        assert {change.entity_id for change in seen.entries} == {mine}


def _principal(session: object, org: Organization) -> Principal:
    org_ids, supplier_ids = organization_kinds(session, org.id)  # type: ignore[arg-type]
    return Principal(org.id, org.kind, org_ids, frozenset({"admin"}), supplier_ids=supplier_ids)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=worlds())
def test_conflicts_list_only_visible_registrations_and_hint_at_the_others(
    engine: Engine, spec: WorldSpec
) -> None:
    """Every registration of a world is of the same prospect: each principal's conflicts list exactly
    the other registrations the independent model lets it see, and the hint is set exactly when
    some other one is hidden from it."""
    factory: sessionmaker = make_sessionmaker(engine)  # type: ignore[type-arg]
    try:
        with factory() as session:
            facts = build(session, spec)
            session.commit()
            orgs = list(session.scalars(select(Organization).order_by(Organization.id)))
            registrations = list(session.scalars(select(DealRegistration)))
            for index, org in enumerate(orgs):
                principal = _principal(session, org)
                visible = expected_visible(spec, index, facts)[DealRegistration]
                for registration in registrations:
                    if registration.id not in visible:
                        continue
                    found = deals.conflicts_of(session, principal, registration)
                    others = {r.id for r in registrations} - {registration.id}
                    assert {r.id for r in found.registrations} == others & visible
                    assert found.other_partner == bool(others - visible)
    finally:
        wipe(engine)
