"""Writing an order's versions (see `portal.models.order_versions`): used by the buyer's changes
(`portal.orders.changes`) and by the cancellation of a routed order (`portal.orders.service`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from portal.access import Principal
from portal.db import UnitOfWork
from portal.models import LineChangeKind, Order, OrderLine, OrderVersion, VersionKind


def record_cancellation(uow: UnitOfWork, principal: Principal, order: Order) -> OrderVersion | None:
    """The cancellation of a routed order as its last version (called by `cancel_order` after it
    cancelled the order); a draft keeps no versions."""
    if order.supplier_id is None:
        return None
    before = snapshot(order.lines)  # cancelling the order leaves its lines as they were
    made: list[dict[str, Any]] = [
        {"line_no": line["line_no"], "change": LineChangeKind.CANCELLED}
        for line in before
        if not line["cancelled"]
    ]
    return new_versions(uow, principal, order, before, VersionKind.CANCELLED, made, None, all_cancelled=True)


def new_versions(
    uow: UnitOfWork,
    principal: Principal,
    order: Order,
    before: list[dict[str, Any]],
    kind: VersionKind,
    made: list[dict[str, Any]],
    note: str | None,
    *,
    all_cancelled: bool = False,
) -> OrderVersion:
    """Write the order's next version (and version 1, the order as routed, on its first change)."""
    session = uow.session
    last = session.scalar(select(func.max(OrderVersion.number)).where(OrderVersion.order_id == order.id))
    if last is None:
        session.add(
            OrderVersion(
                order_id=order.id,
                number=1,
                kind=VersionKind.ORIGINAL,
                created_at=order.routed_at or order.created_at,
                created_by_org_id=order.created_by_org_id,
                lines=before,
                changes=[],
            )
        )
        last = 1
    after = snapshot(order.lines)
    if all_cancelled:
        after = [{**line, "cancelled": True} for line in after]
    version = OrderVersion(
        order_id=order.id,
        number=last + 1,
        kind=kind,
        created_by_org_id=principal.org_id,
        created_by_user_id=principal.user_id,
        note=note,
        lines=after,
        changes=[{**entry, "change": str(entry["change"])} for entry in made],
    )
    session.add(version)
    return version


def snapshot(lines: Sequence[OrderLine]) -> list[dict[str, Any]]:
    return [
        {
            "line_no": line.line_no,
            "sku": line.sku,
            "description": line.description,
            "unit": line.unit,
            "quantity": str(line.quantity_ordered),
            "unit_price": str(line.unit_price),
            "requested_date": line.requested_date.isoformat() if line.requested_date else None,
            "cancelled": bool(line.cancelled),
        }
        for line in sorted(lines, key=lambda line: line.line_no)
    ]
