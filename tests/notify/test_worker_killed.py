"""A worker process killed (``os._exit``, as a power cut: no rollback handlers, no finally blocks) at
each step of the notifier and the mail sender, then run again: the inbox gets each row exactly
once; a mail arrives at least once, and a second copy carries the same Message-ID (SMTP cannot be
asked whether the first one arrived). The webhook dispatcher's kills are in test_webhook_delivery."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.models import MailStatus
from portal.models.base import utcnow
from portal.notify.mail import send_mail_once
from portal.notify.mail.sender import LEASE
from portal.notify.notifier import notify_once
from tests.builders import build_scene
from tests.notify.people import add_user
from tests.notify.smtp import SmtpServer
from tests.notify.test_mail import queue, row
from tests.notify.test_notifier import inbox

KILLED = 86  # portal.exchange.faults.checkpoint's exit code


def run_killed_at(step: str, code: str) -> int:
    """``code`` in a fresh Python process that dies at ``step``; its exit code."""
    env = {**os.environ, "PORTAL_EXCHANGE_CRASH_AT": step}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, timeout=120).returncode


@pytest.mark.parametrize("step", ["notify_delivered", "notify_cursor"])
def test_a_notifier_killed_mid_batch_fills_the_inbox_exactly_once_after_restart(
    factory: sessionmaker[Session], database_url: str, step: str
) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    customer = scene.customer()
    orders = [scene.order(customer, supplier="supplier-a") for _ in range(3)]
    code = f"""
        from portal.db import make_engine, make_sessionmaker
        from portal.notify.notifier import notify_once
        notify_once(make_sessionmaker(make_engine({database_url!r})))
        """
    assert run_killed_at(step, code) == KILLED
    assert inbox(factory, supplier) == []  # the batch died with its transaction
    notify_once(factory)
    notify_once(factory)  # a second pass (the cursor stays behind SETTLE) adds nothing
    assert inbox(factory, supplier) == [("order_routed", "order", o.id) for o in orders]


@pytest.mark.parametrize("step", ["mail_claimed", "mail_sent"])
def test_a_mail_sender_killed_mid_send_delivers_at_least_once_with_the_same_message_id(
    factory: sessionmaker[Session],
    database_url: str,
    smtp: SmtpServer,
    mail_settings: Settings,
    tmp_path: Path,
    step: str,
) -> None:
    queue(factory)
    code = f"""
        from pathlib import Path
        from portal.config import Settings
        from portal.db import make_engine, make_sessionmaker
        from portal.notify.mail import send_mail_once
        settings = Settings(smtp_host="127.0.0.1", smtp_port={smtp.port}, smtp_security="none",
                            mail_from={mail_settings.mail_from!r}, data_dir=Path({str(tmp_path)!r}))
        send_mail_once(make_sessionmaker(make_engine({database_url!r})), settings)
        """
    assert run_killed_at(step, code) == KILLED
    before = smtp.mailbox.wait_for(1, timeout=5) if step == "mail_sent" else []
    assert len(before) == (1 if step == "mail_sent" else 0)
    claimed = row(factory)
    assert claimed.status is MailStatus.QUEUED and claimed.attempts == 1  # leased, outcome unknown
    now = utcnow()
    assert send_mail_once(factory, mail_settings, now=now) == 0  # the dead worker's lease still runs
    assert send_mail_once(factory, mail_settings, now=now + LEASE + timedelta(seconds=1)) == 1
    got = smtp.mailbox.wait_for(len(before) + 1)
    assert len(got) == len(before) + 1
    assert len({m["Message-ID"] for m in got}) == 1  # a second copy is recognisably the same mail
    done = row(factory)
    assert done.status is MailStatus.SENT and done.attempts == 2
    assert send_mail_once(factory, mail_settings, now=now + timedelta(days=3)) == 0
    assert len(smtp.mailbox.received) == len(before) + 1
