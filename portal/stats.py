"""Dashboard aggregates. Every query starts from :func:`portal.access.visible`, so a dashboard counts
exactly what its viewer may see."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.models import (
    Case,
    CaseStatus,
    Invoice,
    Order,
    OrderStatus,
)
from portal.orders.queries import OPEN_STATUSES, late_conditions, open_invoice_conditions

OPEN_ORDER_STATUSES = OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class WeekCount:
    week_start: date
    count: int


def orders_per_week(
    session: Session, principal: Principal, *, today: date, weeks: int = 8
) -> list[WeekCount]:
    """Orders by order date in the last ``weeks`` calendar weeks (Monday first), oldest first."""
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    stmt = (
        visible(principal, Order)
        .with_only_columns(Order.order_date, func.count())
        .where(Order.order_date >= first_monday)
        .group_by(Order.order_date)
    )
    counts: Counter[date] = Counter()
    for order_date, count in session.execute(stmt):
        counts[order_date - timedelta(days=order_date.weekday())] += int(count)
    return [
        WeekCount(first_monday + timedelta(weeks=n), counts[first_monday + timedelta(weeks=n)])
        for n in range(weeks)
    ]


def cases_by_status(session: Session, principal: Principal) -> dict[CaseStatus, int]:
    stmt = visible(principal, Case).with_only_columns(Case.status, func.count()).group_by(Case.status)
    found = {CaseStatus(status): int(count) for status, count in session.execute(stmt)}
    return {status: found.get(status, 0) for status in CaseStatus}


def sla_compliance(session: Session, principal: Principal, *, since: datetime) -> tuple[int, int]:
    """(resolved in time, resolved late) for cases resolved since ``since``."""
    stmt = (
        visible(principal, Case)
        .with_only_columns(Case.resolved_at, Case.sla_due_at)
        .where(Case.resolved_at.is_not(None), Case.resolved_at >= since)
    )
    in_time = late = 0
    for resolved_at, due in session.execute(stmt):
        if resolved_at is not None and resolved_at <= due:
            in_time += 1
        else:
            late += 1
    return in_time, late


def orders_by_status(session: Session, principal: Principal) -> dict[OrderStatus, int]:
    status = Order.current_status
    stmt = visible(principal, Order).with_only_columns(status, func.count()).group_by(status)
    return {OrderStatus(value): int(count) for value, count in session.execute(stmt)}


def late_order_count(session: Session, principal: Principal, *, today: date) -> int:
    """Routed orders with a line whose promised (or requested) date has passed and that is not
    fully shipped (the orders list's "late" filter shows the same orders)."""
    stmt = visible(principal, Order).with_only_columns(func.count()).where(*late_conditions(today))
    return int(session.scalar(stmt) or 0)


def open_invoices(session: Session, principal: Principal, *, today: date) -> tuple[int, Decimal, int]:
    """(count, gross total, over-billed count) of invoices not yet due (no payment data is kept)."""
    stmt = (
        visible(principal, Invoice)
        .with_only_columns(Invoice.gross_total, Invoice.match_status)
        .where(*open_invoice_conditions(today))
    )
    count = 0
    total = Decimal(0)
    flagged = 0
    for gross_total, match_status in session.execute(stmt):  # summed here: exact on SQLite too
        count += 1
        total += gross_total
        flagged += match_status.value == "over_billed"
    return count, total, flagged


def by_partner(session: Session, principal: Principal) -> list[tuple[int, int, int]]:
    """Open orders per organization (the supplier it is routed to, and the dealer that sold it)
    and open cases per routed-to organization: (org id, orders, cases)."""
    status = Order.current_status
    orders: Counter[int] = Counter()
    for column in (Order.supplier_id, Order.dealer_id):
        for ident, count in session.execute(
            visible(principal, Order)
            .with_only_columns(column, func.count())
            .where(column.is_not(None), status.in_([s.value for s in OPEN_ORDER_STATUSES]))
            .group_by(column)
        ):
            if ident is not None:
                orders[ident] += int(count)
    cases = dict(
        session.execute(
            visible(principal, Case)
            .with_only_columns(Case.routed_to_id, func.count())
            .where(
                Case.routed_to_id.is_not(None),
                Case.status.in_([CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING]),
            )
            .group_by(Case.routed_to_id)
        ).all()
    )
    ids = sorted(ident for ident in set(orders) | set(cases) if ident is not None)
    return [(ident, int(orders.get(ident, 0)), int(cases.get(ident, 0))) for ident in ids]
