"""The change feed's position: (writing transaction, event id), so that a reader never passes an event
that becomes visible later; its cursors, old and new."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal import changes
from portal.changes import Position, decode_cursor, encode_cursor
from portal.errors import InvalidInput
from portal.models import Event
from portal.reading import cursor
from tests.builders import build_scene
from tests.changefeed import settle


def event(entity_id: int, note: str) -> dict[str, object]:
    return {"kind": "customer.updated", "entity": "customer", "entity_id": entity_id, "payload": {"n": note}}


@pytest.mark.postgres
def test_the_feed_never_passes_an_event_whose_transaction_is_still_open(
    engine: Engine, factory: sessionmaker[Session]
) -> None:
    """A inserts event 1 and stays open; B inserts event 2 and commits. Paging by id, a reader got 2,
    moved its cursor past 1, and never saw 1 once A committed. Now it gets nothing past the open
    transaction's event until A ends, then both, A's first."""
    if engine.dialect.name != "postgresql":
        pytest.skip("transactions that commit out of id order: PostgreSQL (SQLite has one writer at a time)")
    scene = build_scene(factory)
    customer = scene.customer()
    owner = scene.p("owner")
    start = settle(factory)
    with engine.connect() as a:
        with a.begin():
            # raw SQL, not the ORM: the column default gives it its transaction's id all the same
            first = a.execute(insert(Event).values(event(customer.id, "A")).returning(Event.id)).scalar_one()
            with factory.begin() as b:
                later = Event(**event(customer.id, "B"))
                b.add(later)
                b.flush()
                second = later.id
            assert first < second  # the gap: the later id is committed, the earlier one is not
            with factory() as session:
                assert changes.latest_cursor(session) == start
                held = changes.feed(session, owner, after=start)
            assert (held.entries, held.end_cursor, held.has_more) == ([], start, False)
        settle(factory)  # other tests' transactions may hold the feed back a moment longer
        with factory() as session:
            page = changes.feed(session, owner, after=held.end_cursor)
            txids = dict(
                session.execute(select(Event.id, Event.txid).where(Event.id.in_([first, second]))).all()
            )
    assert [(c.cursor.id, c.entity_id) for c in page.entries] == [(first, customer.id), (second, customer.id)]
    assert 0 < txids[first] < txids[second]
    assert page.end_cursor == Position(txids[second], second) and not page.has_more


def test_events_before_the_migration_come_first_by_id_and_an_old_cursor_resumes_among_them(
    factory: sessionmaker[Session],
) -> None:
    """Events written before migration 0035 read txid 0 (so do all events on SQLite); a cursor
    issued before (an event id, or the older ``Cursor:<id>``) is position (0, id)."""
    scene = build_scene(factory)
    customer = scene.customer()
    owner = scene.p("owner")
    with factory.begin() as session:
        old = [Event(**event(customer.id, f"old {n}")) for n in range(3)]
        session.add_all(old)
    with factory.begin() as session:  # everything so far was written before the migration
        session.execute(update(Event).values(txid=0))
    with factory.begin() as session:
        new = Event(**event(customer.id, "new"))
        session.add(new)
    settle(factory)
    by_id = cursor.encode("change", "event", old[0].id, old[0].id)
    legacy = base64.urlsafe_b64encode(f"Cursor:{old[0].id}".encode()).decode().rstrip("=")
    for issued in (by_id, legacy):
        assert decode_cursor(issued) == Position(0, old[0].id)
        with factory() as session:
            page = changes.feed(session, owner, after=decode_cursor(issued))
        assert [c.cursor.id for c in page.entries] == [old[1].id, old[2].id, new.id]


@pytest.mark.parametrize("transactions", [1, 5])
def test_the_scan_of_one_call_is_a_window_of_events_in_feed_order(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, transactions: int
) -> None:
    """A principal that may see none of the events moves its cursor one window at a time, to the
    last event of the window, and learns whether more lie beyond: within one transaction (and on
    SQLite) the window is a range of ids, across transactions (PostgreSQL) it is counted."""
    scene = build_scene(factory)
    customer = scene.customer()
    monkeypatch.setattr(changes, "MAX_SCAN", 3)
    hidden: list[Event] = []
    for _ in range(transactions):
        with factory.begin() as session:
            written = [Event(**event(customer.id, str(n))) for n in range(5 // transactions)]
            session.add_all(written)
        hidden += written
    newest = settle(factory)
    with factory() as session:
        start = Position(hidden[0].txid, hidden[0].id - 1)
        first = changes.feed(session, scene.p("supplier-a"), after=start)
        second = changes.feed(session, scene.p("supplier-a"), after=first.end_cursor)
    third = Position(hidden[2].txid, hidden[2].id)
    assert (first.entries, first.end_cursor, first.has_more) == ([], third, True)
    assert (second.entries, second.end_cursor, second.has_more) == ([], newest, False)


def test_positions_past_32_bits_are_bound_as_such(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's transaction ids pass 2**31 on a busy server (and 2**32 after a wraparound): the
    feed's statements compare positions as bigint."""
    scene = build_scene(factory)
    scene.customer()
    newest = settle(factory)
    beyond = Position(2**40, 1)
    monkeypatch.setattr(changes, "latest_cursor", lambda session: beyond)
    with factory() as session:
        page = changes.feed(session, scene.p("owner"), first=1000)
        assert changes.feed(session, scene.p("owner"), after=beyond).entries == []
    assert page.entries and page.end_cursor == newest and page.has_more


def test_a_cursor_carries_a_64_bit_transaction_id_and_comes_back_as_it_went() -> None:
    far = Position(2**40 + 7, 12)
    assert decode_cursor(encode_cursor(far)) == far
    assert decode_cursor(encode_cursor(changes.START)) == changes.START


@pytest.mark.parametrize(
    "value",
    [
        "!!not-a-cursor",
        "",
        cursor.encode("order", "created_at", "x", 1),  # a list's
        cursor.encode("change", "txid", -1, 1),
        cursor.encode("change", "txid", 2**63, 1),
        cursor.encode("change", "txid", "5", 1),
        cursor.encode("change", "txid", 5, 2**31),  # no event id
        cursor.encode("change", "event", 5, 6),  # the old kind holds the id twice
        cursor.encode("change", "other", 5, 5),
        base64.urlsafe_b64encode(b"Cursor:-1").decode(),
    ],
)
def test_a_cursor_that_is_not_the_feeds_is_invalid_input(value: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(value, "after")
    assert raised.value.field == "after"
