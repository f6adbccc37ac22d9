"""The change feed: a principal's view of the event log (the outbox), for incremental sync.

Offline and mobile clients, supplier ERPs and GraphQL subscriptions read it. Choices:

* **Visibility is decided now, per event.** An event about an entity the principal may see *now*
  (``portal.access``) becomes an ``upsert`` carrying the entity's *current* state, not the state at
  the time of the event: replaying the feed is idempotent and a client never holds data it may no
  longer see. Who caused the event does not matter (the audit rule on ``events`` is a different
  question: "what did my organization do").
* **Lost access is a removal, never a leak.** An event about an entity the principal may not see
  now is dropped, unless it is an event that took the entity away from the principal's
  organizations: ``customer.unshared`` naming one of them, or ``order.routed`` / ``case.routed``
  after an earlier routing to one of them. Those become a ``remove`` with no state. So an id the
  principal never saw never appears, and one it saw disappears.
* Contacts and activities of a customer that was unshared are not listed one by one: a client
  drops them with their customer.
* **The cursor never passes an event that can still appear.** Event ids come from a sequence at
  insert, but transactions commit in another order: on PostgreSQL an event with a smaller id may
  become visible after one with a larger id was read. So the feed is ordered by :class:`Position`,
  ``(the writing transaction's id, event id)`` (``events.txid``, set by the database), and on
  PostgreSQL reads only events whose transaction lies below the oldest transaction still running
  (``pg_snapshot_xmin``): those transactions have all ended, and any later writer gets a larger
  transaction id, so nothing can appear behind the cursor. An event shows up once its transaction
  and every transaction that began writing before it have ended (a long-running writer holds the
  feed back meanwhile, it never skips). Events without a transaction id (SQLite, where writers take
  turns; events written before migration 0035) have ``txid`` 0: position ``(0, id)``, before all
  others.
* The cursor is that position, opaque to clients (:func:`encode_cursor`: a cursor of its own kind,
  which no list takes and which takes no list's cursor). Cursors issued before (an event id, and
  the older ``Cursor:<id>``) are still taken as ``(0, id)``. Filtered-out events still advance the
  cursor, so a page may hold fewer entries than asked for while ``has_more`` is true; the scan per
  call is bounded (a window of :data:`MAX_SCAN` events in feed order, filtered by the database).
* Entities outside :data:`ENTITY_MODELS` (users, API tokens) are not part of the sync feed.
* **A state shows only what the reader may read.** An organization id in a state (an order's dealer
  or supplier, a case's routing, a parent) is null unless the reader may see that organization, as
  the API's ``dealer``/``supplier``/``routedTo`` fields are: a supplier never learns who sold an
  order. Events about owner-internal comments and attachments are not shown to external readers at
  all (not even their timing).
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Text,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import Tuple

from portal.access import Principal, rule_for, visible
from portal.entities import FEED
from portal.errors import InvalidInput
from portal.models import Event, Order, Organization
from portal.reading import cursor
from portal.validation import MAX_ID

# The feed's entities and the fields of their states: from the catalogue (portal.entities).
ENTITY_MODELS: dict[str, type[Any]] = {name: entity.model for name, entity in FEED.items()}
STATE_FIELDS: dict[str, tuple[str, ...]] = {name: entity.feed or () for name, entity in FEED.items()}

# kind -> (payload key naming the organization that lost access, earlier kinds that granted it)
REVOKING: dict[str, tuple[str, frozenset[str]]] = {
    "customer.unshared": ("organization_id", frozenset()),
    "order.routed": ("supplier_id", frozenset({"order.routed"})),
    "case.routed": ("routed_to_id", frozenset({"case.opened", "case.routed"})),
    # a lead leaves the dealer it was offered to when it declines it, lets it expire, or marketing
    # takes it back (reassigned, disqualified)
    **{
        kind: ("dealer_id", frozenset({"lead.offered"}))
        for kind in ("lead.declined", "lead.expired", "lead.withdrawn")
    },
}

# entity -> state fields that hold an organization id (shown only when the reader sees it)
ORGANIZATION_REFS: dict[str, tuple[str, ...]] = {
    name: entity.organization_refs for name, entity in FEED.items() if entity.organization_refs
}

MAX_SCAN = 5000
MAX_TXID = 2**63 - 1  # PostgreSQL's 64-bit transaction ids, as bigint


class Position(NamedTuple):
    """A place in the feed, in feed order: the id of the transaction that wrote the event (0 when it
    has none) and the event id."""

    txid: int
    id: int


START = Position(0, 0)


class Operation(enum.StrEnum):
    UPSERT = "upsert"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class Change:
    cursor: Position  # the event's
    occurred_at: datetime
    kind: str
    entity: str
    entity_id: int
    operation: Operation
    state: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ChangePage:
    entries: list[Change]
    end_cursor: Position
    has_more: bool


def encode_cursor(position: Position) -> str:
    """The opaque cursor of a position in the feed."""
    return cursor.encode("change", "txid", position.txid, position.id)


def decode_cursor(value: str, argument: str = "after") -> Position:
    """The position of a feed cursor. Cursors issued before the feed was ordered by transaction
    (an event id), and before lists and the feed had cursors of their own (``Cursor:<event id>`` in
    base64), are still taken as ``(0, event id)``, so a client's stored position survives the
    upgrades: exactly where it was, as the events it had read have transaction id 0. A list's
    cursor, or anything else, is InvalidInput."""
    legacy = _legacy_position(value)
    if legacy is not None:
        return Position(0, legacy)
    if cursor.sort_of(value, argument=argument) == "event":
        position, ident = cursor.decode(value, argument=argument, entity="change", sort="event", kind=int)
        if position != ident or position < 0:
            raise InvalidInput(argument, "is not a valid cursor; use a cursor from a previous page")
        return Position(0, ident)
    txid, ident = cursor.decode(
        value, argument=argument, entity="change", sort="txid", kind=int, maximum=MAX_TXID
    )
    if txid < 0:
        raise InvalidInput(argument, "is not a valid cursor; use a cursor from a previous page")
    return Position(txid, ident)


def _legacy_position(value: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = raw.partition(":")
    if prefix != "Cursor" or not number.isdigit() or len(number) > 10 or int(number) > MAX_ID:
        return None
    return int(number)


def latest_cursor(session: Session) -> Position:
    """The position of the newest event the feed may pass now (:data:`START` when there is none)."""
    newest = (
        select(Event.txid, Event.id)
        .where(*_settled(session))
        .order_by(Event.txid.desc(), Event.id.desc())
        .limit(1)
    )
    row = session.execute(newest).first()
    return START if row is None else Position(row[0], row[1])


def _settled(session: Session) -> tuple[ColumnElement[bool], ...]:
    """The condition on events that no transaction can still add to (or reorder): on PostgreSQL
    those of transactions below the oldest one running (the xmin of a fresh snapshot); none on
    SQLite, whose writers take turns."""
    if session.get_bind().dialect.name != "postgresql":
        return ()
    horizon = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
    return (Event.txid < horizon,)


def _between(after: Position, end: Position) -> ColumnElement[bool]:
    """The events after ``after`` up to ``end``, in feed order. Within one transaction id (always so
    on SQLite, where it is 0) an id range: SQLite seeks a row-value range by its first column only,
    and would walk every event."""
    if after.txid == end.txid:
        return and_(Event.txid == after.txid, Event.id > after.id, Event.id <= end.id)
    position = tuple_(Event.txid, Event.id)
    return and_(position > _at(after), position <= _at(end))


def _at(position: Position) -> Tuple:
    # typed: a transaction id past 32 bits must not be bound as an integer
    return tuple_(literal(position.txid, BigInteger), literal(position.id, Integer))


def _window_end(session: Session, after: Position, latest: Position) -> Position:
    """The end of one call's scan: the position of the :data:`MAX_SCAN`-th event past ``after``
    (``latest`` if there are fewer), read from the index alone. Within one transaction id, a range
    of as many ids holds at most as many events, without asking."""
    if after.txid == latest.txid:
        return min(Position(after.txid, after.id + MAX_SCAN), latest)
    window = (
        select(Event.txid, Event.id)
        .where(_between(after, latest))
        .order_by(Event.txid, Event.id)
        .limit(MAX_SCAN)
        .subquery()
    )
    row = session.execute(
        select(window.c.txid, window.c.id).order_by(window.c.txid.desc(), window.c.id.desc()).limit(1)
    ).first()
    return latest if row is None else Position(row[0], row[1])


def feed(
    session: Session,
    principal: Principal,
    *,
    after: Position = START,
    first: int = 100,
    entities: Collection[str] | None = None,
) -> ChangePage:
    """Up to ``first`` changes after the cursor ``after`` that the principal may see.

    Only events up to :func:`latest_cursor` are read, so the cursor never passes an event whose
    transaction (or an earlier one) has not ended yet. The database filters: only events about an
    entity the principal may see now, or of a kind that may take one away (:data:`REVOKING`), come
    back, so a principal with little data pays for what it gets, not for everyone else's events.
    The scan is bounded: one call looks at most at the :data:`MAX_SCAN` events after ``after``;
    when nothing in that window is for the principal, the cursor moves to its end and ``has_more``
    says whether events lie beyond."""
    wanted = sorted(set(entities or ENTITY_MODELS) & set(ENTITY_MODELS))
    latest = latest_cursor(session)
    if after >= latest:
        return ChangePage([], after, has_more=False)
    end = _window_end(session, after, latest)
    candidates = _candidates(principal, wanted)
    entries: list[Change] = []
    position = after
    while position < end:
        events = list(
            session.scalars(
                select(Event)
                .where(_between(position, end), candidates)
                .order_by(Event.txid, Event.id)
                .limit(first - len(entries) + 1)
            )
        )
        if not events:
            position = end
            break
        states = _current_states(session, principal, events)
        grants = _grants(session, events, states)
        for event in events:
            change = _change_for(principal, event, states, grants)
            if change is not None:
                if len(entries) == first:
                    return ChangePage(entries, position, has_more=True)
                entries.append(change)
            position = _position_of(event)
    return ChangePage(entries, position, has_more=position < latest)


def _position_of(event: Event) -> Position:
    return Position(event.txid, event.id)


def changes_of(session: Session, principal: Principal, events: list[Event]) -> dict[int, Change]:
    """The changes ``events`` make for ``principal`` now, by event id (events it may not see are
    missing): the feed's rule and state rendering for callers that picked their events themselves
    (webhooks, per receiving organization)."""
    wanted = [event for event in events if event.entity in ENTITY_MODELS]
    if not wanted:
        return {}
    states = _current_states(session, principal, wanted)
    grants = _grants(session, wanted, states)
    found: dict[int, Change] = {}
    for event in wanted:
        change = _change_for(principal, event, states, grants)
        if change is not None:
            found[event.id] = change
    return found


def _candidates(principal: Principal, wanted: list[str]) -> ColumnElement[bool]:
    """Events about an entity the principal may see now, or that may have taken one away."""
    # A correlated EXISTS per entity: the events of the window are probed one by one through the
    # primary key (``entity_id IN (SELECT ...)`` under the OR had PostgreSQL hash every visible id).
    visible_now = [
        and_(
            Event.entity == name,
            select(model.id).where(model.id == Event.entity_id, rule_for(principal, model)).exists(),
        )
        for name in wanted
        for model in (ENTITY_MODELS[name],)
    ]
    revoking = sorted(kind for kind in REVOKING if kind.partition(".")[0] in wanted)
    if revoking:
        visible_now.append(Event.kind.in_(revoking))
    return or_(*visible_now)


def _change_for(
    principal: Principal,
    event: Event,
    states: dict[tuple[str, int], dict[str, Any]],
    grants: dict[tuple[str, int], list[tuple[int, str, dict[str, Any]]]],
) -> Change | None:
    if event.payload.get("internal") is True and not principal.is_owner:
        return None  # an owner-internal comment or attachment: not even its timing leaves the owner
    state = states.get((event.entity, event.entity_id))
    if state is not None:
        operation = Operation.UPSERT
    elif _took_away(principal, event, grants):
        operation = Operation.REMOVE
    else:
        return None
    return Change(
        _position_of(event), event.occurred_at, event.kind, event.entity, event.entity_id, operation, state
    )


def _took_away(
    principal: Principal, event: Event, grants: dict[tuple[str, int], list[tuple[int, str, dict[str, Any]]]]
) -> bool:
    if event.kind not in REVOKING:
        return False
    key, granting = REVOKING[event.kind]
    if not granting:
        return event.payload.get(key) in principal.org_ids
    return any(
        ident < event.id and kind in granting and payload.get(key) in principal.org_ids
        for ident, kind, payload in grants.get((event.entity, event.entity_id), ())
    )


def _grants(
    session: Session, events: list[Event], states: dict[tuple[str, int], dict[str, Any]]
) -> dict[tuple[str, int], list[tuple[int, str, dict[str, Any]]]]:
    """The granting events (:data:`REVOKING`) before the revoking events of a batch whose entity
    the principal does not see now: one statement per entity kind for the whole batch."""
    wanted: dict[str, set[int]] = defaultdict(set)
    kinds: set[str] = set()
    top = 0
    for event in events:
        granting = REVOKING.get(event.kind, ("", frozenset()))[1]
        if granting and (event.entity, event.entity_id) not in states:
            wanted[event.entity].add(event.entity_id)
            kinds |= granting
            top = max(top, event.id)
    found: dict[tuple[str, int], list[tuple[int, str, dict[str, Any]]]] = defaultdict(list)
    for entity, ids in wanted.items():
        rows = session.execute(
            select(Event.entity_id, Event.id, Event.kind, Event.payload).where(
                Event.entity == entity, Event.entity_id.in_(ids), Event.kind.in_(kinds), Event.id < top
            )
        )
        for entity_id, ident, kind, payload in rows:
            found[entity, entity_id].append((ident, kind, payload))
    return found


def _current_states(
    session: Session, principal: Principal, events: list[Event]
) -> dict[tuple[str, int], dict[str, Any]]:
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        ids[event.entity].add(event.entity_id)
    states: dict[tuple[str, int], dict[str, Any]] = {}
    for entity, wanted in ids.items():
        model = ENTITY_MODELS[entity]
        stmt = visible(principal, model).where(model.id.in_(wanted))
        if model is Order:
            stmt = stmt.options(selectinload(Order.lines))
        for obj in session.scalars(stmt):
            state = {name: _jsonable(getattr(obj, name)) for name in STATE_FIELDS[entity]}
            if isinstance(obj, Order):
                state["status"] = obj.status().value
            states[entity, obj.id] = state
    _hide_unseen_organizations(session, principal, states)
    return states


def _hide_unseen_organizations(
    session: Session, principal: Principal, states: dict[tuple[str, int], dict[str, Any]]
) -> None:
    if principal.is_owner:
        return
    refs = {
        state[name]
        for (entity, _id), state in states.items()
        for name in ORGANIZATION_REFS.get(entity, ())
        if state.get(name) is not None
    }
    if not refs:
        return
    seen = set(
        session.scalars(
            visible(principal, Organization)
            .with_only_columns(Organization.id)
            .where(Organization.id.in_(refs))
        )
    )
    for (entity, _id), state in states.items():
        for name in ORGANIZATION_REFS.get(entity, ()):
            if state.get(name) is not None and state[name] not in seen:
                state[name] = None


def _jsonable(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
