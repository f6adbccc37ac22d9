"""Lists: search, filter, sort, keyset pages, and streamed CSV exports of exactly what is visible."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import Engine, event, update
from starlette.testclient import TestClient

from portal import stats
from portal.activities import service as activities
from portal.cases import service as cases
from portal.models import Invoice, LineResponse, MatchStatus, Order, OrderLine
from portal.orders import service as orders
from portal.web.i18n import TIMEZONE
from tests.web.conftest import WebWorld


def _orders(world: WebWorld, count: int, *, supplier: str = "supplier-a") -> list[Order]:
    customer = world.scene.customer(shared_with=("dealer-group",))
    return [
        world.scene.order(customer, by="dealer-group", supplier=supplier, quantities=(1,))
        for _ in range(count)
    ]


def _numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/orders/\d+">(SO-[\d-]+)</a>', html)


def test_search_finds_an_order_by_its_number(world: WebWorld) -> None:
    orders = _orders(world, 3)
    client = world.client("supplier-a")
    html = client.get("/orders", params={"q": orders[1].number}).text
    assert _numbers(html) == [orders[1].number]


def test_status_filter_and_sort_by_number(world: WebWorld) -> None:
    orders = _orders(world, 3)
    client = world.client("supplier-a")
    ascending = _numbers(client.get("/orders", params={"sort": "number", "dir": "asc"}).text)
    assert ascending == sorted(o.number for o in orders)
    descending = _numbers(client.get("/orders", params={"sort": "number", "dir": "desc"}).text)
    assert descending == list(reversed(ascending))
    assert _numbers(client.get("/orders", params={"status": "invoiced"}).text) == []


def test_keyset_pages_cover_every_row_once(world: WebWorld) -> None:
    orders = _orders(world, 53)
    client = world.client("supplier-a")
    first = client.get("/orders", params={"sort": "number", "dir": "asc"}).text
    following = re.search(r'rel="next" href="([^"]+)"', first)
    assert following
    second = client.get("/orders" + following.group(1).replace("&amp;", "&")).text
    seen = _numbers(first) + _numbers(second)
    assert len(_numbers(first)) == 50
    assert seen == sorted(o.number for o in orders)
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_a_malformed_cursor_is_a_bad_request(world: WebWorld) -> None:
    response = world.client("supplier-a").get("/orders", params={"after": "!!not-a-cursor"})
    assert response.status_code == 400


def test_csv_export_streams_exactly_what_the_user_may_see(world: WebWorld) -> None:
    mine = _orders(world, 3, supplier="supplier-a")
    theirs = _orders(world, 2, supplier="supplier-b")
    response = world.client("supplier-a").get("/orders.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Number", "Order date"]
    assert sorted(r[0] for r in rows[1:]) == sorted(o.number for o in mine)
    assert not {o.number for o in theirs} & {r[0] for r in rows}


def test_csv_export_pages_through_the_whole_list_with_a_connection_per_page(
    world: WebWorld, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("portal.web.views.lists.EXPORT_PAGE", 10)
    orders = _orders(world, 25)
    checkouts: list[object] = []

    def count(*args: object) -> None:
        checkouts.append(args)

    event.listen(engine, "checkout", count)
    try:
        response = world.client("supplier-a").get("/orders.csv", params={"sort": "number", "dir": "asc"})
    finally:
        event.remove(engine, "checkout", count)
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == sorted(o.number for o in orders)
    assert len(checkouts) >= 1 + 3  # the handler's unit of work, then one per page of ten


def test_csv_export_follows_the_list_filter_and_language(world: WebWorld) -> None:
    orders = _orders(world, 3)
    client = world.client("supplier-a")
    response = client.get("/orders.csv", params={"q": orders[0].number, "lang": "de"})
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))  # German Excel
    assert rows[0][0] == "Nummer"
    assert [r[0] for r in rows[1:]] == [orders[0].number]
    assert rows[1][4] == "Wartet auf Bestätigung"


def test_csv_cells_cannot_start_a_spreadsheet_formula() -> None:
    from portal.web.views.lists import _csv_cell

    assert _csv_cell("=HYPERLINK(1)", str) == "'=HYPERLINK(1)"
    assert _csv_cell("Müller GmbH", str) == "Müller GmbH"


def test_every_list_and_export_answers_for_each_kind_of_organization(world: WebWorld) -> None:
    customer = world.scene.customer(shared_with=("dealer-group",))
    order = world.scene.order(customer, by="dealer-group", supplier="supplier-a")
    world.scene.fulfil(order, "supplier-a")
    expected = {
        "owner": {"orders", "shipments", "invoices", "cases", "customers", "contacts", "activities"},
        "dealer-group": {"orders", "shipments", "cases", "customers", "contacts", "activities"},
        "supplier-a": {"orders", "shipments", "invoices", "cases"},
    }
    everything = expected["owner"]
    for who, allowed in expected.items():
        client = world.client(who)
        for name in everything:
            status = 200 if name in allowed else 404
            assert client.get(f"/{name}").status_code == status, (who, name)
            assert client.get(f"/{name}.csv").status_code == status, (who, name)


def _tile(html: str, label: str) -> int:
    found = re.search(r'<span class="num">([\d.,]+)</span><span>' + re.escape(label) + "</span>", html)
    assert found, f"no tile {label!r}"
    return int(found.group(1).replace(",", "").replace(".", ""))


def test_each_kind_of_organization_gets_its_own_dashboard_with_two_charts(world: WebWorld) -> None:
    orders = _orders(world, 3)
    world.scene.fulfil(orders[0], "supplier-a")
    supplier = world.client("supplier-a").get("/", params={"lang": "en"}).text
    dealer = world.client("dealer-group").get("/", params={"lang": "en"}).text
    owner = world.client("owner").get("/", params={"lang": "en"}).text
    assert _tile(supplier, "Orders waiting for confirmation") == 2
    assert 'id="h-waiting"' in supplier
    assert 'id="h-open"' not in supplier and 'id="h-partners"' not in supplier
    assert _tile(dealer, "Open customer orders") == 2
    assert 'id="h-today"' in dealer and 'id="h-sla"' in dealer and 'id="h-waiting"' not in dealer
    assert 'id="h-partners"' in owner and "Supplier A" in owner
    for html in (supplier, dealer, owner):
        assert html.count("<svg") >= 2
        assert "Orders per week" in html and "Cases by status" in html
    other = world.client("supplier-b").get("/", params={"lang": "en"}).text
    assert _tile(other, "Orders waiting for confirmation") == 0


def test_the_late_shipments_tile_leads_to_exactly_the_late_orders(world: WebWorld) -> None:
    orders = _orders(world, 4)
    world.scene.fulfil(orders[3], "supplier-a")  # shipped whole: never late
    past = date.today() - timedelta(days=3)
    with world.scene.uow() as uow:
        late_ids = [orders[0].id, orders[1].id, orders[3].id]
        uow.session.execute(
            update(OrderLine).where(OrderLine.order_id.in_(late_ids)).values(requested_date=past)
        )
    client = world.client("supplier-a")
    dashboard = client.get("/", params={"lang": "en"}).text
    assert _tile(dashboard, "Late shipments") == 2
    assert 'href="/orders?delivery=late"' in dashboard
    assert sorted(_numbers(client.get("/orders?delivery=late").text)) == sorted(o.number for o in orders[:2])
    export = client.get("/orders.csv?delivery=late").text
    exported = [row[0] for row in csv.reader(io.StringIO(export.lstrip("\ufeff")))][1:]
    assert sorted(exported) == sorted(o.number for o in orders[:2])
    assert _numbers(world.client("supplier-b").get("/orders?delivery=late").text) == []
    assert client.get("/orders?delivery=soon").status_code == 400


def test_the_late_list_shows_the_most_overdue_first_and_its_form_keeps_that_order(world: WebWorld) -> None:
    orders = _orders(world, 3)
    today = date.today()
    overdue = {orders[0].id: 2, orders[1].id: 9, orders[2].id: 5}  # days past due
    with world.scene.uow() as uow:
        for ident, days in overdue.items():
            uow.session.execute(
                update(OrderLine)
                .where(OrderLine.order_id == ident)
                .values(requested_date=today - timedelta(days=days))
            )
    client = world.client("supplier-a")
    page = client.get("/orders?delivery=late&lang=en").text
    assert _numbers(page) == [orders[1].number, orders[2].number, orders[0].number]
    assert "Due ▲" in page  # the column that orders it says so
    # the filter form carries no sort of its own: choosing "late" there gives the same order
    assert 'name="sort"' not in page.split("</form>")[0]
    chosen = client.get("/orders?delivery=late&sort=created_at&dir=desc").text
    assert _numbers(chosen) == [o.number for o in reversed(orders)]
    assert 'name="sort" value="created_at"' in chosen


# --- every dashboard tile opens exactly the set it counts (issue #10, items 1 and 2) -------------

_TILE = re.compile(
    r'<a class="tile[^"]*" href="([^"]+)">\s*<span class="num">([\d.,]+)</span><span>([^<]+)</span>'
)


def _row_count(client: TestClient, href: str) -> tuple[int, str]:
    """Rows of a list, over all its pages, and the first page's HTML."""
    count, url, first = 0, href, ""
    while url:
        page = client.get(url)
        assert page.status_code == 200, (url, page.text[:300])
        first = first or page.text
        count += page.text.count('<tr><td data-label="')
        found = re.search(r'<a rel="next" href="([^"]+)"', page.text)
        url = unescape(found.group(1)) if found else ""
        if url.startswith("?"):
            url = href.split("?")[0] + url
    return count, first


def _busy_world(world: WebWorld) -> None:
    """More than a preview list holds of everything a tile counts, and rows just outside each set."""
    scene = world.scene
    customer = scene.customer(shared_with=("dealer-group", "partner"))
    routed = _orders(world, 4)
    scene.fulfil(routed[0], "supplier-a")
    scene.fulfil(routed[1], "supplier-a")
    with scene.uow() as uow:
        uow.session.execute(
            update(Invoice)
            .where(Invoice.order_id == routed[0].id)
            .values(due_date=date.today() - timedelta(days=1))
        )
    partly = scene.order(customer, by="dealer-group", supplier="supplier-a", quantities=(1, 2))
    with scene.uow() as uow:
        orders.respond_to_order(  # one line of two answered: partially confirmed, still waiting
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=partly.id,
            answers=[orders.LineAnswer(line_no=1, action=LineResponse.ACCEPTED)],
        )
    scene.order(customer, by="dealer-group")  # a draft: open, not waiting
    now = datetime.now(UTC)
    with scene.uow() as uow:
        owner = scene.p("owner")
        for n, routed_to in enumerate(["dealer-group"] * 10 + ["partner"] * 10):
            cases.open_case(
                uow=uow,
                principal=owner,
                subject=f"Überfällig {n}",
                customer_id=customer.id,
                routed_to_id=scene.orgs[routed_to].id,
                now=now - timedelta(days=10 + n),
            )
        cases.open_case(uow=uow, principal=owner, subject="Neu", customer_id=customer.id, now=now)
        done = cases.open_case(
            uow=uow,
            principal=owner,
            subject="Erledigt",
            customer_id=customer.id,
            routed_to_id=scene.orgs["dealer-group"].id,
            now=now - timedelta(days=40),
        )
    with scene.uow() as uow:
        cases.change_status(uow=uow, principal=scene.p("owner"), case_id=done.id, action="resolve")
    today = datetime.now(TIMEZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    with scene.uow() as uow:
        owner = scene.p("owner")
        for n in range(24):
            start = today + timedelta(hours=7, minutes=20 * n)
            activities.schedule_appointment(
                uow=uow,
                principal=owner,
                customer_id=customer.id,
                subject=f"Termin {n}",
                starts_at=start,
                ends_at=start + timedelta(minutes=15),
            )
        for day in (-1, 1):  # yesterday's and tomorrow's are not today's
            start = today + timedelta(days=day, hours=9)
            activities.schedule_appointment(
                uow=uow,
                principal=owner,
                customer_id=customer.id,
                subject="Anderer Tag",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
            )


@pytest.mark.parametrize("who", ["owner", "dealer-group", "supplier-a", "partner"])
def test_every_dashboard_tile_counts_exactly_the_rows_of_the_list_it_opens(world: WebWorld, who: str) -> None:
    _busy_world(world)
    client = world.client(who)
    dashboard = client.get("/", params={"lang": "en"}).text
    tiles = {
        unescape(label).split(" · ")[0]: (unescape(href), _tile(dashboard, unescape(label)))
        for href, _n, label in _TILE.findall(dashboard)
    }
    expected = {
        "owner": {
            "Orders waiting for confirmation": 3,
            "Cases near or past their SLA": 20,
            "Appointments today": 24,
        },
        "dealer-group": {
            "Open customer orders": 4,
            "Cases near or past their SLA": 10,
            "Appointments today": 24,
        },
        "supplier-a": {"Orders waiting for confirmation": 3, "Open invoices": 1, "Late shipments": 0},
        "partner": {"Cases near or past their SLA": 10, "Appointments today": 24},
    }[who]
    for label, figure in expected.items():
        assert tiles[label][1] == figure, (label, tiles[label])
    assert len(tiles) >= 3
    for label, (href, figure) in tiles.items():
        rows, first = _row_count(client, href)
        assert rows == figure, (who, label, href)
        if label == "Cases near or past their SLA":  # most urgent first, none resolved
            assert "Überfällig 19" in first or "Überfällig 9" in first
            assert "Erledigt" not in first
        if label == "Appointments today":
            assert first.index("Termin 0<") < first.index("Termin 1<") and "Anderer Tag" not in first


def test_the_by_partner_table_counts_a_dealers_open_orders(world: WebWorld) -> None:
    customer = world.scene.customer(shared_with=("dealer-group",))
    for _ in range(3):
        world.scene.order(customer, by="dealer-group", supplier="supplier-a")
    with world.scene.factory() as session:
        rows = {org: n for org, n, _cases in stats.by_partner(session, world.scene.p("owner"))}
    assert rows[world.scene.orgs["dealer-group"].id] == 3
    assert rows[world.scene.orgs["supplier-a"].id] == 3


_FLAG = re.compile(r'<a class="tile-flag" href="([^"]+)">([\d.,]+) over-billed</a>')


@pytest.mark.parametrize("who", ["supplier-a", "owner"])
def test_the_over_billed_figure_links_to_exactly_the_open_over_billed_invoices(
    world: WebWorld, who: str
) -> None:
    mine = _orders(world, 3)
    theirs = _orders(world, 1, supplier="supplier-b")
    for order in mine:
        world.scene.fulfil(order, "supplier-a")
    world.scene.fulfil(theirs[0], "supplier-b")
    over_billed = [mine[0].id, mine[1].id, theirs[0].id]
    with world.scene.uow() as uow:
        uow.session.execute(
            update(Invoice)
            .where(Invoice.order_id.in_(over_billed))
            .values(match_status=MatchStatus.OVER_BILLED)
        )
        uow.session.execute(  # over-billed but due: not open, so neither counted nor listed
            update(Invoice)
            .where(Invoice.order_id == mine[1].id)
            .values(due_date=date.today() - timedelta(days=1))
        )
    client = world.client(who)
    dashboard = client.get("/", params={"lang": "en"}).text
    found = _FLAG.search(dashboard)
    assert found, "the over-billed figure is no link"
    href, figure = unescape(found.group(1)), int(found.group(2))
    assert "match=over_billed" in href and "state=open" in href
    assert figure == (1 if who == "supplier-a" else 2)
    rows, first = _row_count(client, href)
    assert rows == figure
    assert (
        f"INV-{mine[0].id}" in first and f"INV-{mine[1].id}" not in first and f"INV-{mine[2].id}" not in first
    )
