"""Notifications by e-mail: inbox rows whose ``email_state`` is ``pending`` (immediately) or
``digest`` (once a day) become mails in the mail outbox (`portal.notify.mail.enqueue_mail`).

A worker step (`portal exchange run`, after `notify_once`, before `send_mail_once`). Before a row
is mailed the recipient is checked again exactly as the notifier checked it
(`portal.notify.recipients.Directory`: the principal as it stands, `portal.access.rule_for` on the
object, the user's current choice for the kind): a user deactivated, moved or who turned e-mail
off since the row was written gets nothing and the row becomes ``skipped``.

Exactly once: rows are claimed ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one writer);
the mail and the new state commit in one transaction; the dedupe key (``notification:<id>``,
``digest:<user>:<date>``) makes a second enqueue a no-op whatever happens.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import standing_user
from portal.config import Settings
from portal.db import UnitOfWork, unit_of_work
from portal.models import ApiToken, Case, Customer, ExchangeRecord, MailMessage, Notification, Order, User
from portal.models.base import utcnow
from portal.notify import service
from portal.notify.language import gettext_for
from portal.notify.mail import enqueue_mail
from portal.notify.mail.render import pick_locale
from portal.notify.recipients import Directory
from portal.notify.rules import RULE_OF, Choice, Email, Kind, link, title

BATCH = 200
DIGEST_ZONE = ZoneInfo("Europe/Berlin")
DIGEST_HOUR = time(7, 0)  # local time of the daily digest (the first pass after it sends it)
DIGEST_ALL = "digest"  # the unsubscribe "kind" of a digest: every kind now sent by digest

# What a notification is checked on again before it is mailed: the object it links to.
CHECKED_ON: dict[str, type[Any]] = {
    "order": Order,
    "case": Case,
    "customer": Customer,
    "exchange_record": ExchangeRecord,
    "api_token": ApiToken,
}

_SALT = "portal.notify.unsubscribe"
# Where mail links point when PORTAL_BASE_URL is unset (`portal exchange run` warns at start).
DEFAULT_BASE_URL = "http://localhost:8000"


# --- the unsubscribe token --------------------------------------------------------------------------


def unsubscribe_token(secret_key: str, user_id: int, kind: str) -> str:
    """A signed (not encrypted) token naming the user and the kind to turn e-mail off for."""
    return str(URLSafeSerializer(secret_key, salt=_SALT).dumps([user_id, kind]))


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str] | None:
    """(user id, kind) of a token this portal signed; None for anything else (tampered, foreign)."""
    try:
        data = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], int)
        or not isinstance(data[1], str)
        or (data[1] not in RULE_OF and data[1] != DIGEST_ALL)
    ):
        return None
    return data[0], data[1]


def unsubscribe_url(settings: Settings, user_id: int, kind: str) -> str:
    return (
        f"{_base(settings)}/notifications/unsubscribe/{unsubscribe_token(settings.secret_key, user_id, kind)}"
    )


def _base(settings: Settings) -> str:
    return (settings.base_url or DEFAULT_BASE_URL).rstrip("/")


# --- the worker step ---------------------------------------------------------------------------------


def mail_notifications_once(
    factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> int:
    """Queue mails for pending notifications and for due digests; returns the mails queued."""
    now = now or utcnow()
    queued = 0
    while True:
        count, more = _immediate_batch(factory, settings)
        queued += count
        if not more:
            break
    queued += _digests(factory, settings, now)
    return queued


def _claim(session: Session, state: str, *, user_id: int | None = None) -> list[Notification]:
    stmt = (
        select(Notification).where(Notification.email_state == state).order_by(Notification.id).limit(BATCH)
    )
    if user_id is not None:
        stmt = stmt.where(Notification.user_id == user_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def still_readable(directory: Directory, rows: Sequence[Notification]) -> set[int]:
    """Ids of ``rows`` whose user is active, may still read the object (the notifier's check) and
    still wants e-mail for the kind."""
    wanted: dict[tuple[int, type[Any]], set[int]] = defaultdict(set)
    for row in rows:
        model = CHECKED_ON.get(row.entity)
        if model is not None:
            wanted[(row.user_id, model)].add(row.entity_id)
    readable = directory.readable(wanted)
    ok: set[int] = set()
    for row in rows:
        if directory.principal(row.user_id) is None:
            continue
        model = CHECKED_ON.get(row.entity)
        if model is not None and (row.user_id, model, row.entity_id) not in readable:
            continue
        if row.kind not in RULE_OF or directory.choice(row.user_id, Kind(row.kind)).email is Email.OFF:
            continue
        ok.add(row.id)
    return ok


def _entry(row: Notification, gettext: Any, settings: Settings) -> dict[str, str]:
    return {
        "title": title(row.kind, row.payload, gettext),
        "link": _base(settings) + link(row.entity, row.entity_id, row.payload),
        "kind": gettext(RULE_OF[row.kind].label) if row.kind in RULE_OF else row.kind,
    }


def _headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _immediate_batch(factory: sessionmaker[Session], settings: Settings) -> tuple[int, bool]:
    queued = 0
    with unit_of_work(factory) as uow:
        session = uow.session
        rows = _claim(session, "pending")
        if not rows:
            return 0, False
        directory = Directory(session)
        ok = still_readable(directory, rows)
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in rows})))}
        for row in rows:
            user = users.get(row.user_id)
            if row.id not in ok or user is None:
                row.email_state = "skipped"
                continue
            locale = pick_locale(user.locale)
            url = unsubscribe_url(settings, user.id, row.kind)
            context = {
                "name": user.name,
                **_entry(row, gettext_for(locale), settings),
                "unsubscribe_url": url,
            }
            if enqueue_mail(
                session,
                to=user.email,
                user_id=user.id,
                locale=locale,
                template="notification",
                context=context,
                dedupe_key=f"notification:{row.id}",
                headers=_headers(url),
            ):
                queued += 1
            row.email_state = "sent"
        session.flush()
    return queued, len(rows) == BATCH


def digest_date(now: datetime) -> date:
    """The day whose digest is due at ``now``: today after 07:00 Berlin time, else yesterday."""
    local = now.astimezone(DIGEST_ZONE)
    return local.date() if local.time() >= DIGEST_HOUR else local.date() - timedelta(days=1)


def _digests(factory: sessionmaker[Session], settings: Settings, now: datetime) -> int:
    day = digest_date(now)
    with factory() as session:
        user_ids = list(
            session.scalars(
                select(Notification.user_id).where(Notification.email_state == "digest").distinct()
            )
        )
    queued = 0
    for user_id in sorted(user_ids):
        queued += _digest_of(factory, settings, user_id, day)
    return queued


def _digest_of(factory: sessionmaker[Session], settings: Settings, user_id: int, day: date) -> int:
    key = f"digest:{user_id}:{day.isoformat()}"
    with unit_of_work(factory) as uow:
        session = uow.session
        if session.scalar(select(MailMessage.id).where(MailMessage.dedupe_key == key)) is not None:
            return 0  # today's digest went out: these wait for tomorrow's
        rows = _claim(session, "digest", user_id=user_id)
        user = session.get(User, user_id)
        if not rows or user is None:
            return 0
        ok = still_readable(Directory(session), rows)
        keep = [row for row in rows if row.id in ok]
        for row in rows:
            if row.id not in ok:
                row.email_state = "skipped"
        if not keep:
            session.flush()
            return 0
        locale = pick_locale(user.locale)
        gettext = gettext_for(locale)
        url = unsubscribe_url(settings, user.id, DIGEST_ALL)
        sent = enqueue_mail(
            session,
            to=user.email,
            user_id=user.id,
            locale=locale,
            template="digest",
            context={
                "name": user.name,
                "entries": [_entry(row, gettext, settings) for row in keep],
                "day": day.isoformat(),
                "unsubscribe_url": url,
            },
            dedupe_key=key,
            headers=_headers(url),
        )
        if sent:
            for row in keep:
                row.email_state = "sent"
        session.flush()
    return 1 if sent else 0


# --- unsubscribing -------------------------------------------------------------------------------------


def turn_email_off(uow: UnitOfWork, user_id: int, kind: str) -> list[str]:
    """What an unsubscribe link does: e-mail off for ``kind`` (``digest``: for every kind the user
    now gets by digest), the inbox choice kept; through the preferences service, as the user
    would on the preferences page. Returns the kinds changed; raises LookupError if the user is
    gone or deactivated."""
    principal = standing_user(uow.session, user_id)
    if principal is None:
        raise LookupError(user_id)
    changed = {
        p.rule.kind.value: Choice(p.choice.inbox, Email.OFF, p.choice.lead_minutes)
        for p in service.preferences(uow.session, principal)
        if (p.rule.kind.value == kind and p.choice.email is not Email.OFF)
        or (kind == DIGEST_ALL and p.choice.email is Email.DIGEST)
    }
    if changed:
        service.set_preferences(uow, principal, changed)
    return sorted(changed)
