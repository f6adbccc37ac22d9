"""Tenant isolation of subscriptions on a real `portal serve` over a real WebSocket: a change on
another organization's side, made first, never arrives; the subscriber's own change does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from portal.cases import service as cases
from portal.gql.ids import encode_id
from tests.e2e.server import portal_serve, world
from tests.e2e.test_subscriptions import CASE_EVENTS, ORDER_EVENTS, Live, latest_cursor, next_event, subscribe

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = Path(tmp_path_factory.mktemp("isolation"))
    with world(tmp) as w, portal_serve(w.url, tmp) as server:
        yield Live(w, server, {})


def order_for(live: Live, slug: str) -> Callable[[], tuple[str, int]]:
    def make() -> tuple[str, int]:
        s = live.world.scene
        if slug.startswith("dealer"):
            order = s.order(s.customer(f"Kunde {slug}", shared_with=(slug,)), dealer=slug)
        else:
            order = s.order(s.customer(f"Kunde {slug}"), supplier=slug)
        return "Order", order.id

    return make


def case_for(live: Live, slug: str) -> Callable[[], tuple[str, int]]:
    def make() -> tuple[str, int]:
        s = live.world.scene
        with s.uow() as uow:
            case = cases.open_case(
                uow=uow, principal=s.p("owner"), subject=f"Fall {slug}", routed_to_id=s.orgs[slug].id
            )
        return "Case", case.id

    return make


PAIRS = [
    ("supplier-a", "supplier-b", "orderEvents"),
    ("supplier-b", "supplier-a", "orderEvents"),
    ("dealer-branch", "dealer-other", "orderEvents"),
    ("dealer-other", "dealer-group", "orderEvents"),
    ("partner", "dealer-other", "caseEvents"),
    ("dealer-other", "partner", "caseEvents"),
]


@pytest.mark.parametrize(("mine", "theirs", "field"), PAIRS)
def test_a_subscription_never_delivers_another_organizations_change(
    live: Live, mine: str, theirs: str, field: str
) -> None:
    change = order_for if field == "orderEvents" else case_for
    query = ORDER_EVENTS if field == "orderEvents" else CASE_EVENTS
    with subscribe(live.server, live.world.token(mine), query, {"after": latest_cursor(live)}) as ws:
        change(live, theirs)()
        type_name, own = change(live, mine)()
        event = next_event(ws, field)
    assert event["entityId"] == encode_id(type_name, own)
