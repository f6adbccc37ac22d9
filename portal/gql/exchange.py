"""The exchange ledger in GraphQL: `exchangeRecords` (a partner's "My EDI messages", every file for
owner staff) and `reprocessExchangeRecord`. Reads go through ``portal.exchange.ledger``."""

from __future__ import annotations

import base64
import enum
from datetime import datetime
from typing import Any

import strawberry

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.entities import type_name
from portal.errors import InvalidInput
from portal.exchange import handling, ledger
from portal.exchange.profiles import create_profile
from portal.gql.base import PageInfo, ctx, field, mutation, pk, run
from portal.gql.connection import page_info, page_request
from portal.gql.errors import UserError
from portal.gql.ids import encode_id
from portal.models.base import utcnow
from portal.reading.search import search_text


@strawberry.enum
class ExchangeDirection(enum.Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


@strawberry.enum
class ExchangeState(enum.Enum):
    RECEIVED = "received"
    APPLIED = "applied"
    PARTIALLY_APPLIED = "partially_applied"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    DISCARDED = "discarded"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"


@strawberry.type(
    description="A rule an inbound e-invoice broke or was warned about, at its scenario's level."
)
class ExchangeFinding:
    rule: str
    level: str = strawberry.field(description="fatal or error (rejects), warning, information.")
    message: str
    location: str | None


@strawberry.type(description="One message of a file and what became of it.")
class ExchangeMessage:
    reference: str | None
    type: str | None
    ok: bool
    error: str | None
    scenario: str | None = strawberry.field(
        description="E-invoices: the validation scenario applied (XRechnung, EN 16931, Factur-X...)."
    )
    findings: list[ExchangeFinding] = strawberry.field(
        description="E-invoices: what the validation found (the first 50, rejecting ones first)."
    )


@strawberry.type(description="A business object a file touched; `id` is its global id.")
class ExchangeLink:
    entity: str
    id: strawberry.ID


@strawberry.type(description="One EDI file received from or sent to a partner, with its raw bytes.")
class ExchangeRecord:
    pk: strawberry.Private[int]
    direction: ExchangeDirection
    state: ExchangeState
    filename: str
    size: int
    sha256: str
    format: str | None
    message_type: str | None
    interchange_reference: str | None
    error: str | None
    messages: list[ExchangeMessage]
    links: list[ExchangeLink]
    ack_due_at: datetime | None
    overdue: bool = strawberry.field(description="Sent, and the partner's acknowledgement is overdue.")
    created_at: datetime
    updated_at: datetime
    can_reprocess: bool = strawberry.field(description="Whether you may queue this file again.")
    can_discard: bool = strawberry.field(description="Whether you may discard this file.")

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("ExchangeRecord", self.pk))

    @field(description="The raw file, base64-encoded (download).")
    def content_base64(self, info: strawberry.Info) -> str:
        _name, data = ledger.record_content(ctx(info).session, ctx(info).principal, self.pk)
        return base64.b64encode(data).decode()


@strawberry.type
class ExchangeRecordEdge:
    cursor: str
    node: ExchangeRecord


@strawberry.type
class ExchangeRecordConnection:
    edges: list[ExchangeRecordEdge]
    page_info: PageInfo
    total_count: int


@strawberry.input
class ExchangeRecordFilter:
    direction: ExchangeDirection | None = None
    states: list[ExchangeState] | None = None
    search: str | None = strawberry.field(default=None, description="File name, message type or reference.")
    overdue: bool = False


def _build(record: Any, links: list[m.ExchangeLink], principal: Principal) -> ExchangeRecord:
    """From an exchange record, or a row of one (``portal.exchange.ledger.list_records``)."""
    return ExchangeRecord(
        pk=record.id,
        direction=ExchangeDirection(record.direction.value),
        state=ExchangeState(record.state.value),
        filename=record.filename,
        size=record.size,
        sha256=record.sha256,
        format=record.format,
        message_type=record.message_type,
        interchange_reference=record.interchange_ref,
        error=record.error,
        messages=[
            ExchangeMessage(
                reference=msg.get("reference"),
                type=msg.get("type"),
                ok=bool(msg.get("ok")),
                error=msg.get("error"),
                scenario=msg.get("scenario"),
                findings=[
                    ExchangeFinding(
                        rule=f.get("rule", ""),
                        level=f.get("flag", ""),
                        message=f.get("message", ""),
                        location=f.get("location") or None,
                    )
                    for f in msg.get("findings") or []
                ],
            )
            for msg in record.messages or []
        ],
        links=[
            ExchangeLink(
                entity=link.entity,
                id=strawberry.ID(encode_id(type_name(link.entity), link.entity_id)),
            )
            for link in links
        ],
        ack_due_at=record.ack_due_at,
        overdue=ledger.is_overdue(record),
        created_at=record.created_at,
        updated_at=record.updated_at,
        can_reprocess=handling.may(principal, record, "reprocess"),
        can_discard=handling.may(principal, record, "discard"),
    )


@strawberry.type
class ExchangeQuery:
    @field(description="EDI files: a partner sees its own, owner staff every partner's.")
    def exchange_records(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ExchangeRecordFilter | None = None,
    ) -> ExchangeRecordConnection:
        c = ctx(info)
        f = filter or ExchangeRecordFilter()
        query = ledger.RecordQuery(
            search=search_text(f.search, "filter.search"),
            direction=m.Direction(f.direction.value) if f.direction else None,
            states=frozenset(m.RecordState(s.value) for s in f.states or ()),
            overdue_at=utcnow() if f.overdue else None,
        )
        page = ledger.list_records(
            c.session,
            c.principal,
            query,
            page=page_request(first=first, after=after, last=last, before=before),
        )
        links = ledger.links_of(c.session, c.principal, {r.id for r in page.items})
        edges = [
            ExchangeRecordEdge(cursor=cursor, node=_build(record, links[record.id], c.principal))
            for record, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return ExchangeRecordConnection(
            edges=edges, total_count=page.total_count(), page_info=page_info(page)
        )


@strawberry.type
class ExchangeRecordPayload:
    record: ExchangeRecord | None
    user_errors: list[UserError]


@strawberry.enum
class ExchangeTransport(enum.Enum):
    FOLDER = "folder"
    SFTP = "sftp"


@strawberry.enum
class ExchangeFormat(enum.Enum):
    EDIFACT = "edifact"
    X12 = "x12"
    OPENTRANS = "opentrans"
    UBL = "ubl"


@strawberry.enum(
    description="What becomes of an inbound e-invoice that breaks the rules of its scenario: REJECT (not "
    "applied, negative acknowledgement naming the rules) or ACCEPT (applied, findings shown on the record)."
)
class InvalidEinvoices(enum.Enum):
    REJECT = "reject"  # not applied; the partner gets a negative acknowledgement naming the rules
    ACCEPT = "accept"  # applied; the findings are shown on the record


@strawberry.input(description="FOLDER needs root; SFTP needs host, username, knownHosts and keyFile.")
class CreateExchangeProfileInput:
    organization: strawberry.ID
    transport: ExchangeTransport
    partner_id: str = strawberry.field(description="The partner's interchange id (GLN, DUNS...).")
    our_id: str = strawberry.field(description="Our interchange id towards this partner.")
    format: ExchangeFormat = ExchangeFormat.EDIFACT
    root: str | None = strawberry.field(
        default=None, description="FOLDER: the partner's folder on this server."
    )
    host: str | None = None
    port: int = 22
    username: str | None = None
    key_file: str | None = strawberry.field(
        default=None, description="SFTP: path of the private key on this server."
    )
    known_hosts: str | None = strawberry.field(default=None, description="SFTP: the pinned host key(s).")
    invalid_einvoices: InvalidEinvoices = InvalidEinvoices.REJECT


@strawberry.type(description="How one organization exchanges files.")
class ExchangeProfile:
    pk: strawberry.Private[int]
    transport: ExchangeTransport
    format: ExchangeFormat
    partner_id: str
    our_id: str
    enabled: bool
    invalid_einvoices: InvalidEinvoices
    created_at: datetime

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("ExchangeProfile", self.pk))


@strawberry.type
class ExchangeProfilePayload:
    profile: ExchangeProfile | None
    user_errors: list[UserError]


@strawberry.type
class ExchangeMutation:
    @mutation(description="An exchange profile for a partner organization (owner admins).")
    def create_exchange_profile(
        self, info: strawberry.Info, input: CreateExchangeProfileInput
    ) -> ExchangeProfilePayload:
        def act(uow: UnitOfWork, p: Principal) -> ExchangeProfile:
            settings: dict[str, object] = (
                {"root": input.root}
                if input.transport is ExchangeTransport.FOLDER
                else {
                    "host": input.host,
                    "port": input.port,
                    "username": input.username,
                    "key_file": input.key_file,
                    "known_hosts": input.known_hosts,
                }
            )
            try:
                profile = create_profile(
                    uow=uow,
                    principal=p,
                    organization_id=pk(input.organization, "Organization", "organization"),
                    transport=input.transport.value,
                    settings=settings,
                    partner_id=input.partner_id,
                    our_id=input.our_id,
                    format=input.format.value,
                    invalid_einvoices=input.invalid_einvoices.value,
                )
            except InvalidInput as exc:  # "settings.root" is this input's "root"
                raise InvalidInput(exc.field.removeprefix("settings."), exc.detail) from exc
            return ExchangeProfile(
                pk=profile.id,
                transport=ExchangeTransport(profile.transport),
                format=ExchangeFormat(profile.format),
                partner_id=profile.partner_id,
                our_id=profile.our_id,
                enabled=profile.enabled,
                invalid_einvoices=InvalidEinvoices(profile.invalid_einvoices),
                created_at=profile.created_at,
            )

        profile, errors = run(info, act)
        return ExchangeProfilePayload(profile=profile, user_errors=errors)

    @mutation(description="Queue an inbound file of which nothing was applied again, once its cause is gone.")
    def reprocess_exchange_record(self, info: strawberry.Info, id: strawberry.ID) -> ExchangeRecordPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            record = handling.reprocess(
                uow=uow, principal=p, record_id=pk(id, "ExchangeRecord", "exchange record")
            )
            return record.id

        return _payload(info, *run(info, act))

    @mutation(description="Give up on an inbound file of which nothing was applied (owner staff).")
    def discard_exchange_record(self, info: strawberry.Info, id: strawberry.ID) -> ExchangeRecordPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            record = handling.discard(
                uow=uow, principal=p, record_id=pk(id, "ExchangeRecord", "exchange record")
            )
            return record.id

        return _payload(info, *run(info, act))


def _payload(info: strawberry.Info, ident: int | None, errors: list[UserError]) -> ExchangeRecordPayload:
    return ExchangeRecordPayload(record=exchange_record(info, ident), user_errors=errors)


def exchange_record(info: strawberry.Info, ident: int | None) -> ExchangeRecord | None:
    """One record as the caller sees it (through `portal.access`), with its links."""
    if ident is None:
        return None
    c = ctx(info)
    record = ledger.get_record(c.session, c.principal, ident)
    links = ledger.links_of(c.session, c.principal, {ident})
    return _build(record, links[ident], c.principal)
