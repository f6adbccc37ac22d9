"""Notifications by e-mail (portal.notify.mailing) against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.models import MailMessage, Notification, NotificationPreference, Order, User
from portal.notify.mail import send_mail_once
from portal.notify.mailing import digest_date, mail_notifications_once, unsubscribe_url
from portal.notify.notifier import notify_once
from portal.notify.rules import Email
from tests.builders import Scene, build_scene
from tests.notify.people import add_user
from tests.notify.smtp import SmtpServer, part
from tests.web.conftest import SECRET, WebWorld

MORNING = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)  # 08:30 in Berlin: after the digest hour


def states(factory: sessionmaker[Session], user_id: int) -> list[str]:
    with factory() as session:
        return list(
            session.scalars(
                select(Notification.email_state)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )


def mails_to(factory: sessionmaker[Session], user_id: int) -> list[MailMessage]:
    with factory() as session:
        return list(session.scalars(select(MailMessage).where(MailMessage.user_id == user_id)))


def set_locale(scene: Scene, user_id: int, locale: str) -> None:
    with scene.uow() as uow:
        user = uow.session.get(User, user_id)
        assert user is not None
        user.locale = locale


def test_routed_order_mails_the_supplier_once_with_link_and_unsubscribe(
    factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    german = add_user(scene, "supplier-a", "member")
    set_locale(scene, german, "de")
    other = add_user(scene, "supplier-b", "member")
    order = scene.order(scene.customer(), supplier="supplier-a")
    notify_once(factory)
    assert states(factory, supplier) == ["pending"]  # order_routed: e-mail immediately by default

    assert mail_notifications_once(factory, mail_settings, now=MORNING) == 2
    assert mail_notifications_once(factory, mail_settings, now=MORNING) == 0  # twice: once
    assert send_mail_once(factory, mail_settings) == 2
    received = smtp.mailbox.wait_for(2)
    by_to = {m["To"]: m for m in received}
    with factory() as session:
        emails = {u.id: u.email for u in session.scalars(select(User))}
        number = session.get(Order, order.id).number  # type: ignore[union-attr]
    english, deutsch = by_to[emails[supplier]], by_to[emails[german]]
    assert english["Subject"] == f"Order {number} was routed to you"
    assert deutsch["Subject"] != english["Subject"] and number in deutsch["Subject"]
    assert f"https://portal.example/orders/{order.id}" in part(english, "plain")
    assert english["List-Unsubscribe"].startswith("<https://portal.example/notifications/unsubscribe/")
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert states(factory, supplier) == ["sent"]
    assert mails_to(factory, other) == [] and states(factory, other) == []
    assert [m.dedupe_key for m in mails_to(factory, supplier)] == [
        f"notification:{n}" for n in _ids(factory, supplier)
    ]


def _ids(factory: sessionmaker[Session], user_id: int) -> list[int]:
    with factory() as session:
        return list(session.scalars(select(Notification.id).where(Notification.user_id == user_id)))


def test_lost_access_and_deactivated_users_get_nothing(
    factory: sessionmaker[Session], mail_settings: Settings
) -> None:
    scene = build_scene(factory)
    moved = add_user(scene, "supplier-a", "member")
    leaving = add_user(scene, "supplier-a", "member")
    staying = add_user(scene, "supplier-a", "admin")
    order = scene.order(scene.customer(), supplier="supplier-a")
    second = scene.order(scene.customer(), supplier="supplier-b")
    notify_once(factory)
    with scene.uow() as uow:
        uow.session.get(User, moved).organization_id = scene.orgs["supplier-b"].id  # type: ignore[union-attr]
        uow.session.get(User, leaving).is_active = False  # type: ignore[union-attr]
    assert mail_notifications_once(factory, mail_settings, now=MORNING) == 1
    assert states(factory, moved) == ["skipped"]
    assert states(factory, leaving) == ["skipped"]
    assert states(factory, staying) == ["sent"]
    assert mails_to(factory, moved) == [] and mails_to(factory, leaving) == []
    assert [m.dedupe_key for m in mails_to(factory, staying)] == [f"notification:{_ids(factory, staying)[0]}"]
    assert second.id != order.id


def test_digest_collects_several_into_one_mail_once_a_day(
    factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    scene = build_scene(factory)
    dealer = add_user(scene, "dealer-other", "member")  # customer_shared: daily digest by default
    from portal.customers import service as customers

    first = [scene.customer() for _ in range(2)]
    with scene.uow() as uow:
        for customer in first:
            customers.share_customer(
                uow=uow, principal=scene.p("owner"), customer_id=customer.id,
                organization_id=scene.orgs["dealer-other"].id,
            )  # fmt: skip
    notify_once(factory)
    assert states(factory, dealer) == ["digest", "digest"]
    early = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)  # 06:30 in Berlin: yesterday's digest is due
    assert digest_date(early).isoformat() == "2026-12-06"
    assert digest_date(MORNING).isoformat() == "2026-12-07"

    assert mail_notifications_once(factory, mail_settings, now=MORNING) == 1
    assert mail_notifications_once(factory, mail_settings, now=MORNING + timedelta(hours=1)) == 0
    assert states(factory, dealer) == ["sent", "sent"]
    assert send_mail_once(factory, mail_settings) == 1
    (mail,) = smtp.mailbox.wait_for(1)
    text = part(mail, "plain")
    for customer in first:
        assert f"https://portal.example/customers/{customer.id}" in text
    assert "2 notifications" in mail["Subject"]

    later = scene.customer()
    with scene.uow() as uow:
        customers.share_customer(
            uow=uow, principal=scene.p("owner"), customer_id=later.id,
            organization_id=scene.orgs["dealer-other"].id,
        )  # fmt: skip
    notify_once(factory)
    assert mail_notifications_once(factory, mail_settings, now=MORNING + timedelta(hours=3)) == 0  # same day
    assert states(factory, dealer)[-1] == "digest"
    assert mail_notifications_once(factory, mail_settings, now=MORNING + timedelta(days=1)) == 1  # next day
    assert states(factory, dealer)[-1] == "sent"
    assert sorted(m.dedupe_key for m in mails_to(factory, dealer)) == [
        f"digest:{dealer}:2026-12-07",
        f"digest:{dealer}:2026-12-08",
    ]


def test_unsubscribe_link_turns_that_kind_off_and_refuses_a_tampered_token(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    settings = Settings(secret_key=SECRET, base_url="https://portal.example")
    user = world.users["supplier-a"]
    url = unsubscribe_url(settings, user.id, "order_routed")
    path = url.removeprefix("https://portal.example")
    client = world.client()
    page = client.get(path, params={"lang": "de"})
    assert page.status_code == 200 and "Diese E-Mails abbestellen" in page.text
    english = client.get(path, params={"lang": "en"})
    assert "Stop these e-mails" in english.text and "Order routed to you" in english.text
    with factory() as session:
        assert (
            session.scalars(
                select(NotificationPreference).where(NotificationPreference.user_id == user.id)
            ).all()
            == []
        )
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})  # as a mail program sends it
    assert done.status_code == 200 and "You will get no more e-mails for: Order routed to you" in done.text
    with factory() as session:
        pref = session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        ).one()
        assert (pref.kind, pref.email, pref.inbox) == ("order_routed", Email.OFF.value, True)

    token = path.rsplit("/", 1)[1]
    tampered = path.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    refused = client.post(tampered)
    assert refused.status_code == 400 and "This unsubscribe link is not valid" in refused.text
    refused_de = client.get(tampered, params={"lang": "de"})
    assert refused_de.status_code == 400 and "Dieser Abmeldelink ist ungültig" in refused_de.text
    foreign = unsubscribe_url(dataclasses.replace(settings, secret_key="another"), user.id, "case_routed")
    assert client.post(foreign.removeprefix("https://portal.example")).status_code == 400
    with factory() as session:
        assert [p.kind for p in session.scalars(select(NotificationPreference))] == ["order_routed"]
