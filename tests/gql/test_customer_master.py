"""The customer master through the API (issue #18): createCustomer with the duplicate answer,
updateCustomer with expectedVersion, contact consents, eraseContact, and the change feed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.models import Contact, Customer, CustomerAssignment, Event
from tests.gql.conftest import Api, World, gid

ERRORS = "userErrors { field message code }"
CREATE = f"""mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{
  customer {{ id number name vatId version }} duplicates {{ id name number }} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateCustomerInput!) {{ updateCustomer(input: $input) {{
  customer {{ id name city street vatId version }} {ERRORS} }} }}"""
ADD_CONTACT = f"""mutation($input: AddContactInput!) {{ addContact(input: $input) {{
  contact {{ id fullName emailConsent emailConsentAt emailConsentSource phoneConsent version }}
  {ERRORS} }} }}"""
UPDATE_CONTACT = f"""mutation($input: UpdateContactInput!) {{ updateContact(input: $input) {{
  contact {{ id emailConsent emailConsentSource phoneConsent phoneConsentSource version }} {ERRORS} }} }}"""
ERASE = f"""mutation($input: EraseContactInput!) {{ eraseContact(input: $input) {{
  contact {{ id firstName lastName fullName email phone erasedAt emailConsent }} {ERRORS} }} }}"""
FEED = """query($after: String) { changes(after: $after, first: 100) {
  changes { kind entity entityId operation state } } }"""


def _as(api: Api, slug: str, role: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The data of an operation sent with a token of ``slug`` holding ``role``."""
    api.token(slug, role)
    response = api.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {api.tokens[f'{slug}:{role}']}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def _create(api: Api, as_: str, **fields: Any) -> dict[str, Any]:
    data = api.ok(CREATE, {"input": {"countryCode": "DE", **fields}}, as_=as_)
    return dict(data["createCustomer"])


def test_a_dealer_creates_a_customer_shared_with_it(world: World) -> None:
    api = world.api
    payload = _create(
        api, "dealer-group", name="Kältetechnik Ost GmbH", postalCode="01067", vatId="de-123 456 789"
    )
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert customer["vatId"] == "DE123456789" and customer["version"] == 1
    with api.scene.factory() as session:
        org_ids = session.scalars(select(CustomerAssignment.organization_id)).all()
        assert api.scene.orgs["dealer-group"].id in org_ids
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert api.ok(node, {"id": customer["id"]}, as_="dealer-group")["node"] == {"id": customer["id"]}
    assert api.ok(node, {"id": customer["id"]}, as_="dealer-other")["node"] is None


def test_a_partner_and_a_read_only_viewer_may_not_create_customers(world: World) -> None:
    for who, role in (("partner", "member"), ("owner", "viewer"), ("supplier-a", "admin")):
        data = _as(world.api, who, role, CREATE, {"input": {"name": "Nope GmbH"}})
        errors = data["createCustomer"]["userErrors"]
        assert [e["code"] for e in errors] == ["PERMISSION_DENIED"], who


def test_duplicates_come_back_with_the_visible_look_alikes(world: World) -> None:
    api = world.api  # "Müller GmbH" at 10115 is shared with dealer-group
    payload = _create(api, "dealer-group", name="MÜLLER gmbh", postalCode="10115")
    assert payload["customer"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["DUPLICATE"]
    assert [d["id"] for d in payload["duplicates"]] == [world.gid("Customer", "shared")]
    again = _create(api, "dealer-group", name="MÜLLER gmbh", postalCode="10115", createDespiteDuplicates=True)
    assert again["userErrors"] == [] and again["customer"]["name"] == "MÜLLER gmbh"


def test_a_dealer_learns_only_that_a_vat_id_exists(world: World) -> None:
    api = world.api
    with api.scene.uow() as uow:
        from portal.customers import service

        service.update_customer(
            uow=uow,
            principal=api.scene.p("owner"),
            customer_id=world.ids["other"],  # "Schulz AG", not shared with any dealer
            fields=service.CustomerFields(name="Schulz AG", postal_code="10115", vat_id="DE555444333"),
        )
    by_name = _create(api, "dealer-group", name="Schulz", postalCode="10115")
    assert by_name["userErrors"] == []  # a similar name at the postal code of a hidden one: not told
    by_vat = _create(api, "dealer-other", name="Ganz Anders KG", vatId="DE555444333")
    assert [e["code"] for e in by_vat["userErrors"]] == ["DUPLICATE"]
    message = by_vat["userErrors"][0]["message"]
    assert "ask the owner's staff to share it" in message
    assert "Schulz" not in message and "K0" not in message and by_vat["duplicates"] == []


def test_update_keeps_omitted_fields_and_refuses_a_stale_version(world: World) -> None:
    api = world.api
    customer = world.gid("Customer", "shared")
    first = api.ok(
        UPDATE, {"input": {"customer": customer, "city": "Potsdam", "expectedVersion": 1}}, as_="dealer-group"
    )
    assert first["updateCustomer"]["userErrors"] == []
    assert first["updateCustomer"]["customer"] == {
        "id": customer, "name": "Müller GmbH", "city": "Potsdam", "street": "Hauptstr. 1", "vatId": None,
        "version": 2,
    }  # fmt: skip
    stale = api.ok(UPDATE, {"input": {"customer": customer, "name": "Andere", "expectedVersion": 1}})
    assert [e["code"] for e in stale["updateCustomer"]["userErrors"]] == ["CONFLICT"]
    bad = api.ok(UPDATE, {"input": {"customer": customer, "gln": "12", "countryCode": "Deutschland"}})
    assert bad["updateCustomer"]["userErrors"][0]["field"] in (["gln"], ["countryCode"])
    hidden = api.ok(
        UPDATE, {"input": {"customer": world.gid("Customer", "other"), "name": "X"}}, as_="dealer-group"
    )
    assert [e["code"] for e in hidden["updateCustomer"]["userErrors"]] == ["NOT_FOUND"]
    with api.scene.factory() as session:
        assert session.get(Customer, world.ids["other"]).name == "Schulz AG"  # type: ignore[union-attr]


def test_contact_consent_and_erasure(world: World) -> None:
    api = world.api
    added = api.ok(
        ADD_CONTACT,
        {"input": {"customer": world.gid("Customer", "shared"), "firstName": "Jonas", "lastName": "Weber",
                   "email": "jonas@weber.example", "phone": "+49 40 777",
                   "emailConsent": {"given": True, "source": "Newsletter-Formular"}}},
        as_="dealer-group",
    )["addContact"]  # fmt: skip
    assert added["userErrors"] == []
    contact = added["contact"]
    assert contact["emailConsent"] is True and contact["emailConsentSource"] == "Newsletter-Formular"
    assert contact["emailConsentAt"] is not None and contact["phoneConsent"] is False
    missing_source = api.ok(
        UPDATE_CONTACT, {"input": {"contact": contact["id"], "phoneConsent": {"given": True, "source": " "}}}
    )["updateContact"]
    assert missing_source["userErrors"][0]["field"] == ["phoneConsentSource"]
    withdrawn = api.ok(
        UPDATE_CONTACT,
        {"input": {"contact": contact["id"], "expectedVersion": 1,
                   "emailConsent": {"given": False, "source": "E-Mail vom 3.12."}}},
    )["updateContact"]  # fmt: skip
    assert withdrawn["userErrors"] == [] and withdrawn["contact"]["emailConsent"] is False
    stale = api.ok(
        UPDATE_CONTACT, {"input": {"contact": contact["id"], "expectedVersion": 1, "lastName": "X"}}
    )
    assert [e["code"] for e in stale["updateContact"]["userErrors"]] == ["CONFLICT"]
    refused = _as(api, "owner", "sales", ERASE, {"input": {"contact": contact["id"]}})["eraseContact"]
    assert [e["code"] for e in refused["userErrors"]] == ["PERMISSION_DENIED"]
    dealer = api.ok(ERASE, {"input": {"contact": contact["id"]}}, as_="dealer-group")["eraseContact"]
    assert [e["code"] for e in dealer["userErrors"]] == ["PERMISSION_DENIED"]
    erased = _as(api, "owner", "admin", ERASE, {"input": {"contact": contact["id"]}})["eraseContact"]
    assert erased["userErrors"] == []
    assert erased["contact"] | {"id": None, "erasedAt": None} == {
        "id": None, "firstName": "", "lastName": "", "fullName": "", "email": None, "phone": None,
        "erasedAt": None, "emailConsent": False,
    }  # fmt: skip
    assert erased["contact"]["erasedAt"] is not None
    twice = _as(api, "owner", "admin", ERASE, {"input": {"contact": contact["id"]}})["eraseContact"]
    assert [e["code"] for e in twice["userErrors"]] == ["INVALID_STATE"]
    with api.scene.factory() as session:
        payloads = [str(p) for p in session.scalars(select(Event.payload))]
        assert not [p for p in payloads if "Weber" in p or "jonas@" in p or "777" in p]
        assert session.scalar(select(Contact.erased_at).where(Contact.last_name == "Weber")) is None


def test_the_change_feed_carries_customer_changes_to_those_who_see_them(world: World) -> None:
    api = world.api
    created = _create(api, "owner", name="Feed Test GmbH", postalCode="99999")["customer"]
    api.ok(UPDATE, {"input": {"customer": created["id"], "city": "Erfurt"}})
    api.ok(UPDATE, {"input": {"customer": world.gid("Customer", "shared"), "city": "Cottbus"}})

    def seen(as_: str) -> list[tuple[str, str, Any]]:
        entries = api.feed(FEED, {}, as_=as_)["changes"]["changes"]
        return [(e["kind"], e["entityId"], e["state"]) for e in entries if e["entity"] == "customer"]

    owner = seen("owner")
    assert ("customer.created", created["id"]) in [(k, i) for k, i, _ in owner]
    assert ("customer.updated", created["id"]) in [(k, i) for k, i, _ in owner]
    dealer = seen("dealer-group")
    assert created["id"] not in {i for _, i, _ in dealer}  # not shared with it
    updates = [s for k, i, s in dealer if k == "customer.updated" and i == world.gid("Customer", "shared")]
    assert updates and updates[0]["city"] == "Cottbus" and updates[0]["version"] == 2
    assert world.gid("Customer", "shared") not in {i for _, i, _ in seen("dealer-other")}
    assert seen("supplier-a") == []


def test_the_feed_shows_an_erased_contact_without_its_data(world: World) -> None:
    api = world.api
    with api.scene.factory() as session:
        contact_id = session.scalars(
            select(Contact.id).where(Contact.customer_id == world.ids["shared"])
        ).first()
    assert contact_id is not None
    erased = _as(api, "owner", "admin", ERASE, {"input": {"contact": gid("Contact", contact_id)}})
    assert erased["eraseContact"]["userErrors"] == []
    entries = api.feed(FEED, {}, as_="dealer-group")["changes"]["changes"]
    states = [
        e["state"]
        for e in entries
        if e["entity"] == "contact" and e["entityId"] == gid("Contact", contact_id)
    ]
    assert states and all(s["email"] is None and s["last_name"] == "" and s["erased_at"] for s in states)
    assert any(e["kind"] == "contact.erased" for e in entries)
