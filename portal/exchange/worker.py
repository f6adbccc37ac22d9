"""The exchange worker (`portal exchange run`): for every enabled profile, poll the inbox, process
received files, queue and send outbound files. Several workers may run against one PostgreSQL:
claims use ``FOR UPDATE SKIP LOCKED`` and unique constraints make double processing impossible."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from adapters import AdapterError
from portal.exchange import inbound, outbound
from portal.exchange.profiles import enabled_profiles, open_transport

log = logging.getLogger("portal.exchange")


@dataclass
class RunReport:
    stored: int = 0
    duplicates: int = 0
    processed: int = 0
    queued: int = 0
    sent: int = 0
    errors: list[str] = field(default_factory=list)


def run_once(
    factory: sessionmaker[Session], *, min_age_seconds: float = 0.0, settle_seconds: float = 0.0
) -> RunReport:
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
                )
                report.stored += polled.stored
                report.duplicates += polled.duplicates
                report.errors += polled.errors
        except AdapterError as exc:
            # Transport trouble for one partner must not stop the others; the files stay remote.
            report.errors.append(f"profile {profile.id}: {exc}")
            log.warning("exchange profile %s: %s", profile.id, exc)
    report.processed = inbound.process_pending(factory, limit=10_000)
    report.queued = outbound.queue_from_events(factory)
    for profile in profiles:
        try:
            with open_transport(profile) as transport:
                report.sent += outbound.send_queued(factory, profile, transport)
        except AdapterError as exc:
            report.errors.append(f"profile {profile.id}: {exc}")
            log.warning("exchange profile %s: %s", profile.id, exc)
    return report


def run_forever(
    factory: sessionmaker[Session], *, interval: float = 10.0, stop: threading.Event | None = None
) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report = run_once(factory)
            if report.stored or report.processed or report.sent:
                log.info("exchange: %s", report)
        except Exception:  # the worker loop keeps running; the error is logged with its traceback
            log.exception("exchange run failed")
        stop.wait(interval)
