"""Dashboard figures.

The order and invoice figures read the dashboard tallies (:mod:`portal.models.tallies`, kept current
by the flush hook): a few dozen rows per page view, whatever the number of orders. Which tally rows
count what a principal may see is decided in `portal.access` (:func:`order_tally_scopes`,
:func:`invoice_tally_scopes`); each figure also has its ``*_definition``, the same aggregate over
the rows :func:`portal.access.visible` selects, which tests compare with the tallies and which a
principal whose tallies cannot answer (an organization tree holding dealers and suppliers) gets.
The late count is an index range over the stored ``earliest_open_due``. Case figures read the case
tallies (:mod:`portal.models.case_tallies`, rows chosen by `portal.access.case_tally_rule`), and
count from case rows only what lies within one day of a moment (the cases near their SLA due today,
those resolved on the first day of a period): an index range of one day."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.access import (
    Principal,
    case_tally_rule,
    in_scopes,
    invoice_tally_scopes,
    order_tally_scopes,
    visible,
)
from portal.cases.queries import near_sla_conditions
from portal.models import (
    Case,
    CaseStatus,
    Invoice,
    Order,
    OrderStatus,
)
from portal.models.case_tallies import IN_TIME, NOWHERE, OPEN_DUE, RESOLVED, STATUS, CaseTally, utc_day
from portal.models.cases import OPEN_CASE_STATUSES
from portal.models.tallies import (
    DEALER,
    DUE,
    INVOICES,
    ORDERS,
    REVIEW,
    SUPPLIER,
    WAITING,
    DayTally,
    OrderTally,
    amount_of,
)
from portal.orders.queries import OPEN_STATUSES, late_conditions, open_invoice_conditions, waiting_condition

OPEN_ORDER_STATUSES = OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class WeekCount:
    week_start: date
    count: int


def _first_monday(today: date, weeks: int) -> date:
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)


def _by_week(first_monday: date, weeks: int, rows: Iterable[tuple[date, int]]) -> list[WeekCount]:
    counts: Counter[date] = Counter()
    for order_date, count in rows:
        counts[order_date - timedelta(days=order_date.weekday())] += int(count)
    return [
        WeekCount(first_monday + timedelta(weeks=n), counts[first_monday + timedelta(weeks=n)])
        for n in range(weeks)
    ]


def orders_per_week(
    session: Session, principal: Principal, *, today: date, weeks: int = 8
) -> list[WeekCount]:
    """Orders by order date in the last ``weeks`` calendar weeks (Monday first), oldest first."""
    scopes = order_tally_scopes(session, principal)
    if scopes is None:
        return orders_per_week_definition(session, principal, today=today, weeks=weeks)
    first_monday = _first_monday(today, weeks)
    stmt = (
        select(DayTally.day, func.sum(DayTally.n))
        .where(
            in_scopes(DayTally, scopes),
            DayTally.kind == ORDERS,
            DayTally.day >= first_monday,
            DayTally.day < first_monday + timedelta(weeks=weeks),
        )
        .group_by(DayTally.day)
    )
    return _by_week(first_monday, weeks, session.execute(stmt))


def orders_per_week_definition(
    session: Session, principal: Principal, *, today: date, weeks: int = 8
) -> list[WeekCount]:
    """:func:`orders_per_week` from the visible orders."""
    first_monday = _first_monday(today, weeks)
    stmt = (
        visible(principal, Order)
        .with_only_columns(Order.order_date, func.count())
        .where(Order.order_date >= first_monday)
        .group_by(Order.order_date)
    )
    return _by_week(first_monday, weeks, session.execute(stmt))


def cases_by_status(session: Session, principal: Principal) -> dict[CaseStatus, int]:
    stmt = (
        select(CaseTally.key, func.sum(CaseTally.n))
        .where(case_tally_rule(principal), CaseTally.kind == STATUS)
        .group_by(CaseTally.key)
    )
    found = {CaseStatus(key): int(n or 0) for key, n in session.execute(stmt)}
    return {status: found.get(status, 0) for status in CaseStatus}


def cases_by_status_definition(session: Session, principal: Principal) -> dict[CaseStatus, int]:
    stmt = visible(principal, Case).with_only_columns(Case.status, func.count()).group_by(Case.status)
    found = {CaseStatus(status): int(count) for status, count in session.execute(stmt)}
    return {status: found.get(status, 0) for status in CaseStatus}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def near_sla_count(session: Session, principal: Principal, *, until: datetime) -> int:
    """Open cases whose SLA ends before ``until`` (`portal.cases.queries.near_sla_conditions`): the
    tallied days before ``until``'s day, and the rows of that day up to ``until``."""
    day = utc_day(until)
    tallied = session.scalar(
        select(func.coalesce(func.sum(CaseTally.n), 0)).where(
            case_tally_rule(principal), CaseTally.kind == OPEN_DUE, CaseTally.day < day
        )
    )
    rows = session.scalar(
        visible(principal, Case)
        .with_only_columns(func.count())
        .where(Case.sla_due_at >= _day_start(day), *near_sla_conditions(until))
    )
    return int(tallied or 0) + int(rows or 0)


def near_sla_count_definition(session: Session, principal: Principal, *, until: datetime) -> int:
    stmt = visible(principal, Case).with_only_columns(func.count()).where(*near_sla_conditions(until))
    return int(session.scalar(stmt) or 0)


def sla_compliance(session: Session, principal: Principal, *, since: datetime) -> tuple[int, int]:
    """(resolved in time, resolved late) for cases resolved since ``since``: the tallied days after
    ``since``'s day, and the rows of that day from ``since`` on; from a UTC midnight (the
    dashboard's "last 30 days"), tallies alone (a busy day's rows cost 20-30 ms at scale 2000)."""
    first = utc_day(since)
    whole_first_day = since == _day_start(first)
    counts = dict(
        session.execute(
            select(CaseTally.key, func.sum(CaseTally.n))
            .where(
                case_tally_rule(principal),
                CaseTally.kind == RESOLVED,
                CaseTally.day >= first if whole_first_day else CaseTally.day > first,
            )
            .group_by(CaseTally.key)
        ).all()
    )
    tallied = int(counts.get(IN_TIME) or 0), sum(int(n or 0) for key, n in counts.items() if key != IN_TIME)
    if whole_first_day:
        return tallied
    on_time, late = _resolved(session, principal, since, _day_start(first + timedelta(days=1)))
    return tallied[0] + on_time, tallied[1] + late


def sla_compliance_definition(session: Session, principal: Principal, *, since: datetime) -> tuple[int, int]:
    return _resolved(session, principal, since, None)


def _resolved(
    session: Session, principal: Principal, since: datetime, before: datetime | None
) -> tuple[int, int]:
    """(in time, late) of the visible cases resolved from ``since`` (before ``before``), counted
    over the partial index of resolved cases (resolution time, SLA end)."""
    in_time = case((Case.resolved_at <= Case.sla_due_at, 1), else_=0)
    stmt = (
        visible(principal, Case)
        .with_only_columns(func.count(), func.coalesce(func.sum(in_time), 0))
        .where(Case.resolved_at.is_not(None), Case.resolved_at >= since)
    )
    if before is not None:
        stmt = stmt.where(Case.resolved_at < before)
    total, on_time = session.execute(stmt).one()
    return int(on_time), int(total) - int(on_time)


def _order_keys(session: Session, principal: Principal, keys: Iterable[str]) -> dict[str, int] | None:
    scopes = order_tally_scopes(session, principal)
    if scopes is None:
        return None
    stmt = (
        select(OrderTally.key, func.sum(OrderTally.n))
        .where(in_scopes(OrderTally, scopes), OrderTally.key.in_(list(keys)))
        .group_by(OrderTally.key)
    )
    return {key: int(n) for key, n in session.execute(stmt) if n}


def orders_by_status(session: Session, principal: Principal) -> dict[OrderStatus, int]:
    """Orders by their stored status (statuses without orders left out)."""
    found = _order_keys(session, principal, (s.value for s in OrderStatus))
    if found is None:
        return orders_by_status_definition(session, principal)
    return {OrderStatus(key): n for key, n in found.items()}


def orders_by_status_definition(session: Session, principal: Principal) -> dict[OrderStatus, int]:
    status = Order.current_status
    stmt = visible(principal, Order).with_only_columns(status, func.count()).group_by(status)
    return {OrderStatus(value): int(count) for value, count in session.execute(stmt)}


def open_order_count(session: Session, principal: Principal) -> int:
    """Orders in an open status (the dashboard's "open customer orders", ``/orders?status=open``)."""
    return sum(n for status, n in orders_by_status(session, principal).items() if status in OPEN_STATUSES)


def waiting_count(session: Session, principal: Principal) -> int:
    """Orders waiting for the supplier's answer (``/orders?status=waiting``)."""
    found = _order_keys(session, principal, (WAITING,))
    if found is None:
        return waiting_count_definition(session, principal)
    return found.get(WAITING, 0)


def waiting_count_definition(session: Session, principal: Principal) -> int:
    stmt = visible(principal, Order).with_only_columns(func.count()).where(waiting_condition())
    return int(session.scalar(stmt) or 0)


def review_count(session: Session, principal: Principal) -> int:
    """Orders with a supplier's change awaiting the buyer's review (``/orders?review=awaiting``)."""
    found = _order_keys(session, principal, (REVIEW,))
    if found is None:
        return review_count_definition(session, principal)
    return found.get(REVIEW, 0)


def review_count_definition(session: Session, principal: Principal) -> int:
    stmt = visible(principal, Order).with_only_columns(func.count()).where(Order.awaiting_review.is_(True))
    return int(session.scalar(stmt) or 0)


def late_order_count(session: Session, principal: Principal, *, today: date) -> int:
    """Routed orders with a line whose promised (or requested) date has passed and that is not
    fully shipped (the orders list's "late" filter shows the same orders): the day tallies of the
    stored ``earliest_open_due`` before ``today`` (a few hundred rows, whatever the number of
    late orders; 40 ms for 23,000 of a supplier's late orders counted by index at 500,000)."""
    scopes = order_tally_scopes(session, principal)
    if scopes is None:
        return late_order_count_definition(session, principal, today=today)
    stmt = select(func.sum(DayTally.n)).where(
        in_scopes(DayTally, scopes), DayTally.kind == DUE, DayTally.day < today
    )
    return int(session.scalar(stmt) or 0)


def late_order_count_definition(session: Session, principal: Principal, *, today: date) -> int:
    """:func:`late_order_count` from the visible orders (the index on ``earliest_open_due``)."""
    stmt = visible(principal, Order).with_only_columns(func.count()).where(*late_conditions(today))
    return int(session.scalar(stmt) or 0)


def open_invoices(session: Session, principal: Principal, *, today: date) -> tuple[int, Decimal, int]:
    """(count, amount still owed, over-billed count) of the open invoices not yet due (received,
    disputed or approved; `open_invoice_conditions`)."""
    stmt = select(func.sum(DayTally.n), func.sum(DayTally.amount), func.sum(DayTally.flagged)).where(
        in_scopes(DayTally, invoice_tally_scopes(principal)),
        DayTally.kind == INVOICES,
        DayTally.day >= today,
    )
    count, units, flagged = session.execute(stmt).one()
    return int(count or 0), amount_of(units or 0), int(flagged or 0)


def open_invoices_definition(
    session: Session, principal: Principal, *, today: date
) -> tuple[int, Decimal, int]:
    """:func:`open_invoices` from the visible invoices."""
    stmt = (
        visible(principal, Invoice)
        .with_only_columns(Invoice.amount_owed, Invoice.match_status)
        .where(*open_invoice_conditions(today))
    )
    count = 0
    total = Decimal(0)
    flagged = 0
    for owed, match_status in session.execute(stmt):  # summed here: exact on SQLite too
        count += 1
        total += owed
        flagged += match_status.value == "over_billed"
    return count, total, flagged


def by_partner(session: Session, principal: Principal) -> list[tuple[int, int, int]]:
    """Open orders per organization (the supplier it is routed to, and the dealer that sold it)
    and open cases per routed-to organization: (org id, orders, cases). The orders from the
    tallies of every dealer and supplier (owner staff see all of them)."""
    if not principal.is_owner:
        return by_partner_definition(session, principal)
    orders: Counter[int] = Counter()
    for ident, n in session.execute(
        select(OrderTally.org_id, func.sum(OrderTally.n))
        .where(
            OrderTally.role.in_([DEALER, SUPPLIER]),
            OrderTally.key.in_([s.value for s in OPEN_ORDER_STATUSES]),
        )
        .group_by(OrderTally.org_id)
    ):
        if n:
            orders[ident] += int(n)
    return _with_cases(orders, _open_cases_tallied(session, principal))


def by_partner_definition(session: Session, principal: Principal) -> list[tuple[int, int, int]]:
    """:func:`by_partner` from the visible orders."""
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
    return _with_cases(orders, _open_cases_counted(session, principal))


def _open_cases_tallied(session: Session, principal: Principal) -> dict[int, int]:
    rows = session.execute(
        select(CaseTally.routed_to_id, func.sum(CaseTally.n))
        .where(
            case_tally_rule(principal),
            CaseTally.kind == STATUS,
            CaseTally.routed_to_id != NOWHERE,
            CaseTally.key.in_([s.value for s in OPEN_CASE_STATUSES]),
        )
        .group_by(CaseTally.routed_to_id)
    )
    return {ident: int(n) for ident, n in rows if n}


def _open_cases_counted(session: Session, principal: Principal) -> dict[int, int]:
    rows = session.execute(
        visible(principal, Case)
        .with_only_columns(Case.routed_to_id, func.count())
        .where(Case.routed_to_id.is_not(None), Case.status.in_(OPEN_CASE_STATUSES))
        .group_by(Case.routed_to_id)
    )
    return {ident: int(n) for ident, n in rows if ident is not None}


def _with_cases(orders: Counter[int], cases: dict[int, int]) -> list[tuple[int, int, int]]:
    ids = sorted(ident for ident in set(orders) | set(cases) if ident is not None)
    return [(ident, int(orders.get(ident, 0)), cases.get(ident, 0)) for ident in ids]
