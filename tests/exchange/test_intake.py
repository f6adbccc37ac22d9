"""What comes into the inbox is always accounted for in the ledger: a file over the size limit is
recorded as failed (and archived unread), a file sent again is recorded as a duplicate whatever
its name."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import InvalidState
from portal.exchange import handling
from portal.exchange.worker import run_once
from portal.models import ExchangeRecord, RecordState
from portal.orders import service as orders
from tests.exchange.helpers import order_response, partner_scene


def inbound(factory: sessionmaker[Session]) -> list[ExchangeRecord]:
    with factory() as session:
        return list(
            session.scalars(
                select(ExchangeRecord)
                .where(ExchangeRecord.direction == "inbound")
                .order_by(ExchangeRecord.id)
            )
        )


def test_a_file_over_the_size_limit_is_recorded_failed_archived_and_does_not_fail_the_run(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(3,))
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    good = partner.send("good.edi", order_response(loaded, quantities={1: None}), "901")
    limit = good.stat().st_size + 100
    partner.drop("huge.edi", b"UNA:+.? '" + b"X" * limit)
    report = run_once(factory, max_file_bytes=limit)
    assert report.errors == []
    assert report.refused == 1
    records = {r.filename: r for r in inbound(factory)}
    huge = records["huge.edi"]
    assert huge.state is RecordState.FAILED
    assert huge.size == limit + 9
    assert f"more than the limit of {limit:,} bytes (PORTAL_EXCHANGE_MAX_FILE_BYTES)" in (huge.error or "")
    assert records["good.edi"].state is RecordState.APPLIED
    assert not list(partner.inbox.iterdir())  # out of the inbox: not tried again and again
    assert (partner.root / "archive" / "huge.edi").stat().st_size == limit + 9
    again = run_once(factory, max_file_bytes=limit)
    assert again.errors == [] and again.refused == 0
    assert len(inbound(factory)) == 2
    # Nothing of it was stored, so there is nothing to process again; it can be discarded.
    with partner.scene.uow() as uow:
        assert isinstance(handling.refusal(partner.scene.p("owner"), huge, "reprocess"), InvalidState)
        assert handling.may(partner.scene.p("owner"), huge, "discard")


def test_an_oversized_file_left_in_the_inbox_by_a_dead_worker_is_recorded_once(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    from portal.exchange.inbound import refuse_oversized
    from portal.exchange.profiles import enabled_profiles, open_transport

    partner = partner_scene(factory, tmp_path)
    partner.drop("huge.edi", b"Y" * 5000)
    with factory() as session:
        profile = enabled_profiles(session)[0]
    with open_transport(profile) as transport:
        entry = transport.list("out")[0]
    assert refuse_oversized(factory, profile, entry, 1000) == "stored"
    assert refuse_oversized(factory, profile, entry, 1000) == "seen"  # killed before archiving
    run_once(factory, max_file_bytes=1000)
    assert [r.filename for r in inbound(factory)] == ["huge.edi"]
    assert not list(partner.inbox.iterdir())


def test_the_same_file_sent_again_under_the_same_name_is_recorded_as_duplicate(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(3,))
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    first = partner.send("ordrsp.edi", order_response(loaded, quantities={1: None}), "950")
    data = first.read_bytes()
    run_once(factory)
    assert not first.exists()
    partner.drop("ordrsp.edi", data)  # the partner's ERP sends it again, same name, same bytes
    partner.drop("copy.edi", data)  # and under another name
    report = run_once(factory)
    assert report.duplicates == 2
    records = inbound(factory)
    assert [(r.filename, r.state) for r in records] == [
        ("ordrsp.edi", RecordState.APPLIED),
        ("copy.edi", RecordState.DUPLICATE),
        ("ordrsp.edi", RecordState.DUPLICATE),
    ] or [(r.filename, r.state) for r in records] == [
        ("ordrsp.edi", RecordState.APPLIED),
        ("ordrsp.edi", RecordState.DUPLICATE),
        ("copy.edi", RecordState.DUPLICATE),
    ]
    for duplicate in records[1:]:
        assert duplicate.error == (
            f"the same file was received before as ordrsp.edi (record {records[0].id}); not applied again"
        )
    assert sorted(p.name for p in (partner.root / "archive").iterdir()) == [
        "copy.edi",
        "ordrsp-1.edi",
        "ordrsp.edi",
    ]


def test_the_very_file_still_in_the_inbox_after_a_crash_is_not_a_duplicate(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Killed after storing, before archiving: the next run finds the file it stored (written
    before its record was made) and only archives it."""
    from portal.exchange import inbound as flows
    from portal.exchange.profiles import enabled_profiles, open_transport

    partner = partner_scene(factory, tmp_path)
    path = partner.drop("ordrsp.edi", b"UNA:+.? 'UNB+UNOC:3'")
    old = path.stat().st_mtime - 5
    os.utime(path, (old, old))
    with factory() as session:
        profile = enabled_profiles(session)[0]
    with open_transport(profile) as transport:
        entry = transport.list("out")[0]
        fetched = transport.fetch("out", "ordrsp.edi")
    assert flows.store(factory, profile, fetched, written_at=entry.mtime) == "stored"
    run_once(factory)
    assert [(r.filename, r.state) for r in inbound(factory)] == [("ordrsp.edi", RecordState.FAILED)]
    assert not path.exists()


def test_the_worker_does_not_write_through_a_symlinked_outbox(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "partner"
    root.mkdir()
    (root / "in").symlink_to(elsewhere, target_is_directory=True)
    partner = partner_scene(factory, root)
    partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(3,))
    report = run_once(factory)
    assert any("'in' is a symbolic link" in error for error in report.errors), report.errors
    assert list(elsewhere.iterdir()) == []
    with factory() as session:
        queued = session.scalars(select(ExchangeRecord).where(ExchangeRecord.direction == "outbound")).all()
        assert [r.state for r in queued] == [RecordState.QUEUED]
