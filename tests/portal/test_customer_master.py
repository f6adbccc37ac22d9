"""The customer master's services (issue #18): what "similar" means, the events they write (fields,
never personal data), consents, and what an erasure removes and keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.activities import service as activities
from portal.customers import erasure
from portal.customers import service as customers
from portal.customers.duplicates import name_key, vat_key
from portal.errors import Conflict, InvalidInput, InvalidState, PossibleDuplicates
from portal.models import Activity, ActivityKind, Contact, Customer, Event, Notification
from portal.models.base import utcnow
from tests.builders import Scene, build_scene


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Müller Haustechnik GmbH & Co. KG", "mueller haustechnik"),
        ("Bäckerei  Groß e.K.", "BAECKEREI GROSS"),
        ("Élan SARL", "elan"),
        ("Schmidt-Wärme UG (haftungsbeschränkt)", "schmidt waerme"),
    ],
)
def test_similar_names(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Müller Heizung GmbH", "Müller Sanitär GmbH"), ("AG Nord", "Nord Süd")]
)
def test_different_names(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_a_name_that_is_only_a_legal_form_keeps_its_words() -> None:
    assert name_key("GmbH & Co. KG") == "gmbh co kg"


def test_vat_ids_compare_without_spacing() -> None:
    assert vat_key(" de 123.456-789 ") == "DE123456789" and vat_key("  ") is None


def test_duplicates_are_refused_unless_the_user_goes_on_and_nothing_is_written(scene: Scene) -> None:
    scene.customer("Müller GmbH")
    owner = scene.p("owner", "sales")
    with scene.factory() as session:
        before = session.scalar(select(func.count()).select_from(Customer))
    with scene.uow() as uow, pytest.raises(PossibleDuplicates) as found:
        customers.create_customer(uow=uow, principal=owner, name="müller", postal_code="10115")
    assert found.value.code == "DUPLICATE" and len(found.value.customer_ids) == 1
    with scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == before
    with scene.uow() as uow:  # another postal code: no warning
        customers.create_customer(uow=uow, principal=owner, name="müller", postal_code="20095")
    with scene.uow() as uow:
        customers.create_customer(
            uow=uow, principal=owner, name="müller", postal_code="10115", allow_duplicates=True
        )


def test_an_update_logs_the_changed_fields_not_their_values(scene: Scene) -> None:
    customer = scene.customer("Log GmbH", shared_with=("dealer-group",))
    with scene.uow() as uow:
        customers.update_customer(
            uow=uow,
            principal=scene.p("dealer-group", "member"),
            customer_id=customer.id,
            fields=customers.CustomerFields(
                name="Log GmbH", street="Neue Str. 9", postal_code="10115", city="Berlin", gln="4012345000009"
            ),
            expected_version=1,
        )
    with scene.uow() as uow:  # nothing changed: no event, no new version
        saved = customers.update_customer(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            fields=customers.CustomerFields(
                name="Log GmbH", street="Neue Str. 9", postal_code="10115", city="Berlin", gln="4012345000009"
            ),
        )
        assert saved.version == 2
    with scene.factory() as session:
        events = session.scalars(select(Event).where(Event.kind == "customer.updated")).all()
        assert [e.payload for e in events] == [{"number": customer.number, "changed": ["street"]}]
    with scene.uow() as uow, pytest.raises(Conflict):
        customers.update_customer(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            fields=customers.CustomerFields(name="Spät GmbH"),
            expected_version=1,
        )


def test_bad_fields_are_refused_by_name(scene: Scene) -> None:
    owner = scene.p("owner")
    for field, fields in (
        ("vat_id", {"vat_id": "123456"}),
        ("country_code", {"country_code": "DEU"}),
        ("gln", {"gln": "40123"}),
        ("email", {"email": "nope"}),
        ("name", {"name": "  "}),
    ):
        with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
            customers.create_customer(uow=uow, principal=owner, **{"name": "X", **fields})  # type: ignore[arg-type]
        assert bad.value.field == field


def test_consent_needs_a_source_and_no_future_day(scene: Scene) -> None:
    customer = scene.customer("Consent AG")
    owner = scene.p("owner")
    with scene.uow() as uow, pytest.raises(InvalidInput) as no_source:
        customers.add_contact(
            uow=uow,
            principal=owner,
            customer_id=customer.id,
            first_name="Eva",
            last_name="Roth",
            email_consent=customers.Consent(given=True, source=""),
        )
    assert no_source.value.field == "email_consent_source"
    with scene.uow() as uow, pytest.raises(InvalidInput) as future:
        customers.add_contact(
            uow=uow,
            principal=owner,
            customer_id=customer.id,
            last_name="Roth",
            first_name="",
            phone_consent=customers.Consent(given=True, source="Anruf", at=utcnow() + timedelta(days=2)),
        )
    assert future.value.field == "phone_consent_at"
    given = utcnow() - timedelta(days=30)
    with scene.uow() as uow:
        contact = customers.add_contact(
            uow=uow,
            principal=owner,
            customer_id=customer.id,
            first_name="Eva",
            last_name="Roth",
            phone_consent=customers.Consent(given=True, source="Anruf", at=given),
        )
        assert contact.phone_consent and contact.phone_consent_at == given and not contact.email_consent


def test_erasure_removes_the_person_from_activities_events_and_notifications(scene: Scene) -> None:
    customer = scene.customer("Erase AG", shared_with=("dealer-group",))
    with scene.factory() as session:
        contact_id = session.scalars(select(Contact.id).where(Contact.customer_id == customer.id)).one()
    dealer = scene.p("dealer-group", "member")
    with scene.uow() as uow:
        linked = activities.log_activity(
            uow=uow,
            principal=dealer,
            customer_id=customer.id,
            kind=ActivityKind.APPOINTMENT,
            subject="Termin mit Anna Schmidt",
            body="Rückruf unter +49 30 1234 oder ANNA@example.de; Frau schmidt bevorzugt vormittags.",
            contact_id=contact_id,
            starts_at=utcnow() + timedelta(days=1),
            ends_at=utcnow() + timedelta(days=1, hours=1),
        )
        unrelated = activities.log_activity(
            uow=uow,
            principal=dealer,
            customer_id=customer.id,
            kind=ActivityKind.NOTE,
            subject="Preisliste 2027",
        )
        linked_id, unrelated_id = linked.id, unrelated.id
        uow.session.add(
            Notification(
                user_id=_some_user(uow.session, scene),
                kind="appointment_reminder",
                entity="activity",
                entity_id=linked_id,
                payload={"subject": "Termin mit Anna Schmidt"},
            )
        )
    with scene.uow() as uow:
        erased = erasure.erase_contact(uow=uow, principal=scene.p("owner", "admin"), contact_id=contact_id)
        assert erased.full_name == "" and erased.erased_at is not None
    with scene.factory() as session:
        activity = session.get(Activity, linked_id)
        assert activity is not None and activity.contact_id == contact_id  # the history keeps its shape
        assert activity.subject == "Termin mit [erased]"
        assert activity.body == "Rückruf unter [erased] oder [erased]; Frau [erased] bevorzugt vormittags."
        assert session.get(Activity, unrelated_id).subject == "Preisliste 2027"  # type: ignore[union-attr]
        texts = [str(p) for p in session.scalars(select(Event.payload))]
        texts += [str(p) for p in session.scalars(select(Notification.payload))]
        assert not [t for t in texts if "Schmidt" in t or "anna@" in t.lower() or "1234" in t]
        log = session.scalars(select(Event).where(Event.kind == "contact.erased")).one()
        assert log.entity_id == contact_id and log.payload == {
            "customer_id": customer.id,
            "activities_redacted": 1,
        }
        redacted = session.scalars(select(Event.entity_id).where(Event.kind == "activity.redacted")).all()
        assert redacted == [linked_id]
    with scene.uow() as uow, pytest.raises(InvalidState):
        customers.update_contact(uow=uow, principal=scene.p("owner"), contact_id=contact_id, last_name="Neu")


def _some_user(session: Session, scene: Scene) -> int:
    from portal.models import User

    user = User(
        organization_id=scene.orgs["dealer-group"].id,
        email="u@example.test",
        name="U",
        password_hash="x",
        roles="member",
    )
    session.add(user)
    session.flush()
    return user.id
