"""Notification mails never tell anyone about what it may not read, and an unsubscribe link changes
only its own user's choices (issue #16, e-mail)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.access import get_visible, standing_user
from portal.config import Settings
from portal.db import make_sessionmaker
from portal.entities import BY_NAME
from portal.models import MailMessage, Notification, NotificationPreference, Order, User
from portal.notify.mailing import mail_notifications_once, unsubscribe_url
from portal.notify.notifier import notify_once
from tests.access.test_notify_isolation import _events
from tests.access.world import WorldSpec, build, worlds
from tests.builders import build_scene
from tests.conftest import wipe
from tests.notify.people import add_user
from tests.web.conftest import SECRET, WebWorld
from tests.web.conftest import world as world  # the web portal on the scene (a fixture)

SETTINGS = Settings(secret_key=SECRET, base_url="https://portal.example", data_dir=Path("/nonexistent"))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=worlds())
def test_no_mail_about_what_the_recipient_cannot_read(engine: Engine, spec: WorldSpec) -> None:
    factory = make_sessionmaker(engine)
    try:
        with factory() as session:
            facts = build(session, spec)
            owner_id = min(session.scalars(select(User.organization_id)))
            session.add_all(_events(session, owner_id))
            session.commit()
        notify_once(factory)
        with factory() as session:
            # Everyone wants every notification by mail; then every third user is deactivated and
            # every order is routed away from its supplier, after the rows were written.
            session.execute(update(Notification).values(email_state="pending"))
            gone = {uid for uid, (index,) in facts[User].items() if index % 3 == 2}
            session.execute(update(User).where(User.id.in_(gone)).values(is_active=False))
            session.execute(update(Order).values(supplier_id=None))
            session.commit()
        mail_notifications_once(factory, SETTINGS)
        with factory() as session:
            rows = {n.id: n for n in session.scalars(select(Notification))}
            mails = list(session.scalars(select(MailMessage)))
            assert not {m.user_id for m in mails} & gone, "a deactivated user was mailed"
            for mail in mails:
                row = rows[int(mail.dedupe_key.removeprefix("notification:"))]
                assert row.user_id == mail.user_id and row.email_state == "sent"
                principal = standing_user(session, row.user_id)
                assert principal is not None
                if row.entity in BY_NAME:
                    get_visible(
                        session, principal, BY_NAME[row.entity].model, row.entity_id
                    )  # raises if hidden
                assert row.kind != "order_routed", "mailed about an order routed away"
            assert all(n.email_state in {"sent", "skipped"} for n in rows.values())
            sent = {i for i, n in rows.items() if n.email_state == "sent"}
            assert {int(m.dedupe_key.removeprefix("notification:")) for m in mails} == sent
    finally:
        wipe(engine)


def test_another_organizations_user_gets_no_mail(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    told = add_user(scene, "supplier-a", "member")
    other = add_user(scene, "supplier-b", "admin")
    scene.order(scene.customer(), supplier="supplier-a")
    notify_once(factory)
    assert mail_notifications_once(factory, SETTINGS) == 1
    with factory() as session:
        assert [m.user_id for m in session.scalars(select(MailMessage))] == [told]
        assert other not in {n.user_id for n in session.scalars(select(Notification))}


def test_an_unsubscribe_link_changes_only_its_own_users_choice(
    world: WebWorld, factory: sessionmaker[Session]
) -> None:
    owner = world.users["supplier-a"]
    intruder = world.client("supplier-b")  # logged in as someone else: the token decides, not the session
    path = unsubscribe_url(SETTINGS, owner.id, "case_routed").removeprefix("https://portal.example")
    assert intruder.post(path).status_code == 200
    with factory() as session:
        prefs = [(p.user_id, p.kind) for p in session.scalars(select(NotificationPreference))]
    assert prefs == [(owner.id, "case_routed")]
    forged = path.rsplit("/", 1)[0] + "/" + "x" + path.rsplit("/", 1)[1][1:]
    assert intruder.post(forged).status_code == 400
