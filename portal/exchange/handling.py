"""What staff do with an inbound file the worker could not apply: process it again, or discard it.

`refusal` decides who may do either (the role through `portal.access.permissions`), in which
state; the services enforce it and the portal and GraphQL ask `may` to show or hide the buttons."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from portal.access import Principal, get_visible
from portal.access import permissions as may_act
from portal.db import UnitOfWork
from portal.errors import InvalidState, PermissionDenied, PortalError
from portal.events import record as record_event
from portal.models import Direction, ExchangeRecord, RecordState
from portal.models.base import utcnow

Action = Literal["reprocess", "discard"]
#: Nothing of these was applied: processing one again cannot apply anything twice. (A partially
#: applied file is not among them: re-running it would apply its good messages twice.)
UNAPPLIED = frozenset({RecordState.RECEIVED, RecordState.FAILED, RecordState.DUPLICATE})
_WORDS = {"reprocess": "process files again", "discard": "discard files"}


def refusal(principal: Principal, record: ExchangeRecord, action: Action) -> PortalError | None:
    """Why ``principal`` may not ``action`` ``record`` (None: it may).

    Owner staff (admin, sales, support) may process again or discard any inbound file of which
    nothing was applied. A partner's admin may process its own failed files again (after fixing
    them at its end), but not discard them."""
    words = _WORDS[action]
    role_may = may_act.can_reprocess_file if action == "reprocess" else may_act.can_discard_file
    if not role_may(principal):
        if not may_act.can_write(principal):
            return PermissionDenied(f"your role is read-only: you may not {words}")
        if principal.is_owner:
            return PermissionDenied(f"only admin, sales or support may {words}")
        if action == "discard":
            return PermissionDenied(f"only the owner's staff may {words}")
        return PermissionDenied(f"only admin may {words}")
    allowed = UNAPPLIED if principal.is_owner else frozenset({RecordState.FAILED})
    if record.direction is not Direction.INBOUND or record.state not in allowed:
        return InvalidState("exchange record", record.state.value, action)
    if action == "reprocess" and not record.sha256:
        # Refused for its size and never read: there is nothing stored to process.
        return InvalidState("exchange record", "not read (too big)", action)
    return None


def may(principal: Principal, record: ExchangeRecord, action: Action) -> bool:
    return refusal(principal, record, action) is None


def _locked(uow: UnitOfWork, principal: Principal, record_id: int, action: Action) -> ExchangeRecord:
    """The visible record, locked against a worker processing it meanwhile, checked by `refusal`."""
    get_visible(uow.session, principal, ExchangeRecord, record_id)  # hidden behaves like missing
    rec = uow.session.scalars(
        select(ExchangeRecord).where(ExchangeRecord.id == record_id).with_for_update()
    ).one()
    uow.session.refresh(rec)
    problem = refusal(principal, rec, action)
    if problem is not None:
        raise problem
    return rec


def reprocess(*, uow: UnitOfWork, principal: Principal, record_id: int) -> ExchangeRecord:
    """Put an inbound file of which nothing was applied back in the queue, with a fresh budget of
    attempts (after the partner or we fixed the cause)."""
    rec = _locked(uow, principal, record_id, "reprocess")
    rec.state = RecordState.RECEIVED
    rec.ref_key = None
    rec.error = None
    rec.messages = []
    rec.attempts = 0
    rec.claimed_at = None
    rec.updated_at = utcnow()
    uow.flush()
    record_event(uow, principal, "exchange.reprocess", "exchange_record", rec.id, filename=rec.filename)
    return rec


def discard(*, uow: UnitOfWork, principal: Principal, record_id: int) -> ExchangeRecord:
    """Give up on an inbound file of which nothing was applied: it is kept in the ledger (with its
    bytes) as ``discarded`` and never processed. Its interchange reference is released, so the
    partner can send a corrected file under the same reference."""
    rec = _locked(uow, principal, record_id, "discard")
    previous = rec.state.value
    rec.state = RecordState.DISCARDED
    rec.ref_key = None
    rec.claimed_at = None
    rec.error = f"discarded by {principal.name or 'staff'} (was {previous})" + (
        f": {rec.error}" if rec.error else ""
    )
    rec.updated_at = utcnow()
    uow.flush()
    record_event(uow, principal, "exchange.discard", "exchange_record", rec.id, filename=rec.filename)
    return rec
