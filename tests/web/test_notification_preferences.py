"""/notifications/preferences offers each user exactly the kinds it can be told of (derived from the
rules' audience, which the notifier obeys too), reminder lead times in words, and no stale
sentence about mail delivery."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.models import Notification, OrgKind
from portal.notify import service
from portal.notify.notifier import notify_once
from portal.notify.rules import AUDIENCE, PERSONAL, RULES, Kind, may_be_told, rules_for
from tests.builders import build_scene
from tests.notify.people import add_user, as_user
from tests.web.conftest import WebWorld, post_form


def kinds_on_page(html: str) -> set[str]:
    return set(re.findall(r'<th scope="row" id="k-([a-z_]+)">', html))


def test_each_role_is_offered_only_the_kinds_it_can_receive(world: WebWorld) -> None:
    supplier = kinds_on_page(world.client("supplier-a").get("/notifications/preferences").text)
    assert "order_routed" in supplier and "invoice_paid" in supplier
    assert not {"customer_shared", "appointment_reminder", "lead_offered", "invoice_overbilled"} & supplier
    dealer = kinds_on_page(world.client("dealer-group").get("/notifications/preferences").text)
    assert {"customer_shared", "order_lines_changed", "lead_offered"} <= dealer
    assert not {"order_routed", "invoice_paid", "invoice_overbilled"} & dealer
    owner = kinds_on_page(world.client("owner").get("/notifications/preferences").text)
    assert {"invoice_overbilled", "case_sla_breached", "webhook_disabled"} <= owner
    assert not {"order_routed", "customer_shared"} & owner


def test_saving_the_offered_kinds_works(world: WebWorld) -> None:
    client = world.client("supplier-a")
    page = client.get("/notifications/preferences").text
    data = {f"{kind}.email": "off" for kind in kinds_on_page(page)}
    response = post_form(client, "/notifications/preferences", "/notifications/preferences", data)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert 'value="off" selected' in client.get("/notifications/preferences").text


def test_lead_times_read_in_words_and_the_stale_sentence_is_gone(world: WebWorld) -> None:
    client = world.client("dealer-group")
    german = client.get("/notifications/preferences", params={"lang": "de"}).text
    for words in ("1 Tag", "2 Stunden", "30 Minuten"):
        assert f">{words}</option>" in german, words
    assert "sobald der Mailversand" not in german
    english = client.get("/notifications/preferences", params={"lang": "en"}).text
    assert ">1 day</option>" in english and ">2 hours</option>" in english and ">1 hour</option>" in english
    assert "once the portal's mail delivery is set up" not in english


def test_every_kind_names_its_audience_and_somebody_hears_of_it() -> None:
    assert set(AUDIENCE) == set(Kind)
    for rule in RULES:
        if AUDIENCE[rule.kind] is PERSONAL:
            continue
        assert any(
            may_be_told(rule.kind, kind.value, frozenset({role}))
            for kind in OrgKind
            for role in ("admin", "member", "sales", "support", "viewer")
        ), rule.kind
    assert [r.kind for r in rules_for("owner", frozenset({"viewer"}))] == [
        r.kind for r in RULES if AUDIENCE[r.kind] in (PERSONAL,) or "owner" in AUDIENCE[r.kind]
    ]


def test_the_notifier_tells_nobody_outside_the_kinds_audience(factory: sessionmaker[Session]) -> None:
    """A routed order reaches the supplier's users, not the owner's admins (who could read it)."""
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    admin = add_user(scene, "owner", "admin")
    scene.order(scene.customer(), supplier="supplier-a")
    notify_once(factory)
    with factory() as session:
        offered = {p.rule.kind for p in service.preferences(session, as_user(scene, admin))}
        told = set(session.scalars(select(Notification.user_id).where(Notification.kind == "order_routed")))
    assert Kind.ORDER_ROUTED not in offered
    assert supplier in told and admin not in told
