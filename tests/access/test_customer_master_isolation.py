"""The customer master's new paths against the independent model of tests/access/world.py (issue
#18): the duplicate warning names only customers the principal may see and discloses a hidden one
only as "a customer with this VAT id exists"; a dealer edits, and learns of, only customers shared
with it, through the services, the change feed and the change log."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import Principal, load_by_ids, organization_kinds
from portal.changes import feed
from portal.customers import erasure
from portal.customers import service as customers
from portal.customers.duplicates import find_duplicates
from portal.customers.log import customer_changes
from portal.db import make_sessionmaker
from portal.errors import NotFound, PermissionDenied
from portal.models import Contact, Customer, Organization
from tests.access.world import WorldSpec, build, expected_visible, worlds
from tests.builders import Scene, build_scene
from tests.changefeed import settle
from tests.conftest import wipe

VATS = ("DE100000000", "DE100000001")


def _shape(session: Session, facts: dict[type, dict[int, tuple[object, ...]]]) -> dict[int, tuple[str, str]]:
    """Give the world's customers colliding VAT ids and names at one postal code: customer ``c``
    has VATS[c % 2]; every third one is "Gleich GmbH" at 10115."""
    shape = {}
    for ident, (c,) in facts[Customer].items():
        customer = session.get(Customer, ident)
        assert customer is not None
        customer.vat_id = VATS[int(c) % 2]  # type: ignore[call-overload]
        customer.postal_code = "10115"
        if int(c) % 3 == 0:  # type: ignore[call-overload]
            customer.name = "Gleich GmbH"
        shape[ident] = (customer.vat_id, customer.name)
    session.flush()
    return shape


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=worlds(mixed_trees=True))
def test_duplicate_warning_matches_the_independent_model(engine: Engine, spec: WorldSpec) -> None:
    factory = make_sessionmaker(engine)
    try:
        with factory() as session:
            facts = build(session, spec)
            shape = _shape(session, facts)
            session.commit()
            orgs = list(session.scalars(select(Organization).order_by(Organization.id)))
            for index, org in enumerate(orgs):
                org_ids, supplier_ids = organization_kinds(session, org.id)
                principal = Principal(
                    org.id, org.kind, org_ids, frozenset({"admin"}), supplier_ids=supplier_ids
                )
                seen = expected_visible(spec, index, facts)[Customer]
                for vat in VATS:
                    report = find_duplicates(
                        session, principal, name="Irgendwer", postal_code=None, vat_id=vat
                    )
                    same = {i for i, (v, _n) in shape.items() if v == vat}
                    assert {d.customer.id for d in report.matches} == same & seen, (index, vat)
                    assert report.hidden_vat_id == (not same & seen and bool(same - seen)), (index, vat)
                report = find_duplicates(session, principal, name="gleich", postal_code="10115", vat_id=None)
                alike = {i for i, (_v, n) in shape.items() if n == "Gleich GmbH"}
                assert {d.customer.id for d in report.matches} == alike & seen, index
                assert not report.hidden_vat_id  # a name is never disclosed
    finally:
        wipe(engine)


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def test_a_dealer_never_edits_or_reads_the_log_of_a_customer_not_shared_with_it(scene: Scene) -> None:
    mine = scene.customer("Meins GmbH", shared_with=("dealer-group",))
    theirs = scene.customer("Deren GmbH", shared_with=("dealer-other",))
    with scene.factory() as session:
        their_contact = session.scalars(select(Contact.id).where(Contact.customer_id == theirs.id)).one()
    dealer = scene.p("dealer-group", "member")
    for who in (dealer, scene.p("partner", "member"), scene.p("supplier-a")):
        with scene.uow() as uow, pytest.raises(NotFound):
            customers.update_customer(
                uow=uow, principal=who, customer_id=theirs.id, fields=customers.CustomerFields(name="X")
            )
        with scene.uow() as uow, pytest.raises(NotFound):
            customers.update_contact(uow=uow, principal=who, contact_id=their_contact, last_name="X")
        with scene.uow() as uow, pytest.raises(NotFound):
            erasure.erase_contact(uow=uow, principal=who, contact_id=their_contact)
        with scene.factory() as session, pytest.raises(NotFound):
            customer_changes(session, who, theirs.id)
    with scene.uow() as uow, pytest.raises(PermissionDenied):  # sees it, but only owner admins erase
        erasure.erase_contact(uow=uow, principal=dealer, contact_id=_contact_of(scene, mine.id))
    with scene.factory() as session:
        assert session.get(Customer, theirs.id).name == "Deren GmbH"  # type: ignore[union-attr]
        # the dealer's log of its own customer holds only its own organizations' events
        with scene.uow() as uow:
            customers.update_customer(
                uow=uow,
                principal=dealer,
                customer_id=mine.id,
                fields=customers.CustomerFields(name="Meins AG"),
            )
        kinds = [e.kind for e in customer_changes(session, dealer, mine.id)]
        assert kinds == ["customer.updated"]  # not the owner's creation and sharing


def _contact_of(scene: Scene, customer_id: int) -> int:
    with scene.factory() as session:
        return session.scalars(select(Contact.id).where(Contact.customer_id == customer_id)).one()


def test_the_change_feed_tells_only_those_who_see_the_customer(scene: Scene) -> None:
    with scene.uow() as uow:
        created = customers.create_customer(
            uow=uow, principal=scene.p("dealer-group", "member"), name="Feed GmbH", postal_code="12345"
        )
        created_id = created.id
    with scene.uow() as uow:
        customers.update_customer(
            uow=uow,
            principal=scene.p("owner", "sales"),
            customer_id=created_id,
            fields=customers.CustomerFields(name="Feed GmbH", city="Cottbus", postal_code="12345"),
        )
    settle(scene.factory)
    with scene.factory() as session:
        for slug, sees in (
            ("dealer-group", True),
            ("dealer-branch", False),  # shared with the group, not with the branch below it
            ("dealer-other", False),
            ("partner", False),
            ("supplier-a", False),
            ("owner", True),
        ):
            page = feed(session, scene.p(slug), first=1000)
            ids = {c.entity_id for c in page.entries if c.entity == "customer"}
            assert (created_id in ids) == sees, slug
            if sees:
                states = [
                    c.state for c in page.entries if c.entity == "customer" and c.entity_id == created_id
                ]
                assert states[-1] is not None and states[-1]["city"] == "Cottbus"


def test_a_dealers_new_customer_is_shared_with_its_own_organization_only(scene: Scene) -> None:
    with scene.uow() as uow:
        created = customers.create_customer(
            uow=uow, principal=scene.p("dealer-branch", "member"), name="Filiale Kunde", postal_code="54321"
        )
        created_id = created.id
    with scene.factory() as session:
        # the branch's organizations: itself; the group's: itself and the branch below it
        for slug, sees in (("dealer-branch", True), ("dealer-group", True), ("dealer-other", False)):
            found = load_by_ids(session, scene.p(slug), Customer, [created_id])
            assert (created_id in found) == sees, slug
