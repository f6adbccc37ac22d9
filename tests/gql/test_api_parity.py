"""The API can do what the portal does (issue #11.12): every POST action of the web portal has its
mutation, through the same service and permission function."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.config import Settings
from portal.gql import Limits, graphql_routes
from portal.gql._strawberry import core_schema
from portal.gql.schema import build_schema
from portal.models import ApiToken, Case, CaseAttachment, Contact, Event, ExchangeProfile, Order, User
from portal.web import web_routes
from tests.gql.conftest import Api, World, gid

ERRORS = "userErrors { field message code }"


def op(name: str, input_type: str, selection: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} {ERRORS} }} }}"


# Every POST route of the web portal -> the mutation doing the same, or why it stays web-only.
WEB_ONLY = "web-only: "
WEB_ACTIONS: dict[str, str] = {
    "/login": WEB_ONLY + "starts a browser session; the API authenticates every request with a token",
    "/logout": WEB_ONLY + "ends a browser session; an API client forgets its token (or revokeApiToken)",
    "/account/password": WEB_ONLY + "a user's own password; a token acts for an organization, not a user",
    "/language": WEB_ONLY + "the browser's display language; the API's data is language-neutral",
    "/orders/new": "createOrder",
    "/orders/{order_id:int}/respond": "confirmOrder",
    "/orders/{order_id:int}/shipments": "createShipment",
    "/orders/{order_id:int}/receipts": "recordGoodsReceipt",
    "/orders/{order_id:int}/invoices": "submitInvoice",
    "/orders/{order_id:int}/route": "routeOrder",
    "/orders/{order_id:int}/review": "reviewLineChanges",
    "/orders/{order_id:int}/change": "changeOrder",
    "/admin/tolerances": "setSupplierTolerance",
    # one form, three buttons: approveInvoice, disputeInvoice, rejectInvoice
    "/invoices/{invoice_id:int}/review": "approveInvoice",
    "/invoices/{invoice_id:int}/payments": "recordPayment",
    "/invoices/{invoice_id:int}/schedule": "schedulePayment",
    "/invoices/{invoice_id:int}/answer": "answerInvoiceDispute",
    "/invoices/{invoice_id:int}/credit-notes": "issueCreditNote",
    "/orders/{order_id:int}/cancel": "cancelOrder",
    "/cases/new": "createCase",
    "/cases/{case_id:int}/comments": "addCaseComment",
    "/cases/{case_id:int}/attachments": "addCaseAttachment",
    "/cases/{case_id:int}/status": "changeCaseStatus",
    "/cases/{case_id:int}/route": "routeCase",
    "/cases/{case_id:int}/edit": "updateCase",
    "/deals/new": "registerDeal",
    "/deals/{deal_id:int}/approve": "approveDealRegistration",
    "/deals/{deal_id:int}/reject": "rejectDealRegistration",
    "/deals/{deal_id:int}/withdraw": "withdrawDealRegistration",
    "/opportunities/new": "createOpportunity",
    "/opportunities/{opportunity_id:int}/stage": "moveOpportunity",
    "/opportunities/{opportunity_id:int}/edit": "updateOpportunity",
    "/opportunities/{opportunity_id:int}/lines": "addOpportunityLine",
    "/opportunities/{opportunity_id:int}/lines/remove": "removeOpportunityLine",
    "/leads/new": "createLead",
    "/leads/import": "importLeads",
    "/leads/distribute": "distributeLeads",
    "/leads/{lead_id:int}/edit": "updateLead",
    "/leads/{lead_id:int}/accept": "acceptLead",
    "/leads/{lead_id:int}/decline": "declineLead",
    "/leads/{lead_id:int}/convert": "convertLead",
    "/leads/{lead_id:int}/reassign": "reassignLead",
    "/leads/{lead_id:int}/disqualify": "disqualifyLead",
    "/campaigns/new": "createCampaign",
    "/campaigns/{campaign_id:int}/edit": "updateCampaign",
    "/campaigns/{campaign_id:int}/recount": "recountCampaign",
    "/segments/new": "saveSegment",
    "/segments/{segment_id:int}/delete": "deleteSegment",
    "/admin/territories/{organization_id:int}": "setLeadTerritory",
    "/customers/{customer_id:int}/activities": "logActivity",
    "/customers/{customer_id:int}/share": "shareCustomer",
    "/customers/{customer_id:int}/contacts": "addContact",
    "/customers/{customer_id:int}/contacts/{contact_id:int}": "updateContact",
    "/customers/new": "createCustomer",
    "/customers/{customer_id:int}/edit": "updateCustomer",
    "/customers/{customer_id:int}/contacts/{contact_id:int}/edit": "updateContact",
    "/customers/{customer_id:int}/contacts/{contact_id:int}/erase": "eraseContact",
    "/exchange/{record_id:int}/reprocess": "reprocessExchangeRecord",
    "/exchange/{record_id:int}/discard": "discardExchangeRecord",
    "/admin/exchange": "createExchangeProfile",
    "/admin/users": "addUser",
    "/admin/users/{user_id:int}/active": "setUserActive",
    "/admin/users/{user_id:int}/roles": "setUserRoles",
    "/admin/tokens": "issueApiToken",
    "/admin/tokens/{token_id:int}/revoke": "revokeApiToken",
    "/admin/invitations": "inviteUser",
    "/admin/invitations/{invitation_id:int}/resend": "resendInvitation",
    "/admin/invitations/{invitation_id:int}/revoke": "revokeInvitation",
    "/orders/{order_id:int}/invoice-file": "uploadInvoice",  # with input.order
    "/invoices/upload": "uploadInvoice",  # without an order: the one the invoice names
    "/password/forgot": WEB_ONLY + "a person without a session asks for a reset link by e-mail",
    "/password/reset/{token}": WEB_ONLY + "sets a user's password from a mailed link, without a session",
    "/invitation/{token}": WEB_ONLY
    + "the invited person sets a password from a mailed link and is logged in",
    "/notifications/read": "markNotificationsRead",
    "/notifications/unsubscribe/{token}": WEB_ONLY
    + "one-click unsubscribe from a mail's link, without a session",
    "/exports": WEB_ONLY
    + "prepares a web list's CSV file in the background; the API pages through the same read model",
    "/notifications/preferences": WEB_ONLY + "a user's own notification settings, chosen in the portal",
    "/tasks/new": "createTask",
    "/tasks/{task_id:int}": "updateTask",
    "/tasks/{task_id:int}/done": "completeTask",
    "/tasks/{task_id:int}/reopen": "reopenTask",
    "/account/calendar": WEB_ONLY
    + "a user's own secret calendar address, shown once in the portal; a token has no calendar",
    "/admin/webhooks": "createWebhookEndpoint",
    "/admin/webhooks/{endpoint_id:int}": "updateWebhookEndpoint",
    "/admin/webhooks/{endpoint_id:int}/rotate": "rotateWebhookSecret",
    "/admin/webhooks/{endpoint_id:int}/enabled": "updateWebhookEndpoint",
    "/admin/webhooks/{endpoint_id:int}/delete": "deleteWebhookEndpoint",
    "/admin/webhooks/{endpoint_id:int}/test": "sendWebhookTestEvent",
    "/admin/webhooks/{endpoint_id:int}/deliveries/{delivery_id:int}/redeliver": "redeliverWebhook",
}


def test_every_web_action_has_a_mutation(factory: sessionmaker[Session]) -> None:
    routes = web_routes(Settings(database_url="sqlite://"), factory)
    posts = sorted(
        route.path for route in routes if isinstance(route, Route) and "POST" in (route.methods or ())
    )
    assert len(posts) > 15, "the portal's actions were found"
    unmapped = [path for path in posts if path not in WEB_ACTIONS]
    assert unmapped == [], "add a mutation for each (or a reason why it is web-only) to WEB_ACTIONS"
    mutations = set(core_schema(build_schema()).mutation_type.fields)  # type: ignore[union-attr]
    named = {name for name in WEB_ACTIONS.values() if not name.startswith(WEB_ONLY)}
    assert named - mutations == set()
    assert {"setUserRoles", "cancelOrder", "updateContact"} <= mutations  # no web form yet


def _as(api: Api, secret: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = api.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {secret}"},
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"])


def _events(api: Api) -> int:
    with api.scene.factory() as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


# --- orders --------------------------------------------------------------------------------------

ROUTE = op("routeOrder", "RouteOrderInput", "order { id supplier { slug } }")
CANCEL = (
    f"mutation($input: CancelOrderInput!) {{ cancelOrder(input: $input) {{ order {{ status }} {ERRORS} }} }}"
)


def test_owner_routes_an_order_and_the_supplier_then_sees_it(world: World) -> None:
    s = world.api.scene
    order = s.order(s.customer("Neu GmbH"))
    variables = {
        "input": {"order": gid("Order", order.id), "supplier": gid("Organization", s.orgs["supplier-b"].id)}
    }
    denied = world.api.ok(ROUTE, variables, as_="dealer-group")["routeOrder"]
    assert denied["order"] is None and denied["userErrors"][0]["code"] == "PERMISSION_DENIED"
    routed = world.api.ok(ROUTE, variables)["routeOrder"]
    assert routed == {
        "order": {"id": gid("Order", order.id), "supplier": {"slug": "supplier-b"}},
        "userErrors": [],
    }
    assert world.api.ok("{ orders { nodes { id } } }", as_="supplier-b")["orders"]["nodes"][0] == {
        "id": gid("Order", order.id)
    }


def test_dealer_cancels_its_order_and_a_stale_version_is_a_conflict(world: World) -> None:
    order = gid("Order", world.ids["order_a"])
    stale = world.api.ok(CANCEL, {"input": {"order": order, "expectedVersion": 99}}, as_="dealer-group")
    assert stale["cancelOrder"]["userErrors"][0]["code"] == "CONFLICT"
    assert "your form" not in stale["cancelOrder"]["userErrors"][0]["message"]
    done = world.api.ok(CANCEL, {"input": {"order": order}}, as_="dealer-group")["cancelOrder"]
    assert done == {"order": {"status": "CANCELLED"}, "userErrors": []}
    with world.api.scene.factory() as session:
        assert session.get_one(Order, world.ids["order_a"]).cancelled_at is not None
    refused = world.api.ok(CANCEL, {"input": {"order": gid("Order", world.ids["order_b"])}}, as_="supplier-b")
    assert refused["cancelOrder"]["userErrors"][0]["code"] == "PERMISSION_DENIED"


# --- cases ---------------------------------------------------------------------------------------

STATUS = (
    "mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) "
    f"{{ case {{ status allowedActions canEdit canChangePriority }} {ERRORS} }} }}"
)
UPDATE = op("updateCase", "UpdateCaseInput", "case { priority subject }")
ATTACH = (
    "mutation($input: AddCaseAttachmentInput!) { addCaseAttachment(input: $input) "
    f"{{ attachment {{ id filename contentType size sha256 internal }} case {{ id }} {ERRORS} }} }}"
)


def test_the_partner_works_a_routed_case_but_may_not_close_it_or_move_its_deadline(world: World) -> None:
    case = gid("Case", world.ids["case"])
    started = world.api.ok(STATUS, {"input": {"case": case, "action": "START"}}, as_="partner")[
        "changeCaseStatus"
    ]
    assert started == {
        "case": {
            "status": "IN_PROGRESS",
            "allowedActions": ["WAIT", "RESOLVE"],
            "canEdit": False,
            "canChangePriority": False,
        },
        "userErrors": [],
    }
    closed = world.api.ok(STATUS, {"input": {"case": case, "action": "CLOSE"}}, as_="partner")[
        "changeCaseStatus"
    ]
    assert closed["userErrors"][0]["code"] == "PERMISSION_DENIED"
    before = _events(world.api)
    for change in ({"priority": "URGENT"}, {"subject": "Halb so wild"}):
        moved = world.api.ok(UPDATE, {"input": {"case": case, **change}}, as_="partner")["updateCase"]
        assert moved["case"] is None and moved["userErrors"][0]["code"] == "PERMISSION_DENIED", change
    assert _events(world.api) == before
    with world.api.scene.factory() as session:
        assert session.get_one(Case, world.ids["case"]).priority.value == "high"
    owner = world.api.ok(STATUS, {"input": {"case": case, "action": "RESOLVE"}})["changeCaseStatus"]
    assert owner["case"]["status"] == "RESOLVED" and owner["case"]["allowedActions"] == ["REOPEN", "CLOSE"]
    assert owner["case"]["canChangePriority"] is True


def test_an_attachment_uploads_as_base64_through_the_portals_checks(world: World) -> None:
    case = gid("Case", world.ids["case"])
    pdf = b"%PDF-1.4 Lieferschein"

    def attach(**fields: Any) -> dict[str, Any]:
        given = {"case": case, "filename": "lieferschein.pdf", "contentType": "application/pdf"}
        given.setdefault("contentBase64", base64.b64encode(pdf).decode())
        return dict(world.api.ok(ATTACH, {"input": {**given, **fields}}, as_="partner")["addCaseAttachment"])

    done = attach()
    assert done["userErrors"] == [] and done["case"] == {"id": case}
    assert {k: done["attachment"][k] for k in ("filename", "contentType", "size", "internal")} == {
        "filename": "lieferschein.pdf",
        "contentType": "application/pdf",
        "size": len(pdf),
        "internal": False,
    }
    with world.api.scene.factory() as session:
        stored = session.scalars(select(CaseAttachment.data)).one()
        assert stored == pdf
    assert attach(contentType="application/x-msdownload")["userErrors"][0]["field"] == ["contentType"]
    assert attach(contentBase64="kein base64!")["userErrors"][0]["field"] == ["contentBase64"]
    assert attach(contentBase64="")["userErrors"][0]["field"] == ["contentBase64"]
    internal = attach(internal=True)["userErrors"][0]
    assert internal["code"] == "PERMISSION_DENIED"


def test_the_attachment_limit_is_the_portals_and_the_body_fits_it(factory: sessionmaker[Session]) -> None:
    from tests.builders import build_scene
    from tests.gql.conftest import build_world

    settings = Settings(database_url="sqlite://", max_attachment_bytes=300_000)
    limits = Limits.for_settings(settings)
    assert limits.max_attachment_bytes == 300_000 and limits.max_body_bytes >= 400_000 + 64 * 1024
    scene = build_scene(factory)
    with TestClient(Starlette(routes=graphql_routes(settings, factory))) as client:
        world = build_world(Api(client, scene))
        case = gid("Case", world.ids["case"])
        for size, ok in ((300_000, True), (300_001, False)):
            content = base64.b64encode(b"x" * size).decode()
            variables = {
                "input": {
                    "case": case,
                    "filename": "a.txt",
                    "contentType": "text/plain",
                    "contentBase64": content,
                }
            }
            data = world.api.ok(ATTACH, variables)["addCaseAttachment"]
            if ok:
                assert data["userErrors"] == [] and data["attachment"]["size"] == size
            else:
                assert data["userErrors"][0]["field"] == ["contentBase64"]
                assert "300000" in data["userErrors"][0]["message"]


# --- contacts ------------------------------------------------------------------------------------

ADD_CONTACT = op("addContact", "AddContactInput", "contact { id fullName email phone position }")
UPDATE_CONTACT = op("updateContact", "UpdateContactInput", "contact { fullName email phone position }")


def test_a_dealer_adds_and_edits_a_contact_of_a_shared_customer(world: World) -> None:
    customer = gid("Customer", world.ids["shared"])
    added = world.api.ok(
        ADD_CONTACT,
        {
            "input": {
                "customer": customer,
                "firstName": "Jan",
                "lastName": "Wolf",
                "phone": "+49 40 1",
                "position": "Einkauf",
            }
        },
        as_="dealer-group",
    )["addContact"]
    assert added["userErrors"] == [] and added["contact"]["fullName"] == "Jan Wolf"
    contact = added["contact"]["id"]
    edited = world.api.ok(
        UPDATE_CONTACT,
        {"input": {"contact": contact, "email": "Jan.Wolf@Example.de", "phone": None}},
        as_="dealer-group",
    )["updateContact"]
    assert edited == {
        "contact": {
            "fullName": "Jan Wolf",
            "email": "jan.wolf@example.de",
            "phone": None,
            "position": "Einkauf",
        },
        "userErrors": [],
    }
    bad = world.api.ok(
        UPDATE_CONTACT, {"input": {"contact": contact, "email": "kein-mail"}}, as_="dealer-group"
    )
    assert bad["updateContact"]["userErrors"][0]["field"] == ["email"]
    with world.api.scene.factory() as session:
        assert (
            session.scalar(select(func.count()).select_from(Contact).where(Contact.last_name == "Wolf")) == 1
        )
    refused = world.api.ok(ADD_CONTACT, {"input": {"customer": customer, "lastName": "X"}}, as_="supplier-a")
    assert refused["addContact"]["userErrors"][0]["code"] == "NOT_FOUND"


# --- users and tokens ----------------------------------------------------------------------------

ADD_USER = op("addUser", "AddUserInput", "user { id email roles active organization { slug } }")
ROLES = (
    f"mutation($input: SetUserRolesInput!) {{ setUserRoles(input: $input) {{ user {{ roles }} {ERRORS} }} }}"
)
ACTIVE = op("setUserActive", "SetUserActiveInput", "user { active }")
ISSUE = op("issueApiToken", "IssueApiTokenInput", "secret token { id name roles prefix }")
REVOKE = f"mutation($id: ID!) {{ revokeApiToken(id: $id) {{ token {{ revokedAt }} {ERRORS} }} }}"


def test_a_partner_admin_manages_its_users_over_the_api(api: Api) -> None:
    admin = api.token("partner", "admin")
    added = _as(
        api,
        admin,
        ADD_USER,
        {
            "input": {
                "email": "Eva@Partner.example",
                "name": "Eva",
                "password": "lang-genug-1",
                "roles": ["member"],
            }
        },
    )["addUser"]
    assert added["userErrors"] == [] and added["user"]["email"] == "eva@partner.example"
    assert added["user"]["organization"] == {"slug": "partner"} and added["user"]["roles"] == ["member"]
    user = added["user"]["id"]
    assert _as(api, admin, ROLES, {"input": {"user": user, "roles": ["admin"]}})["setUserRoles"] == {
        "user": {"roles": ["admin"]},
        "userErrors": [],
    }
    wrong = _as(api, admin, ROLES, {"input": {"user": user, "roles": ["sales"]}})["setUserRoles"]
    assert wrong["userErrors"][0]["field"] == ["roles"]
    assert _as(api, admin, ACTIVE, {"input": {"user": user, "active": False}})["setUserActive"] == {
        "user": {"active": False},
        "userErrors": [],
    }
    with api.scene.factory() as session:
        row = session.scalars(select(User).where(User.email == "eva@partner.example")).one()
        assert (row.roles, row.is_active) == ("admin", False)
    listed = _as(api, admin, "{ users { email } }", {})["users"]
    assert listed == [{"email": "eva@partner.example"}]
    member = api.token("partner")
    refused = _as(api, member, ACTIVE, {"input": {"user": user, "active": True}})["setUserActive"]
    assert refused["userErrors"][0]["code"] == "PERMISSION_DENIED"


def test_an_issued_token_works_until_it_is_revoked(api: Api) -> None:
    admin = api.token("supplier-a", "admin")
    issued = _as(api, admin, ISSUE, {"input": {"name": "ERP", "expiresInDays": 30}})["issueApiToken"]
    assert issued["userErrors"] == [] and issued["token"]["roles"] == ["member"]
    secret = issued["secret"]
    assert secret.startswith(issued["token"]["prefix"])
    assert _as(api, secret, "{ viewer { organization { slug } } }", {})["viewer"]["organization"] == {
        "slug": "supplier-a"
    }
    tokens = _as(api, admin, "{ apiTokens { id name } }", {})["apiTokens"]
    assert {"id": issued["token"]["id"], "name": "ERP"} in tokens
    revoked = _as(api, admin, REVOKE, {"id": issued["token"]["id"]})["revokeApiToken"]
    assert revoked["userErrors"] == [] and revoked["token"]["revokedAt"]
    after = api.client.post(
        "/graphql", json={"query": "{ viewer { name } }"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert after.status_code == 401
    with api.scene.factory() as session:
        assert session.scalar(select(ApiToken.token_hash).where(ApiToken.name == "ERP")) != secret


# --- exchange profiles ---------------------------------------------------------------------------

PROFILE = (
    "mutation($input: CreateExchangeProfileInput!) { createExchangeProfile(input: $input) "
    f"{{ profile {{ id transport format partnerId ourId }} {ERRORS} }} }}"
)


def test_owner_admin_creates_an_exchange_profile(api: Api, tmp_path: Any) -> None:
    s = api.scene
    given = {
        "organization": gid("Organization", s.orgs["supplier-b"].id),
        "transport": "FOLDER",
        "partnerId": "4012345000016",
        "ourId": "4012345000009",
    }
    missing_root = _as(api, api.token("owner", "admin"), PROFILE, {"input": given})["createExchangeProfile"]
    assert missing_root["userErrors"][0]["field"] == ["root"]
    made = _as(api, api.token("owner", "admin"), PROFILE, {"input": {**given, "root": str(tmp_path)}})
    assert made["createExchangeProfile"]["userErrors"] == []
    assert made["createExchangeProfile"]["profile"]["transport"] == "FOLDER"
    denied = _as(api, api.token("supplier-b", "admin"), PROFILE, {"input": {**given, "root": str(tmp_path)}})
    assert denied["createExchangeProfile"]["userErrors"][0]["code"] == "PERMISSION_DENIED"
    with s.factory() as session:
        assert session.scalar(select(func.count()).select_from(ExchangeProfile)) == 1
