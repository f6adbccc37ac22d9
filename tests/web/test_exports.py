"""The CSV export in the reader's spreadsheet dialect, and a reversed date range said aloud."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from lxml import html as lxml_html

from portal.web.csv_dialect import COMMA, SEMICOLON, dialect_for
from tests.web.conftest import WebWorld


def _orders_with_fraction(world: WebWorld) -> None:
    customer = world.scene.customer("Export GmbH", shared_with=("dealer-group",))
    world.scene.order(customer, dealer="dealer-group", supplier="supplier-a", quantities=(3, 1))


def _total_column(rows: list[list[str]]) -> int:
    return next(i for i, name in enumerate(rows[0]) if name in ("Net total", "Nettosumme", "Summe netto"))


def test_the_german_export_opens_in_columns_in_german_excel(world: WebWorld) -> None:
    _orders_with_fraction(world)
    client = world.client("dealer-group")
    response = client.get("/orders.csv", params={"lang": "de"})
    assert response.text.startswith("\ufeff")
    header = response.text.lstrip("\ufeff").splitlines()[0]
    assert ";" in header and "," not in header
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2 and len(rows[1]) == len(rows[0]) > 3
    money = [cell for cell in rows[1] if cell.replace(",", "").isdigit() and "," in cell]
    assert money, rows[1]  # amounts with a decimal comma
    assert not [cell for cell in rows[1] if cell.count(".") == 1 and cell.replace(".", "").isdigit()]


def test_the_english_export_uses_commas_and_points_and_the_other_dialect_is_offered(world: WebWorld) -> None:
    _orders_with_fraction(world)
    client = world.client("dealer-group")
    english = client.get("/orders.csv", params={"lang": "en"})
    rows = list(csv.reader(io.StringIO(english.text.lstrip("\ufeff"))))
    assert len(rows[1]) == len(rows[0]) > 3
    page = lxml_html.fromstring(client.get("/orders", params={"lang": "en"}).text)
    other = [href for href in page.xpath("//a/@href") if "dialect=semicolon" in href]
    assert other
    german_excel = client.get(other[0])
    assert ";" in german_excel.text.splitlines()[0]


def test_dialect_numbers() -> None:
    assert dialect_for("de") is SEMICOLON and dialect_for("en") is COMMA
    assert dialect_for("de", "comma") is COMMA
    assert SEMICOLON.number(Decimal("616.80")) == "616,80"
    assert COMMA.number(Decimal("-5.5")) == "-5.5"


def test_a_from_date_after_the_to_date_is_said(world: WebWorld) -> None:
    client = world.client("dealer-group")
    response = client.get("/orders", params={"from": "2026-05-01", "to": "2026-04-01", "lang": "en"})
    assert response.status_code == 200
    assert "The from-date is after the to-date" in response.text
    plain = client.get("/orders", params={"from": "2026-04-01", "to": "2026-05-01", "lang": "en"})
    assert "The from-date is after the to-date" not in plain.text
