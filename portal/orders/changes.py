"""The buyer's changes and cancellations of a routed order (issue #17, part 2).

A change makes a new version of the order (`portal.models.order_versions`): lines added, quantities
or requested dates changed, lines cancelled. Each version is kept with what changed; version 1 (the
order as routed) is written when the first change comes.

What a change does to the supplier's side:

- a changed or added line goes back to awaiting the supplier's answer (response pending, the
  confirmed quantity, price and promised date cleared): the supplier re-confirms it as it confirms a
  new order (portal form, ``confirmOrder``, ORDRSP/855/OrderResponse), with its tolerance and the
  buyer's review as for any answer;
- a supplier's change of that line that waited for the buyer's review is withdrawn: it answered
  the version the buyer has just replaced (the event names those lines);
- a cancelled line is cancelled at once (nothing to confirm); lines left alone keep their answers.

Refused: any change to a line of which something was shipped (the shipment stands; order more on
a new line), cancelling a line of which something was invoiced, a change of a draft (not routed: it
is still edited by routing it anew) or of a cancelled order, and a stale ``expected_version``
(two editors at once: the second is told the order changed meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from portal import validation
from portal.access import Principal, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, InvalidState
from portal.events import record
from portal.models import LineChangeKind, LineResponse, Order, OrderLine, OrderVersion, VersionKind
from portal.orders.limits import MAX_CHANGES_PER_ORDER, MAX_LINES_PER_ORDER
from portal.orders.service import NewOrderLine, load_order, new_line, touch_order
from portal.orders.tolerance import clear_proposal
from portal.orders.units import check_quantity
from portal.orders.versions import new_versions, snapshot


@dataclass(frozen=True, slots=True)
class LineChange:
    """The buyer's change of one line: a new quantity and/or requested date, or its cancellation."""

    line_no: int
    quantity: Decimal | None = None
    requested_date: date | None = None
    cancel: bool = False


def change_order(
    *,
    uow: UnitOfWork,
    principal: Principal,
    order_id: int,
    changes: Sequence[LineChange] = (),
    added: Sequence[NewOrderLine] = (),
    note: str | None = None,
    expected_version: int | None = None,
) -> Order:
    """Make a new version of a routed order; the supplier re-confirms the changed and added lines
    (see the module docstring). Writes ``order.changed`` (sent to the supplier as ORDCHG, 860 or
    UBL OrderChange where its exchange profile's format has one)."""
    order = load_order(uow, principal, order_id, for_update=True)
    may.require(principal, may.can_change_order(principal, order), "change this order")
    _require_changeable(order)
    if not changes and not added:
        raise InvalidInput("lines", "change, cancel or add at least one line")
    reason = validation.text("note", note, max_length=2000, required=False)
    touch_order(order, expected_version)
    _require_room_for_a_version(uow, order)
    before = snapshot(order.lines)
    by_no = {line.line_no: line for line in order.lines}
    seen: set[int] = set()
    made: list[dict[str, Any]] = []
    withdrawn: list[int] = []
    for change in changes:
        field = f"lines[{change.line_no}]"
        line = by_no.get(change.line_no)
        if line is None:
            raise InvalidInput(field, f"order {order.number} has no line {change.line_no}")
        if change.line_no in seen:
            raise InvalidInput(field, "changed twice")
        seen.add(change.line_no)
        entry = _change_line(order, line, change, field)
        if line.proposed_response is not None and entry["change"] == LineChangeKind.CHANGED:
            withdrawn.append(line.line_no)
        if entry["change"] == LineChangeKind.CHANGED:
            _await_answer(line)
        made.append(entry)
    if len(order.lines) + len(added) > MAX_LINES_PER_ORDER:
        raise InvalidInput(
            "added", f"at most {MAX_LINES_PER_ORDER} lines per order; put further lines on a new order"
        )
    next_no = max((line.line_no for line in order.lines), default=0) + 1
    for offset, spec in enumerate(added):
        line = new_line(uow, principal, next_no + offset, spec)
        if spec.requested_date is not None and spec.requested_date < date.today():
            raise InvalidInput(f"lines[{line.line_no}].requested_date", "must not be in the past")
        order.lines.append(line)
        made.append(
            {
                "line_no": line.line_no,
                "change": LineChangeKind.ADDED,
                "quantity": [None, str(line.quantity_ordered)],
                **(
                    {"requested_date": [None, line.requested_date.isoformat()]} if line.requested_date else {}
                ),
            }
        )
    version = new_versions(uow, principal, order, before, VersionKind.CHANGED, made, reason)
    uow.flush()
    record(
        uow,
        principal,
        "order.changed",
        "order",
        order.id,
        number=order.number,
        version=version.number,
        supplier_id=order.supplier_id,
        status=order.status().value,
        lines=made,
        **({"withdrawn": withdrawn} if withdrawn else {}),
        **({"note": reason} if reason else {}),
    )
    return order


def _require_room_for_a_version(uow: UnitOfWork, order: Order) -> None:
    """An order takes at most MAX_CHANGES_PER_ORDER changes (its versions are a bounded list for
    the API's cost model); past them it is replaced by a new order."""
    last = uow.session.scalar(select(func.max(OrderVersion.number)).where(OrderVersion.order_id == order.id))
    if last is not None and last - 1 >= MAX_CHANGES_PER_ORDER:
        raise InvalidState(
            f"order {order.number}",
            f"changed {MAX_CHANGES_PER_ORDER} times",
            "change again (cancel it and place a new order)",
        )


def _require_changeable(order: Order) -> None:
    if order.cancelled_at is not None or all(line.cancelled for line in order.lines):
        raise InvalidState(f"order {order.number}", "cancelled", "change")
    if order.supplier_id is None:
        raise InvalidState(f"order {order.number}", "draft", "change (route it to a supplier first)")


def _change_line(order: Order, line: OrderLine, change: LineChange, field: str) -> dict[str, Any]:
    """Check and apply ``change`` to ``line``; return what changed (the version's record of it)."""
    what = f"line {line.line_no} of order {order.number}"
    if line.cancelled:
        raise InvalidState(what, "cancelled", "change")
    if change.cancel and line.quantity_invoiced > 0:
        raise InvalidState(what, f"invoiced ({line.quantity_invoiced} {line.unit})", "cancel")
    if line.quantity_shipped > 0:
        raise InvalidState(
            what,
            f"shipped ({line.quantity_shipped} {line.unit})",
            "change or cancel (order more on a new line)",
        )
    if change.cancel:
        if change.quantity is not None or change.requested_date is not None:
            raise InvalidInput(field, "a cancelled line takes no new quantity or date")
        line.cancelled = True
        return {"line_no": line.line_no, "change": LineChangeKind.CANCELLED}
    entry: dict[str, Any] = {"line_no": line.line_no, "change": LineChangeKind.CHANGED}
    if change.quantity is not None:
        quantity = validation.decimal(f"{field}.quantity", change.quantity, positive=True)
        check_quantity(f"{field}.quantity", line.unit, quantity)
        if quantity < line.quantity_invoiced:
            raise InvalidInput(
                f"{field}.quantity", f"{line.quantity_invoiced} of line {line.line_no} are invoiced already"
            )
        if quantity != line.quantity_ordered:
            entry["quantity"] = [str(line.quantity_ordered), str(quantity)]
            line.quantity_ordered = quantity
    if change.requested_date is not None and change.requested_date != line.requested_date:
        if change.requested_date < date.today():
            raise InvalidInput(f"{field}.requested_date", "must not be in the past")
        old = line.requested_date.isoformat() if line.requested_date else None
        entry["requested_date"] = [old, change.requested_date.isoformat()]
        line.requested_date = change.requested_date
    if len(entry) == 2:
        raise InvalidInput(field, f"changes nothing: line {line.line_no} already has this quantity and date")
    return entry


def _await_answer(line: OrderLine) -> None:
    """The line goes back to awaiting the supplier's answer (its earlier answer was for another
    quantity or date); a proposal of the supplier's awaiting review is withdrawn."""
    line.response = LineResponse.PENDING
    line.quantity_confirmed = None
    line.confirmed_price = None
    line.promised_date = None
    line.reject_reason = None
    line.schedule = None
    clear_proposal(line)


def list_versions(uow: UnitOfWork, principal: Principal, order_id: int) -> list[OrderVersion]:
    """The versions of a visible order, oldest first ([] until its first change)."""
    load_order(uow, principal, order_id)
    return list(
        uow.session.scalars(
            visible(principal, OrderVersion)
            .where(OrderVersion.order_id == order_id)
            .order_by(OrderVersion.number)
        )
    )
