"""Prepared CSV exports (issue #15): a long list's CSV link offers "prepare the export", the worker
step writes the file as the user who asked, the user downloads it from "My exports"; failures are
recorded with a readable reason, files expire after 7 days."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, update
from starlette.testclient import TestClient

from portal.app import create_app
from portal.config import Settings
from portal.exchange import contents
from portal.exports import run_exports_once
from portal.exports.jobs import STALE_AFTER, _claim
from portal.models import Event, Export, ExportStatus, User, export_contents
from portal.models.base import utcnow
from tests.web.conftest import SECRET, WebWorld, csrf_of


@pytest.fixture
def low(world: WebWorld, engine: Engine) -> WebWorld:
    """The same world, served with a threshold of 2 rows: any longer list is prepared."""
    settings = Settings(database_url=str(engine.url), secret_key=SECRET, export_inline_rows=2)
    return WebWorld(world.scene, create_app(settings, engine=engine), world.users)


def _orders(world: WebWorld, n: int = 3) -> None:
    customer = world.scene.customer()
    for _ in range(n):
        world.scene.order(customer, quantities=(1, 2))


def _ask(client: TestClient, url: str = "/orders.csv?sort=number&dir=asc") -> int:
    """Follow the CSV link of a long list, press "Prepare the export"; the new export's id."""
    offer = client.get(url)
    assert offer.status_code == 200 and offer.headers["content-type"].startswith("text/html")
    assert 'action="/exports"' in offer.text
    form = {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', offer.text)
    }
    form["query"] = form["query"].replace("&amp;", "&")
    answer = client.post("/exports", data={**form, "csrf": csrf_of(offer.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/exports"
    ids = [int(found) for found in re.findall(r'id="export-(\d+)"', client.get("/exports").text)]
    assert ids
    return max(ids)


def test_a_long_list_is_prepared_by_the_worker_and_downloads_as_the_inline_csv(
    world: WebWorld, low: WebWorld
) -> None:
    _orders(world)
    client = low.client("owner")
    export_id = _ask(client)
    mine = client.get("/exports").text
    assert "Queued" in mine and f"/exports/{export_id}/download" not in mine
    assert client.get(f"/exports/{export_id}/download").status_code == 404  # not ready yet

    report = run_exports_once(world.scene.factory)
    assert (report.finished, report.failed, report.errors) == (1, 0, [])

    mine = client.get("/exports").text
    assert "Ready" in mine and f"/exports/{export_id}/download" in mine
    download = client.get(f"/exports/{export_id}/download")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    inline = world.client("owner").get("/orders.csv?sort=number&dir=asc")  # threshold 100,000
    assert inline.headers["content-type"].startswith("text/csv")
    assert download.content == inline.content
    assert download.content.decode("utf-8-sig").count("\r\n") == 4  # header and three orders
    with world.scene.factory() as session:
        export = session.get_one(Export, export_id)
        assert (export.status, export.rows, export.bytes) == (ExportStatus.DONE, 3, len(inline.content))
        assert export.expires_at is not None and export.finished_at is not None
        assert export.expires_at - export.finished_at == timedelta(days=7)
        event = session.scalars(select(Event).where(Event.kind == "export.finished")).one()
        assert (event.entity, event.entity_id, event.actor_user_id) == ("export", export_id, export.user_id)
        assert event.payload["rows"] == 3
    assert run_exports_once(world.scene.factory).finished == 0  # done once


def test_german_exports_keep_the_language_and_dialect_of_the_request(world: WebWorld, low: WebWorld) -> None:
    _orders(world)
    client = low.client("owner")
    export_id = _ask(client, "/orders.csv?sort=number&dir=asc&lang=de")
    assert "Meine Exporte" in client.get("/exports?lang=de").text
    run_exports_once(world.scene.factory)
    download = client.get(f"/exports/{export_id}/download").content.decode("utf-8-sig")
    inline = world.client("owner").get("/orders.csv?sort=number&dir=asc&lang=de").content.decode("utf-8-sig")
    assert download == inline and ";" in download.splitlines()[0]


def test_a_short_list_still_streams_at_once(world: WebWorld, low: WebWorld) -> None:
    _orders(world, 2)
    answer = low.client("owner").get("/orders.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.decode("utf-8-sig").count("\r\n") == 3


def test_an_export_of_a_deactivated_user_fails_with_a_reason_and_an_event(
    world: WebWorld, low: WebWorld
) -> None:
    _orders(world)
    export_id = _ask(low.client("owner"))
    with world.scene.uow() as uow:
        uow.session.execute(update(User).where(User.id == world.users["owner"].id).values(is_active=False))
    report = run_exports_once(world.scene.factory)
    assert (report.finished, report.failed) == (0, 1)
    with world.scene.factory() as session:
        export = session.get_one(Export, export_id)
        assert export.status is ExportStatus.FAILED
        assert export.error == "the user who asked for this export can no longer sign in"
        assert contents.size(session, export_id, table=export_contents) == 0
        event = session.scalars(select(Event).where(Event.kind == "export.failed")).one()
        assert event.entity_id == export_id and event.payload["error"] == export.error


def test_an_export_whose_filter_no_longer_reads_fails_and_shows_why(world: WebWorld, low: WebWorld) -> None:
    _orders(world)
    client = low.client("owner")
    export_id = _ask(client)
    with world.scene.uow() as uow:
        uow.session.execute(update(Export).where(Export.id == export_id).values(params=[["sort", "bogus"]]))
    assert run_exports_once(world.scene.factory).failed == 1
    mine = client.get("/exports").text
    assert "Failed" in mine and "the list&#39;s filter is not valid" in mine
    assert client.get(f"/exports/{export_id}/download").status_code == 404


def test_the_worker_deletes_exports_after_seven_days(world: WebWorld, low: WebWorld) -> None:
    _orders(world)
    export_id = _ask(low.client("owner"))
    run_exports_once(world.scene.factory)
    with world.scene.factory() as session:
        assert contents.size(session, export_id, table=export_contents) > 0
    assert run_exports_once(world.scene.factory, now=utcnow() + timedelta(days=6)).expired == 0
    assert run_exports_once(world.scene.factory, now=utcnow() + timedelta(days=7, minutes=1)).expired == 1
    with world.scene.factory() as session:
        assert session.get(Export, export_id) is None
        assert session.scalar(select(func.count()).select_from(export_contents)) == 0
    assert low.client("owner").get(f"/exports/{export_id}/download").status_code == 404


def test_an_export_is_claimed_once_and_taken_up_again_when_its_worker_died(
    world: WebWorld, low: WebWorld
) -> None:
    _orders(world)
    export_id = _ask(low.client("owner"))
    now = utcnow()
    assert _claim(world.scene.factory, now) == export_id
    assert _claim(world.scene.factory, now) is None  # running
    assert _claim(world.scene.factory, now + STALE_AFTER + timedelta(seconds=1)) == export_id


def test_a_post_with_a_list_the_user_cannot_see_is_404(world: WebWorld, low: WebWorld) -> None:
    client = low.client("supplier-a")  # suppliers never see the customer master
    page = client.get("/exports")
    assert page.status_code == 200
    answer = client.post(
        "/exports",
        data={"list": "customers", "query": "", "dialect": "comma", "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    with world.scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Export)) == 0


def test_my_exports_needs_a_login(low: WebWorld) -> None:
    answer = low.client().get("/exports", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_money_in_a_csv_has_its_cents_even_when_whole() -> None:
    """Amounts come back from the database without trailing zeros (2737.0000 reads 2737): a money
    column still writes 2737,00 (German Excel) / 2737.00, and keeps a price's third decimal."""
    from decimal import Decimal

    from portal.web.csv_dialect import COMMA, SEMICOLON
    from portal.web.views.lists import _csv_cell

    def cell(value: Decimal, dialect: object, kind: str = "money") -> str:
        return _csv_cell(value, str, dialect, kind)  # type: ignore[arg-type]

    assert cell(Decimal("2737"), SEMICOLON) == "2737,00"
    assert cell(Decimal("2737.5"), COMMA) == "2737.50"
    assert cell(Decimal("158.125"), SEMICOLON) == "158,125"
    assert cell(Decimal("3"), SEMICOLON, "number") == "3"  # a quantity stays as it is
