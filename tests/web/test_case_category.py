"""A case's category: chosen when the case is opened, changed by who may edit the case's words,
shown and filterable in the case list and its export."""

from __future__ import annotations

import csv
import io

from portal.cases import service as cases
from portal.models import Case, CaseCategory
from tests.web.conftest import WebWorld, post_form


def _cases(world: WebWorld) -> dict[CaseCategory, Case]:
    made = {}
    with world.scene.uow() as uow:
        for category in (CaseCategory.COMPLAINT, CaseCategory.RETURN, CaseCategory.TECHNICAL):
            made[category] = cases.open_case(
                uow=uow,
                principal=world.scene.p("dealer-group"),
                subject=f"Fall {category}",
                category=category,
            )
    return made


def test_the_case_list_filters_by_category_and_shows_it_in_german(world: WebWorld) -> None:
    made = _cases(world)
    client = world.client("dealer-group")
    returns = client.get("/cases", params={"category": "return", "lang": "de"})
    assert returns.status_code == 200
    assert made[CaseCategory.RETURN].number in returns.text
    assert made[CaseCategory.COMPLAINT].number not in returns.text
    assert "Rücksendung" in returns.text and "Kategorie" in returns.text
    assert client.get("/cases", params={"category": "gossip"}).status_code == 400


def test_the_export_has_the_category_column_and_the_lists_filter(world: WebWorld) -> None:
    made = _cases(world)
    response = world.client("dealer-group").get("/cases.csv", params={"category": "technical"})
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    column = rows[0].index("Category")
    assert [(row[0], row[column]) for row in rows[1:]] == [(made[CaseCategory.TECHNICAL].number, "Technical")]


def test_a_case_is_opened_with_a_category_and_its_opener_changes_it(world: WebWorld) -> None:
    client = world.client("dealer-group")
    opened = post_form(
        client, "/cases/new", "/cases/new", {"subject": "Falsch geliefert", "category": "return"}
    )
    assert opened.status_code == 303, opened.text
    url = opened.headers["location"]
    case_id = int(url.rsplit("/", 1)[1])
    with world.scene.factory() as session:
        assert session.get_one(Case, case_id).category is CaseCategory.RETURN
    with world.scene.factory() as session:
        version = str(session.get_one(Case, case_id).version)
    edited = post_form(client, url, f"{url}/edit", {"version": version, "category": "complaint"})
    assert edited.status_code == 303, edited.text
    with world.scene.factory() as session:
        assert session.get_one(Case, case_id).category is CaseCategory.COMPLAINT
    wrong = post_form(client, url, f"{url}/edit", {"version": version, "category": "gossip"})
    assert wrong.status_code == 400
