"""The exchange worker (`portal exchange run`): for every enabled profile, poll the inbox, process
received files, queue and send outbound files; then the notifier's step (`portal.notify`) and
the mail outbox (`portal.notify.mail`). Several workers may run against one PostgreSQL: claims use
``FOR UPDATE SKIP LOCKED`` and unique constraints make double processing impossible.

Nothing one partner sends or one profile's transport does may stop the others: every step is
isolated per profile (and inside it per file, see `portal.exchange.inbound`)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from adapters import AdapterError
from portal.config import Settings
from portal.exchange import failures, inbound, outbound
from portal.exchange.profiles import enabled_profiles, open_transport
from portal.notify.mail import send_mail_once
from portal.notify.notifier import notify_once

log = logging.getLogger("portal.exchange")


@dataclass
class RunReport:
    stored: int = 0
    duplicates: int = 0
    refused: int = 0  # inbound files over the size limit: recorded as failed, not read
    processed: int = 0
    queued: int = 0
    sent: int = 0
    mailed: int = 0  # e-mails sent from the mail outbox (portal.notify.mail)
    notified: int = 0  # inbox rows the notifier added (portal.notify)
    mailed_notifications: int = 0  # mails queued for notifications (portal.notify.mailing)
    webhooks: int = 0  # webhook delivery attempts (portal.notify.webhooks)
    leads_routed: int = 0  # leads routed on past their answer deadline (portal.leads.deadlines)
    campaigns_recounted: int = 0  # campaigns whose segment was recounted (portal.campaigns.members)
    errors: list[str] = field(default_factory=list)


def _trouble(report: RunReport, where: str, exc: Exception) -> None:
    if isinstance(exc, AdapterError):  # transport trouble: the files stay remote for the next run
        log.warning("exchange %s: %s", where, exc)
    else:
        log.error("exchange %s failed", where, exc_info=exc)
    text = str(exc) if isinstance(exc, AdapterError) else failures.detail(exc)
    report.errors.append(f"{where}: {failures.clean(text, 300)}")


def run_once(
    factory: sessionmaker[Session],
    *,
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
    max_file_bytes: int = inbound.MAX_FILE_BYTES,
    settings: Settings | None = None,
) -> RunReport:
    """One pass; with ``settings`` also the mail outbox and the webhook step (every command passes them)."""
    report = RunReport()
    with factory() as session:
        profiles = enabled_profiles(session)
        session.expunge_all()
    for profile in profiles:
        try:
            with open_transport(profile) as transport:
                polled = inbound.poll(
                    factory,
                    profile,
                    transport,
                    min_age_seconds=min_age_seconds,
                    settle_seconds=settle_seconds,
                    max_file_bytes=max_file_bytes,
                )
                report.stored += polled.stored
                report.duplicates += polled.duplicates
                report.refused += polled.refused
                report.errors += polled.errors
        except Exception as exc:  # one partner's trouble must not stop the others
            _trouble(report, f"profile {profile.id}", exc)
    try:
        report.processed = inbound.process_pending(factory, limit=10_000)
    except Exception as exc:  # e.g. the database went away: the outbound side still gets its chance
        _trouble(report, "processing received files", exc)
    try:
        report.queued = outbound.queue_from_events(factory)
    except Exception as exc:
        _trouble(report, "queueing outbound files", exc)
    for profile in profiles:
        try:
            with open_transport(profile) as transport:
                report.sent += outbound.send_queued(factory, profile, transport)
        except Exception as exc:
            _trouble(report, f"profile {profile.id}", exc)
    try:  # leads past their answer deadline go on to the next dealer (before the notifier tells)
        from portal.leads.deadlines import route_overdue_leads

        report.leads_routed = route_overdue_leads(
            factory, answer_hours=settings.lead_answer_hours if settings is not None else None
        )
    except Exception as exc:
        _trouble(report, "routing overdue leads", exc)
    try:  # planned and running campaigns: their segment's customers taken again, hourly
        from portal.campaigns.members import recount_due_campaigns

        report.campaigns_recounted = recount_due_campaigns(factory)
    except Exception as exc:
        _trouble(report, "recounting campaign segments", exc)
    try:  # the notifier rides along: outbox events and due occasions -> inboxes (portal.notify)
        report.notified = notify_once(factory)
    except Exception as exc:
        _trouble(report, "notifying", exc)
    if settings is not None:
        from portal.notify.webhooks.dispatch import dispatch_webhooks_once

        try:
            report.webhooks = dispatch_webhooks_once(factory, settings)
        except Exception as exc:  # the database went away, say: the next pass tries again
            _trouble(report, "webhooks", exc)
        from portal.notify.mailing import mail_notifications_once

        try:  # notifications -> mails (portal.notify.mailing), sent below in the same pass
            report.mailed_notifications = mail_notifications_once(factory, settings)
        except Exception as exc:
            _trouble(report, "mailing notifications", exc)
        try:
            report.mailed = send_mail_once(factory, settings)
        except Exception as exc:  # e.g. the database went away; the mails stay queued
            _trouble(report, "sending mail", exc)
    return report


def run_forever(
    factory: sessionmaker[Session],
    *,
    interval: float = 10.0,
    stop: threading.Event | None = None,
    max_file_bytes: int = inbound.MAX_FILE_BYTES,
    settings: Settings | None = None,
) -> None:
    """The worker loop of `portal exchange run` and `portal demo`: the exchange pass, then the
    prepared CSV exports (`portal.exports.run_exports_once`), every ``interval`` seconds."""
    from portal.exports import run_exports_once
    from portal.heap import settle_heap

    settle_heap()
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report = run_once(factory, max_file_bytes=max_file_bytes, settings=settings)
            if (
                report.stored
                or report.processed
                or report.sent
                or report.refused
                or report.mailed
                or report.notified
                or report.webhooks
                or report.errors
            ):
                log.info("exchange: %s", report)
        except Exception:  # the worker loop keeps running; the error is logged with its traceback
            log.exception("exchange run failed")
        try:
            exports = run_exports_once(factory)
            if exports.finished or exports.failed or exports.expired:
                log.info("exports: %s", exports)
        except Exception:
            log.exception("export run failed")
        stop.wait(interval)
