"""Per role: a page shows exactly the write controls the service accepts (one `can_*` function
decides both), and every control shown works (no 403, 405 or 500 when used)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from starlette.testclient import TestClient

from portal.access import permissions as may
from portal.cases import service as cases
from portal.db import unit_of_work
from portal.errors import PermissionDenied
from portal.models import User
from tests.web.conftest import WebWorld, password_hash

# (user key, organization, role)
ROLES = [
    ("owner-admin", "owner", "admin"),
    ("owner-sales", "owner", "sales"),
    ("owner-support", "owner", "support"),
    ("owner-viewer", "owner", "viewer"),
    ("dealer-admin", "dealer-group", "admin"),
    ("dealer-member", "dealer-group", "member"),
    ("partner-member", "partner", "member"),
    ("supplier-admin", "supplier-a", "admin"),
]


def _add_role_users(world: WebWorld) -> None:
    with unit_of_work(world.scene.factory) as uow:
        for key, org, role in ROLES:
            user = User(
                organization_id=world.scene.orgs[org].id,
                email=f"{key}@roles.example",
                name=key,
                password_hash=password_hash(),
                roles=role,
            )
            uow.session.add(user)
            world.users[key] = user
        uow.flush()


@pytest.fixture
def scene_pages(world: WebWorld) -> dict[str, list[str]]:
    """The pages each role reaches in this scene: a shared customer, a case on it, an order."""
    _add_role_users(world)
    customer = world.scene.customer("Rollen GmbH", shared_with=("dealer-group", "partner"))
    order = world.scene.order(customer, dealer="dealer-group", supplier="supplier-a")
    with world.scene.uow() as uow:
        case = cases.open_case(
            uow=uow,
            principal=world.scene.p("dealer-group"),
            subject="Rollenfall",
            customer_id=customer.id,
        )
        cases.route_case(
            uow=uow,
            principal=world.scene.p("owner"),
            case_id=case.id,
            organization_id=world.scene.orgs["partner"].id,
        )
    common = ["/", "/orders", "/cases", f"/orders/{order.id}"]
    return {
        "owner": [*common, "/customers", f"/customers/{customer.id}", f"/cases/{case.id}"],
        "dealer-group": [*common, f"/customers/{customer.id}", f"/cases/{case.id}"],
        "partner": ["/", "/cases", f"/customers/{customer.id}", f"/cases/{case.id}"],
        "supplier-a": ["/", "/orders", f"/orders/{order.id}"],
    }


def _post_forms(page: str) -> list[lxml_html.FormElement]:
    tree = lxml_html.fromstring(page)
    return [f for f in tree.forms if (f.method or "").lower() == "post" and f.action != "/logout"]


def _submit(client: TestClient, form: lxml_html.FormElement) -> int:
    data: dict[str, str] = {}
    for element in form.inputs:
        name = element.get("name")
        if not name or element.get("type") in ("file", "submit", "checkbox"):
            continue
        if element.tag == "select":
            options = element.xpath(".//option/@value")
            data[name] = next((o for o in options if o), "")
        elif element.tag == "textarea":
            data[name] = element.text or "Text"
        else:
            data[name] = element.get("value") or "Text"
    button = form.xpath(".//button[@name]")
    if button:
        data[button[0].get("name")] = button[0].get("value") or ""
    files = {"file": ("a.txt", b"hello", "text/plain")} if form.xpath('.//input[@type="file"]') else None
    response = client.post(form.action, data=data, files=files, follow_redirects=False)
    return response.status_code


@pytest.mark.parametrize(("key", "org", "role"), ROLES, ids=[r[0] for r in ROLES])
def test_each_role_sees_only_controls_it_may_use_and_each_works(
    world: WebWorld, scene_pages: dict[str, list[str]], key: str, org: str, role: str
) -> None:
    client = world.client(key)
    principal = world.scene.p(org, role)
    for url in scene_pages[org]:
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        tree = lxml_html.fromstring(page.text)
        links = set(tree.xpath("//a/@href"))
        shows_new_order = any(link.startswith("/orders/new") for link in links)
        shows_new_case = any(link.startswith("/cases/new") for link in links)
        assert shows_new_order == may.can_create_order(principal) or url not in ("/orders",), url
        assert not shows_new_order or may.can_create_order(principal), url
        assert not shows_new_case or may.can_open_case(principal), url
        forms = _post_forms(page.text)
        if not may.can_write(principal):
            assert forms == [], (url, [f.action for f in forms])
        for form in forms:
            status = _submit(client, form)
            assert status not in (403, 405, 500), (key, url, form.action, status)
            page = client.get(url)  # a fresh CSRF-bearing page for the next form
    if may.can_create_order(principal):
        assert client.get("/orders/new").status_code == 200
    else:
        assert client.get("/orders/new").status_code in (403, 404)
    assert client.get("/cases/new").status_code == (200 if may.can_open_case(principal) else 403)


def test_the_viewer_is_refused_by_the_service_with_the_same_function(world: WebWorld) -> None:
    viewer = world.scene.p("owner", "viewer")
    assert not may.can_open_case(viewer)
    with pytest.raises(PermissionDenied, match="read-only"), world.scene.uow() as uow:
        cases.open_case(uow=uow, principal=viewer, subject="x")
