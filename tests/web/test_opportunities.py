"""Opportunity pages (issue #18.4): the pipeline board without JavaScript, the forecast, the form
that opens one, the stage form, and the list with its CSV export."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.models import OpportunityStage
from portal.opportunities import service as opportunities
from tests.web.conftest import WebWorld, post_form

SOON = date.today() + timedelta(days=10)


def _opportunity(world: WebWorld, *, by: str = "dealer-group", name: str = "Pumpentausch Rathaus") -> int:
    customer = world.scene.customer("Stadtwerke Nord", shared_with=("dealer-group",))
    with world.scene.uow() as uow:
        return opportunities.create_opportunity(
            uow=uow,
            principal=world.scene.p(by),
            customer_id=customer.id,
            name=name,
            expected_close=SOON,
            lines=[
                opportunities.NewOpportunityLine(product_id=world.scene.products[1].id, quantity=Decimal(3))
            ],
        ).id


def test_dealer_opens_an_opportunity_through_the_form(world: WebWorld) -> None:
    customer = world.scene.customer("Kunde Eins", shared_with=("dealer-group",))
    client = world.client("dealer-group")
    response = post_form(
        client,
        "/opportunities/new",
        "/opportunities/new",
        {
            "customer_id": str(customer.id),
            "name": "Heizung Schule",
            "expected_close": SOON.isoformat(),
            "stage": "proposal",
            "line-1-product": str(world.scene.products[0].id),
            "line-1-quantity": "2",
        },
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    page = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "Heizung Schule" in page.text and "25.00" in page.text  # 2 x 12.50
    assert "P-100" in page.text


def test_a_bad_form_names_every_wrong_field_and_keeps_what_was_typed(world: WebWorld) -> None:
    client = world.client("dealer-group")
    response = post_form(
        client,
        "/opportunities/new",
        "/opportunities/new",
        {"name": " ", "expected_close": "morgen", "probability": "viel", "note": "kept note"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    for field in ("customer_id", "name", "expected_close", "probability"):
        assert f'id="{field}-error"' in text, field
    assert "kept note" in text


def test_the_board_moves_a_card_without_javascript(world: WebWorld) -> None:
    ident = _opportunity(world)
    client = world.client("dealer-group")
    assert 'href="/pipeline"' in client.get("/").text  # the board is in the menu
    board = client.get("/pipeline")
    assert board.status_code == 200 and "Pumpentausch Rathaus" in board.text
    assert 'id="forecast"' in board.text
    response = post_form(
        client,
        "/pipeline",
        f"/opportunities/{ident}/stage",
        {"stage": "negotiation", "version": "1", "back": "pipeline"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/pipeline"  # type: ignore[attr-defined]
    with world.scene.uow() as uow:
        opp = opportunities.load_opportunity(uow, world.scene.p("owner"), ident)
        assert opp.stage is OpportunityStage.NEGOTIATION and opp.probability == 70


def test_winning_on_the_page_creates_the_order(world: WebWorld) -> None:
    ident = _opportunity(world)
    client = world.client("dealer-group")
    url = f"/opportunities/{ident}"
    response = post_form(client, url, f"{url}/stage", {"stage": "won", "version": "1"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = client.get(url)
    assert 'id="opportunity-order"' in page.text and "SO-" in page.text


def test_lost_without_reason_is_refused_at_the_field(world: WebWorld) -> None:
    ident = _opportunity(world)
    client = world.client("dealer-group")
    url = f"/opportunities/{ident}"
    response = post_form(client, url, f"{url}/stage", {"stage": "lost", "version": "1"})
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert 'id="lost_reason-error"' in response.text  # type: ignore[attr-defined]


def test_the_second_of_two_movers_is_told(world: WebWorld) -> None:
    ident = _opportunity(world)
    owner, dealer = world.client("owner"), world.client("dealer-group")
    url = f"/opportunities/{ident}"
    first = post_form(owner, url, f"{url}/stage", {"stage": "proposal", "version": "1"})
    assert first.status_code == 303  # type: ignore[attr-defined]
    second = post_form(dealer, url, f"{url}/stage", {"stage": "negotiation", "version": "1"})
    assert second.status_code == 409  # type: ignore[attr-defined]
    assert "changed this record meanwhile" in second.text  # type: ignore[attr-defined]


def test_another_dealers_opportunity_answers_like_a_missing_one(world: WebWorld) -> None:
    ident = _opportunity(world)
    other = world.client("dealer-other")
    assert other.get(f"/opportunities/{ident}").status_code == 404
    assert other.get(f"/opportunities/{ident + 1000}").status_code == 404
    assert "Pumpentausch Rathaus" not in other.get("/pipeline").text
    assert "Pumpentausch Rathaus" not in other.get("/opportunities").text
    assert "Pumpentausch Rathaus" not in other.get("/opportunities.csv").text
    assert world.client("supplier-a").get("/pipeline").status_code == 404
    assert 'href="/pipeline"' not in world.client("supplier-a").get("/").text
    assert world.client("supplier-a").get("/opportunities").status_code == 404


def test_list_and_csv_show_the_opportunity(world: WebWorld) -> None:
    _opportunity(world)
    client = world.client("dealer-group")
    assert "Pumpentausch Rathaus" in client.get("/opportunities?stage=open").text
    csv = client.get("/opportunities.csv")
    assert csv.status_code == 200 and "Pumpentausch Rathaus" in csv.text


def test_the_board_speaks_german(world: WebWorld) -> None:
    _opportunity(world)
    page = world.client("dealer-group").get("/pipeline?lang=de")
    assert "Prognose nach Monat" in page.text and "Verhandlung" in page.text


def test_the_forecast_shows_a_win_in_the_month_it_was_won(world: WebWorld) -> None:
    later = (date.today().replace(day=1) + timedelta(days=62)).replace(day=15)  # two months on
    customer = world.scene.customer("Wohnbau Süd", shared_with=("dealer-group",))
    with world.scene.uow() as uow:
        ident = opportunities.create_opportunity(
            uow=uow,
            principal=world.scene.p("dealer-group"),
            customer_id=customer.id,
            name="Früher Gewinn",
            expected_close=later,
            amount=Decimal("4321"),
        ).id
        opportunities.add_line(
            uow=uow,
            principal=world.scene.p("dealer-group"),
            opportunity_id=ident,
            line=opportunities.NewOpportunityLine(product_id=world.scene.products[0].id, quantity=Decimal(4)),
        )
        opportunities.move_stage(
            uow=uow, principal=world.scene.p("dealer-group"), opportunity_id=ident, stage=OpportunityStage.WON
        )
    board = world.client("dealer-group").get("/pipeline").text
    rows = board.split('id="forecast"')[1].split("<tbody>")[1].split("</tr>")
    won = [row.rsplit("<td", 1)[1] for row in rows[:3]]  # the last cell of a month: "Won"
    assert "50.00" in won[0] and "50.00" not in won[2], won
