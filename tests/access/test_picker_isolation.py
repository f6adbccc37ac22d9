"""Pickers (``/pick/{kind}`` and the forms' search boxes) offer only what their user may see: a
customer of another dealer is never found, nor offered when its id is put in a form's URL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.app import create_app
from portal.config import Settings
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users, post_form


@pytest.fixture
def world(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    scene = build_scene(factory)
    return WebWorld(scene, create_app(Settings(secret_key=SECRET), engine=engine), add_users(factory, scene))


def test_the_search_endpoint_finds_only_the_callers_customers(world: WebWorld) -> None:
    mine = world.scene.customer("Gemeinsam Eigene GmbH", shared_with=("dealer-group",))
    world.scene.customer("Gemeinsam Fremde GmbH", shared_with=("dealer-other",))
    dealer = world.client("dealer-group").get("/pick/customers", params={"q": "Gemeinsam"})
    assert dealer.status_code == 200
    assert [item["id"] for item in dealer.json()["items"]] == [mine.id]
    assert "Fremde" not in dealer.text
    owner = world.client("owner").get("/pick/customers", params={"q": "Gemeinsam"}).json()
    assert len(owner["items"]) == 2


def test_pickers_a_role_has_no_form_for_answer_404(world: WebWorld) -> None:
    world.scene.customer("Irgendwer GmbH", shared_with=("dealer-group",))
    supplier = world.client("supplier-a")
    for kind in ("customers", "products", "suppliers"):
        response = supplier.get(f"/pick/{kind}", params={"q": "Irgendwer"})
        assert response.status_code == 404 and "Irgendwer" not in response.text
    assert world.client("dealer-group").get("/pick/suppliers").status_code == 404
    assert world.client("owner").get("/pick/nothing").status_code == 404
    anonymous = world.client().get("/pick/customers", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_a_hidden_customer_id_in_a_form_url_is_not_offered(world: WebWorld) -> None:
    hidden = world.scene.customer("Versteckt AG", shared_with=("dealer-other",))
    client = world.client("dealer-group")
    for url, params in (("/orders/new", {"customer": hidden.id}), ("/cases/new", {"customer_id": hidden.id})):
        page = client.get(url, params=params)
        assert page.status_code == 200
        assert "Versteckt" not in page.text and f'value="{hidden.id}" selected' not in page.text


def test_the_forms_search_box_finds_only_visible_customers(world: WebWorld) -> None:
    world.scene.customer("Suchbar Fremd GmbH", shared_with=("dealer-other",))
    client = world.client("dealer-group")
    for url in ("/orders/new", "/cases/new"):
        page = post_form(client, url, url, {"pick": "customer_id", "customer_id-q": "Suchbar"})
        assert page.status_code == 200  # type: ignore[attr-defined]
        assert "Suchbar Fremd" not in page.text  # type: ignore[attr-defined]
