"""Reading the exchange ledger: owner staff see every file, a partner its own ("My EDI messages")."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import Principal, get_visible, visible
from portal.exchange import contents
from portal.models import Direction, ExchangeLink, ExchangeRecord, Organization, RecordState
from portal.models.base import utcnow
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search


class RecordRow(Protocol):
    """An exchange record or a row of one (``list_records``), as far as the ledger's helpers read it."""

    @property
    def id(self) -> int: ...
    @property
    def organization_id(self) -> int: ...
    @property
    def acknowledges_id(self) -> int | None: ...


class RecordLike(Protocol):
    """An exchange record or a row of one."""

    @property
    def state(self) -> RecordState: ...
    @property
    def ack_due_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class RecordQuery:
    """Which files a ledger list shows; one meaning per field (docs/developing.md, "Read models")."""

    search: str | None = None  # a substring of the file name, message type or interchange reference
    direction: Direction | None = None
    states: frozenset[RecordState] = field(default_factory=frozenset)
    overdue_at: datetime | None = None  # sent, and the acknowledgement was due before this moment


class RecordSort(enum.StrEnum):
    CREATED_AT = "created_at"


def is_overdue(record: RecordLike, now: datetime | None = None) -> bool:
    """An outbound file whose acknowledgement is overdue."""
    return (
        record.state is RecordState.SENT
        and record.ack_due_at is not None
        and record.ack_due_at < (now or utcnow())
    )


def record_conditions(q: RecordQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(
            text_search(
                q.search, ExchangeRecord.filename, ExchangeRecord.message_type, ExchangeRecord.interchange_ref
            )
        )
    if q.direction is not None:
        conds.append(ExchangeRecord.direction == q.direction)
    if q.states:
        conds.append(ExchangeRecord.state.in_(q.states))
    if q.overdue_at is not None:
        conds.extend((ExchangeRecord.state == RecordState.SENT, ExchangeRecord.ack_due_at < q.overdue_at))
    return conds


RECORDS = Keyset(
    "exchange_record", ExchangeRecord, {RecordSort.CREATED_AT: ExchangeRecord.created_at}, record_conditions
)


def list_records(
    session: Session,
    principal: Principal,
    query: RecordQuery = RecordQuery(),
    *,
    sort: RecordSort = RecordSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    """Rows of every column of ``exchange_records`` but the file's bytes (``record_content``)."""
    return RECORDS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


def get_record(session: Session, principal: Principal, record_id: int) -> ExchangeRecord:
    return get_visible(session, principal, ExchangeRecord, record_id)


def record_content(session: Session, principal: Principal, record_id: int) -> tuple[str, bytes]:
    """The raw file, whole: its name and bytes, as far as the principal may see it."""
    record = get_visible(session, principal, ExchangeRecord, record_id)
    return record.filename, contents.read_all(session, record.id)


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    size: int  # of the stored bytes (a refused file's record has its size, but no bytes)
    chunks: Iterator[bytes]


def record_download(
    session: Session, factory: sessionmaker[Session], principal: Principal, record_id: int
) -> Download:
    """The raw file to stream, as far as the principal may see it (checked here, in ``session``): its
    name, size and bytes chunk by chunk, each chunk read in a session of its own from ``factory``
    while the response is sent."""
    record = get_visible(session, principal, ExchangeRecord, record_id)
    return Download(record.filename, contents.size(session, record.id), contents.chunks(factory, record.id))


def links_of(session: Session, principal: Principal, record_ids: set[int]) -> dict[int, list[ExchangeLink]]:
    result: dict[int, list[ExchangeLink]] = {ident: [] for ident in record_ids}
    stmt = (
        visible(principal, ExchangeLink)
        .where(ExchangeLink.record_id.in_(record_ids))
        .order_by(ExchangeLink.id)
    )
    for link in session.scalars(stmt):
        result[link.record_id].append(link)
    return result


def organizations_of(
    session: Session, principal: Principal, records: Sequence[RecordRow]
) -> dict[int, Organization]:
    """The partner organization of each record, by organization id (as far as the principal sees it)."""
    ids = {r.organization_id for r in records}
    stmt = visible(principal, Organization).where(Organization.id.in_(ids))
    return {org.id: org for org in session.scalars(stmt)} if ids else {}


def answered_records(
    session: Session, principal: Principal, records: Sequence[RecordRow]
) -> dict[int, ExchangeRecord]:
    """For each acknowledgement among ``records``, the file it answers: for ours, the partner's file
    it acknowledges (``acknowledges_id``); for a partner's CONTRL/997, our file it marked
    acknowledged or rejected (its link to an exchange record)."""
    wanted: dict[int, int] = {r.id: r.acknowledges_id for r in records if r.acknowledges_id is not None}
    linked = visible(principal, ExchangeLink).where(
        ExchangeLink.record_id.in_([r.id for r in records]), ExchangeLink.entity == "exchange_record"
    )
    for link in session.scalars(linked) if records else []:
        wanted.setdefault(link.record_id, link.entity_id)
    if not wanted:
        return {}
    found = {
        r.id: r
        for r in session.scalars(
            visible(principal, ExchangeRecord).where(ExchangeRecord.id.in_(set(wanted.values())))
        )
    }
    return {ident: found[target] for ident, target in wanted.items() if target in found}


def records_of(session: Session, principal: Principal, entity: str, entity_id: int) -> list[ExchangeRecord]:
    """The files that touched one business object (an order: the ORDERS we sent, the partner's
    answers), with the acknowledgements of those files, oldest first."""
    direct = select(ExchangeLink.record_id).where(
        ExchangeLink.entity == entity, ExchangeLink.entity_id == entity_id
    )
    answering = select(ExchangeLink.record_id).where(
        ExchangeLink.entity == "exchange_record", ExchangeLink.entity_id.in_(direct)
    )
    stmt = visible(principal, ExchangeRecord).where(
        or_(
            ExchangeRecord.id.in_(direct),
            ExchangeRecord.acknowledges_id.in_(direct),
            ExchangeRecord.id.in_(answering),
        )
    )
    return list(session.scalars(stmt.order_by(ExchangeRecord.id)))


__all__ = [
    "RECORDS",
    "Download",
    "RecordQuery",
    "RecordSort",
    "answered_records",
    "get_record",
    "is_overdue",
    "links_of",
    "list_records",
    "organizations_of",
    "record_conditions",
    "record_content",
    "record_download",
    "records_of",
]
