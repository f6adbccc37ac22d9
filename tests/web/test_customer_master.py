"""The customer master in the portal (issue #18): new customers with the duplicate warning, editing
customers and contacts (every field checked, what was typed kept, two editors at once), consents,
erasure on request, and the change log on the customer's page."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.db import unit_of_work
from portal.models import Contact, Customer, CustomerAssignment, Event, User
from tests.web.conftest import WebWorld, csrf_of, password_hash, post_form

NEW = {
    "name": "Heizungsbau Kramer GmbH",
    "street": "Lindenweg 4",
    "postal_code": "34117",
    "city": "Kassel",
    "country_code": "DE",
    "vat_id": "DE 811 222 333",
}


def _created_id(response: object) -> int:
    location = response.headers["location"]  # type: ignore[attr-defined]
    match = re.fullmatch(r"/customers/(\d+)", location)
    assert match, location
    return int(match.group(1))


def test_a_dealer_creates_a_customer_that_is_shared_with_it(world: WebWorld) -> None:
    client = world.client("dealer-group")
    assert 'href="/customers/new"' in client.get("/customers").text
    response = post_form(client, "/customers/new", "/customers/new", NEW)
    assert response.status_code == 303, response.text
    customer_id = _created_id(response)
    page = client.get(f"/customers/{customer_id}")
    assert page.status_code == 200 and "Heizungsbau Kramer GmbH" in page.text
    assert "Changes to the master data" not in page.text  # the change log is the owner's
    with world.scene.factory() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.vat_id == "DE811222333"  # stored without spaces
        shared = session.scalars(
            select(CustomerAssignment.organization_id).where(CustomerAssignment.customer_id == customer_id)
        ).all()
        assert shared == [world.scene.orgs["dealer-group"].id]
    assert world.client("dealer-other").get(f"/customers/{customer_id}").status_code == 404


def test_every_wrong_field_is_reported_and_what_was_typed_is_kept(world: WebWorld) -> None:
    client = world.client("owner")
    response = post_form(
        client,
        "/customers/new",
        "/customers/new",
        {
            **NEW,
            "name": " ",
            "country_code": "Deutschland",
            "gln": "123",
            "email": "kein-at",
            "vat_id": "123",
        },
    )
    assert response.status_code == 400
    for field in ("name", "country_code", "gln", "email", "vat_id"):
        assert f'id="{field}-error"' in response.text, field
    assert 'value="Lindenweg 4"' in response.text and 'value="kein-at"' in response.text
    with world.scene.factory() as session:
        assert session.scalar(select(Customer).where(Customer.city == "Kassel")) is None


def test_the_customer_form_checks_postal_code_and_country_as_leads_do(world: WebWorld) -> None:
    client = world.client("owner")
    for postal, country, field in (("ABCDE", "DE", "postal_code"), ("34117", "XX", "country_code")):
        response = post_form(
            client,
            "/customers/new",
            "/customers/new",
            {**NEW, "postal_code": postal, "country_code": country},
        )
        assert response.status_code == 400 and f'id="{field}-error"' in response.text, (postal, country)


def test_the_duplicate_warning_names_visible_look_alikes_and_lets_the_user_go_on(world: WebWorld) -> None:
    existing = world.scene.customer("Müller GmbH", shared_with=("dealer-group",))  # 10115 Berlin
    client = world.client("dealer-group")
    typed = {"name": "mueller  gmbh & co. kg", "postal_code": "10115", "city": "Berlin", "country_code": "DE"}
    warned = post_form(client, "/customers/new", "/customers/new", typed)
    assert warned.status_code == 409
    assert "This customer may already exist." in warned.text
    assert f'href="/customers/{existing.id}"' in warned.text
    assert 'value="mueller  gmbh &amp; co. kg"' in warned.text  # what was typed is kept
    gone_on = client.post(
        "/customers/new",
        data={**typed, "confirm_duplicates": "1", "csrf": csrf_of(warned.text)},
        follow_redirects=False,
    )
    assert gone_on.status_code == 303
    assert _created_id(gone_on) != existing.id


def test_a_dealer_is_not_told_about_a_customer_not_shared_with_it(world: WebWorld) -> None:
    with world.scene.uow() as uow:
        from portal.customers import service

        hidden = service.create_customer(
            uow=uow,
            principal=world.scene.p("owner"),
            name="Geheim Wärme AG",
            postal_code="80331",
            city="München",
            vat_id="DE999888777",
        )
        service.share_customer(
            uow=uow, principal=world.scene.p("owner"), customer_id=hidden.id,
            organization_id=world.scene.orgs["dealer-other"].id,
        )  # fmt: skip
    client = world.client("dealer-group")
    by_name = post_form(
        client, "/customers/new", "/customers/new",
        {"name": "Geheim Wärme", "postal_code": "80331", "country_code": "DE"},
    )  # fmt: skip
    assert by_name.status_code == 303  # a similar name at the postal code: not disclosed at all
    by_vat = post_form(
        client, "/customers/new", "/customers/new",
        {"name": "Irgendwas KG", "vat_id": "DE999888777", "country_code": "DE"},
    )  # fmt: skip
    assert by_vat.status_code == 409
    assert "ask the owner" in by_vat.text
    assert "Geheim" not in by_vat.text and hidden.number not in by_vat.text
    assert f"/customers/{hidden.id}" not in by_vat.text
    owner = post_form(
        world.client("owner"), "/customers/new", "/customers/new",
        {"name": "Irgendwas KG", "vat_id": "DE999888777", "country_code": "DE"},
    )  # fmt: skip
    assert owner.status_code == 409 and "Geheim Wärme AG" in owner.text  # owner staff see it


def test_editing_a_customer_and_the_stale_second_editor(world: WebWorld) -> None:
    customer = world.scene.customer("Alt GmbH", shared_with=("dealer-group",))
    dealer, owner = world.client("dealer-group"), world.client("owner")
    url = f"/customers/{customer.id}/edit"
    form_a = dealer.get(url)
    form_b = owner.get(url)
    assert 'name="version" value="1"' in form_a.text
    first = dealer.post(
        url,
        data={"csrf": csrf_of(form_a.text), "version": "1", "name": "Neu GmbH", "postal_code": "10115",
              "city": "Berlin", "country_code": "DE", "street": "Hauptstr. 1", "gln": "4012345000009"},
        follow_redirects=False,
    )  # fmt: skip
    assert first.status_code == 303
    second = owner.post(
        url,
        data={"csrf": csrf_of(form_b.text), "version": "1", "name": "Anders GmbH", "city": "Potsdam",
              "country_code": "DE"},
        follow_redirects=False,
    )  # fmt: skip
    assert second.status_code == 409
    assert "Someone changed this record meanwhile" in second.text
    assert 'value="Anders GmbH"' in second.text  # what the second editor typed is kept
    with world.scene.factory() as session:
        saved = session.get(Customer, customer.id)
        assert saved is not None and saved.name == "Neu GmbH" and saved.version == 2
    page = owner.get(f"/customers/{customer.id}")
    changes = page.text[page.text.index('id="changes"') :]
    assert "Dealer-Group User" in changes and "changed Name" in changes
    assert "created the customer" in changes


def test_another_dealer_cannot_open_or_post_the_edit_form(world: WebWorld) -> None:
    customer = world.scene.customer("Fremd GmbH", shared_with=("dealer-group",))
    other = world.client("dealer-other")
    assert other.get(f"/customers/{customer.id}/edit").status_code == 404
    page = other.get("/customers")
    response = other.post(
        f"/customers/{customer.id}/edit",
        data={"csrf": csrf_of(page.text), "name": "Gekapert", "country_code": "DE"},
        follow_redirects=False,
    )
    assert response.status_code == 404
    with world.scene.factory() as session:
        assert session.get(Customer, customer.id).name == "Fremd GmbH"  # type: ignore[union-attr]


def test_a_partner_and_a_supplier_may_not_create_customers(world: WebWorld) -> None:
    for who in ("partner", "supplier-a"):
        client = world.client(who)
        assert client.get("/customers/new").status_code == 403, who


def _contact_id(world: WebWorld, customer_id: int) -> int:
    with world.scene.factory() as session:
        return session.scalars(select(Contact.id).where(Contact.customer_id == customer_id)).one()


def test_contact_consent_is_recorded_with_day_and_source(world: WebWorld) -> None:
    customer = world.scene.customer("Consent GmbH", shared_with=("dealer-group",))
    contact_id = _contact_id(world, customer.id)
    client = world.client("dealer-group")
    url = f"/customers/{customer.id}/contacts/{contact_id}/edit"
    missing = post_form(
        client, url, url,
        {"version": "1", "first_name": "Anna", "last_name": "Schmidt", "email_consent": "1"},
    )  # fmt: skip
    assert missing.status_code == 400 and 'id="email_consent_source-error"' in missing.text
    saved = post_form(
        client, url, url,
        {"version": "1", "first_name": "Anna", "last_name": "Schmidt", "email": "anna@example.de",
         "email_consent": "1", "email_consent_source": "Messe-Formular", "email_consent_at": "2026-11-02"},
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    with world.scene.factory() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.email_consent and not contact.phone_consent
        assert contact.email_consent_source == "Messe-Formular"
        assert (
            contact.email_consent_at is not None
            and contact.email_consent_at.date().isoformat() == "2026-11-02"
        )
        payloads = session.scalars(
            select(Event.payload).where(Event.entity == "contact", Event.entity_id == contact_id)
        ).all()
        assert all("Schmidt" not in str(p) and "anna@" not in str(p) for p in payloads)
    assert "E-mail: consent" in client.get(f"/customers/{customer.id}").text


def test_a_new_contact_with_consent(world: WebWorld) -> None:
    customer = world.scene.customer("Neu Kontakt GmbH", shared_with=("dealer-group",))
    client = world.client("dealer-group")
    url = f"/customers/{customer.id}"
    response = post_form(
        client, url, f"{url}/contacts",
        {"last_name": "Berg", "phone": "+49 561 1", "phone_consent": "1", "phone_consent_source": "Anruf"},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    with world.scene.factory() as session:
        berg = session.scalars(select(Contact).where(Contact.last_name == "Berg")).one()
        assert berg.phone_consent and berg.phone_consent_source == "Anruf" and not berg.email_consent


def _owner_user(world: WebWorld, role: str) -> str:
    with unit_of_work(world.scene.factory) as uow:
        user = User(
            organization_id=world.scene.orgs["owner"].id,
            email=f"{role}@owner.test",
            name=f"Owner {role}",
            password_hash=password_hash(),
            roles=role,
        )
        uow.session.add(user)
        uow.flush()
        world.users[f"owner-{role}"] = user
    return f"owner-{role}"


def test_only_owner_admins_erase_a_contact_and_the_history_keeps_no_personal_data(world: WebWorld) -> None:
    customer = world.scene.customer("Erase GmbH", shared_with=("dealer-group",))
    contact_id = _contact_id(world, customer.id)
    customer_url = f"/customers/{customer.id}"
    dealer = world.client("dealer-group")
    post_form(
        dealer, customer_url, f"{customer_url}/activities",
        {"kind": "call", "subject": "Rückruf Anna Schmidt", "contact_id": str(contact_id),
         "body": "Schmidt erreichbar unter anna@example.de"},
    )  # fmt: skip
    url = f"{customer_url}/contacts/{contact_id}/erase"
    edit = f"{customer_url}/contacts/{contact_id}/edit"
    assert "Erase this person" not in dealer.get(edit).text
    refused = post_form(dealer, edit, url, {})
    assert refused.status_code == 403
    sales = world.client(_owner_user(world, "sales"))
    assert "Erase this person" not in sales.get(edit).text
    assert post_form(sales, edit, url, {}).status_code == 403
    admin = world.client("owner")
    erased = post_form(admin, edit, url, {})
    assert erased.status_code == 303, erased.text
    page = admin.get(customer_url)
    assert "Anna Schmidt" not in page.text and "anna@example.de" not in page.text
    assert "Rückruf [erased]" in page.text  # the activity stays, without the person
    assert f"erased the contact no. {contact_id} on request" in page.text
    with world.scene.factory() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.erased_at is not None
        assert (contact.first_name, contact.last_name, contact.email, contact.phone) == ("", "", None, None)
        payloads = [str(p) for p in session.scalars(select(Event.payload))]
        assert not [p for p in payloads if "Schmidt" in p or "anna@example.de" in p]
        log = session.scalars(select(Event).where(Event.kind == "contact.erased")).one()
        assert log.entity_id == contact_id and log.actor_user_id == world.users["owner"].id
    assert admin.get(edit).status_code == 200  # the erased contact's page says so
    again = post_form(admin, edit, url, {})
    assert again.status_code == 400  # not twice


def test_the_pages_in_german(world: WebWorld) -> None:
    client = world.client("dealer-group")
    client.cookies.set("lang", "de")
    page = client.get("/customers/new", headers={"Accept-Language": "de"})
    assert "Neuer Kunde" in page.text and "PLZ" in page.text and "USt-IdNr." in page.text
