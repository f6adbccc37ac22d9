"""The mail outbox against a real SMTP server on loopback (aiosmtpd): rendering in the recipient's
language, temporary and permanent failures, a server that is gone, a worker that dies after its
claim, and no second delivery after a recorded success."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import unit_of_work
from portal.exchange.worker import run_once
from portal.models import MailMessage, MailStatus
from portal.models.base import utcnow
from portal.notify.mail import claim_due, enqueue_mail, send_mail_once
from portal.notify.mail.sender import LEASE, backoff
from tests.notify.smtp import SmtpServer, part, smtp_server


def queue(
    factory: sessionmaker[Session], key: str = "k1", *, locale: str = "de", name: str = "Jana <b>"
) -> bool:
    with unit_of_work(factory) as uow:
        return enqueue_mail(
            uow.session,
            to="jana@dealer.example",
            user_id=None,
            locale=locale,
            template="password_reset",
            context={
                "name": name,
                "email": "jana@dealer.example",
                "link": "https://portal.example/password/reset/abc",
                "unsubscribe_url": "https://portal.example/account/notifications",
            },
            dedupe_key=key,
        )


def row(factory: sessionmaker[Session]) -> MailMessage:
    with factory() as session:
        found = session.scalars(select(MailMessage)).one()
        session.expunge(found)
        return found


def test_a_queued_mail_arrives_with_both_parts_in_the_recipients_language(
    factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    assert queue(factory) is True
    assert queue(factory) is False  # the same dedupe key: nothing more queued
    assert send_mail_once(factory, mail_settings) == 1
    [mail] = smtp.mailbox.wait_for(1)
    assert mail["Subject"] == "Neues Passwort für das Portal festlegen"
    assert mail["To"] == "jana@dealer.example"
    assert mail["From"] == "Portal <portal@portal.example>"
    assert mail["List-Unsubscribe"] == "<https://portal.example/account/notifications>"
    text = part(mail, "plain")
    html = part(mail, "html")
    assert "Hallo Jana <b>," in text and "https://portal.example/password/reset/abc" in text
    assert 'href="https://portal.example/password/reset/abc"' in html
    assert "Jana &lt;b&gt;" in html and "<b>" not in html.replace("<body", "")  # escaped in HTML
    sent = row(factory)
    assert sent.status is MailStatus.SENT and sent.sent_at is not None and sent.attempts == 1


def test_english_for_english_and_unknown_languages(
    factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    queue(factory, "en", locale="en")
    queue(factory, "fr", locale="fr")
    assert send_mail_once(factory, mail_settings) == 2
    subjects = {m["Subject"] for m in smtp.mailbox.wait_for(2)}
    assert subjects == {"Set a new password for the portal"}


def test_451_then_ok_is_delivered_once_after_a_retry(
    factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    smtp.mailbox.answers = ["451 4.3.0 Try again later"]
    queue(factory)
    now = utcnow()
    assert send_mail_once(factory, mail_settings, now=now) == 0
    waiting = row(factory)
    assert waiting.status is MailStatus.QUEUED and waiting.attempts == 1
    assert waiting.last_error is not None and waiting.last_error.startswith("451")
    assert waiting.next_attempt_at == now + backoff(1)
    assert send_mail_once(factory, mail_settings, now=now + timedelta(seconds=30)) == 0  # not due yet
    assert send_mail_once(factory, mail_settings, now=now + backoff(1)) == 1
    assert len(smtp.mailbox.wait_for(1)) == 1
    done = row(factory)
    assert done.status is MailStatus.SENT and done.attempts == 2
    assert send_mail_once(factory, mail_settings, now=now + timedelta(days=3)) == 0
    assert len(smtp.mailbox.received) == 1


def test_550_is_recorded_as_failed_with_the_servers_message_and_not_retried(
    factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    smtp.mailbox.answers = ["550 5.1.1 No such mailbox here"]
    queue(factory)
    now = utcnow()
    assert send_mail_once(factory, mail_settings, now=now) == 0
    failed = row(factory)
    assert failed.status is MailStatus.FAILED
    assert failed.last_error == "550 5.1.1 No such mailbox here"
    assert send_mail_once(factory, mail_settings, now=now + timedelta(days=3)) == 0
    assert smtp.mailbox.received == [] and row(factory).attempts == 1


def test_a_server_that_is_gone_is_tried_again_later(factory: sessionmaker[Session], tmp_path: Path) -> None:
    with smtp_server() as server:
        port = server.port
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", data_dir=tmp_path)
    queue(factory)
    now = utcnow()
    assert send_mail_once(factory, settings, now=now) == 0  # connection refused
    waiting = row(factory)
    assert waiting.status is MailStatus.QUEUED and "connection" in (waiting.last_error or "")
    with smtp_server(port) as back:
        assert send_mail_once(factory, settings, now=now + backoff(1)) == 1
        assert len(back.mailbox.wait_for(1)) == 1
    assert row(factory).status is MailStatus.SENT


def test_a_worker_killed_after_its_claim_loses_nothing(
    factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    queue(factory)
    now = utcnow()
    assert len(claim_due(factory, now=now)) == 1  # ... and the worker dies before sending
    assert send_mail_once(factory, mail_settings, now=now + timedelta(minutes=1)) == 0  # still leased
    assert send_mail_once(factory, mail_settings, now=now + LEASE) == 1
    assert len(smtp.mailbox.wait_for(1)) == 1
    assert row(factory).attempts == 2


def test_two_workers_never_claim_the_same_mail(factory: sessionmaker[Session]) -> None:
    for n in range(5):
        queue(factory, f"k{n}")
    now = utcnow()
    first = claim_due(factory, now=now, limit=3)
    second = claim_due(factory, now=now)
    assert len(first) == 3 and len(second) == 2
    assert not {c.id for c in first} & {c.id for c in second}


def test_without_smtp_the_worker_writes_eml_files(factory: sessionmaker[Session], tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    queue(factory, locale="en")
    report = run_once(factory, settings=settings)
    assert report.mailed == 1 and report.errors == []
    [path] = sorted((tmp_path / "mail").glob("*.eml"))
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert mail["Subject"] == "Set a new password for the portal"
    assert not list((tmp_path / "mail").glob(".*"))  # no half-written files left


def test_sending_holds_no_database_transaction(
    factory: sessionmaker[Session], mail_settings: Settings
) -> None:
    """The transport runs with every session closed: a transport that checks the pool sees all
    connections back."""
    queue(factory)
    pool = factory.kw["bind"].pool
    seen: list[int] = []

    class Watching:
        def __enter__(self) -> Watching:
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def send(self, message: object) -> object:
            seen.append(pool.checkedout())
            from portal.notify.mail.transport import SENT

            return SENT

    assert send_mail_once(factory, mail_settings, transport=Watching()) == 1  # type: ignore[arg-type]
    assert seen == [0]
