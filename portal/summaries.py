"""Recomputing the stored order facts and the dashboard tallies from the base rows.

The flush hook (:func:`portal.models.orders.keep_summaries_current`) keeps both current for every
change made through a session. Rows written past it (the demo seed's bulk load, an INSERT run on a
Connection, a repair by hand) are brought in line by :func:`rebuild`: the migration that introduced
the tallies runs it for existing data, ``portal seed demo`` runs it after loading (the seed fills
the order facts itself), and ``portal stats rebuild`` runs it for operators (docs/deploy.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
    true,
    update,
)

from portal.models import OPEN_INVOICE_STATUSES, Case, Invoice, Order, OrderLine
from portal.models.case_tallies import CaseDeltas, CaseFigures, CaseTally
from portal.models.opportunities import Opportunity
from portal.models.opportunity_tallies import OpportunityDeltas, OpportunityFigures, OpportunityTally
from portal.models.orders import (
    LineFigures,
    LineResponse,
    awaits_confirmation,
    awaits_review,
    derive_status,
    earliest_open_due,
    order_total,
)
from portal.models.tallies import (
    ALL,
    ALL_ORGS,
    DEALER,
    DUE,
    INVOICES,
    NO_DUE,
    ORDERS,
    REVIEW,
    SUPPLIER,
    WAITING,
    DayTally,
    OrderTally,
    units,
)

BATCH = 2000
_FACTS = ("current_status", "net_total", "earliest_open_due", "awaiting_confirmation", "awaiting_review")
_LINE_COLUMNS = (
    "order_id",
    "cancelled",
    "response",
    "quantity_ordered",
    "quantity_confirmed",
    "quantity_shipped",
    "quantity_invoiced",
    "unit_price",
    "confirmed_price",
    "requested_date",
    "promised_date",
    "proposed_response",
    "schedule",
)


@dataclass(frozen=True, slots=True)
class RebuildResult:
    orders: int  # orders read
    corrected: int  # orders whose stored facts differed from their lines
    tally_rows: int  # tally rows written


def rebuild(
    conn: Connection,
    *,
    facts: bool = True,
    cases: bool = True,
    opportunities: bool = True,
    batch: int = BATCH,
) -> RebuildResult:
    """Recompute the stored facts of every order (unless ``facts`` is False) and every dashboard
    tally (the case and opportunity tallies unless ``cases`` / ``opportunities`` is False: migrations
    before they existed), in the caller's transaction. On PostgreSQL, writers of orders, lines,
    invoices, cases and opportunities wait until it commits (the tallies would otherwise miss their
    deltas); readers do not."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE orders, order_lines, invoices IN SHARE MODE"))
        conn.execute(text("LOCK TABLE order_tallies, day_tallies IN EXCLUSIVE MODE"))
        if cases:
            conn.execute(text("LOCK TABLE cases IN SHARE MODE"))
            conn.execute(text("LOCK TABLE case_tallies IN EXCLUSIVE MODE"))
        if opportunities:
            conn.execute(text("LOCK TABLE opportunities IN SHARE MODE"))
            conn.execute(text("LOCK TABLE opportunity_tallies IN EXCLUSIVE MODE"))
    orders = corrected = 0
    if facts:
        orders, corrected = _rebuild_facts(conn, batch)
    rows = _rebuild_tallies(conn)
    if cases:
        rows += rebuild_case_tallies(conn)
    if opportunities:
        rows += rebuild_opportunity_tallies(conn)
    return RebuildResult(orders, corrected, rows)


def rebuild_opportunity_tallies(conn: Connection, *, won_by_day_won: bool = True) -> int:
    """Recompute the pipeline's tallies from the opportunities (one pass, counted as the flush counts).
    ``won_by_day_won=False`` keys won ones by their expected close, as before migration 0033 (its
    downgrade)."""
    conn.execute(delete(OpportunityTally))
    table = Opportunity.__table__
    deltas = OpportunityDeltas()
    columns = [table.c[name] for name in OpportunityFigures._fields]
    for dealer, stage, close, amount, probability, closed_at in conn.execute(
        select(*columns).execution_options(yield_per=10_000)
    ):
        closed = closed_at if won_by_day_won else None
        deltas.add(OpportunityFigures(dealer, str(stage), close, amount, probability, closed), 1)
    rows = deltas.as_rows()
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(OpportunityTally), rows[start : start + 10_000])
    return len(rows)


def rebuild_case_tallies(conn: Connection) -> int:
    """Recompute the case tallies from the cases (read in one pass, counted as the flush counts)."""
    conn.execute(delete(CaseTally))
    cases = Case.__table__
    deltas = CaseDeltas()
    columns = [cases.c[name] for name in CaseFigures._fields]
    for routed, opened, status, due, resolved in conn.execute(
        select(*columns).execution_options(yield_per=10_000)
    ):
        deltas.add(CaseFigures(routed, opened, str(status), due, resolved), 1)
    rows = deltas.as_rows()
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(CaseTally), rows[start : start + 10_000])
    return len(rows)


def _rebuild_facts(conn: Connection, batch: int) -> tuple[int, int]:
    table, lines = Order.__table__, OrderLine.__table__
    # Migrations 0009 and 0018 run this on a schema that has no review columns yet (they came with
    # 0019): then the facts of the review are left out (0019 starts every order at "nothing to review").
    review = "awaiting_review" in {column["name"] for column in inspect(conn).get_columns("orders")}
    # Likewise the schedules of split lines came with 0028 (none before: the due days stand).
    scheduled = "schedule" in {column["name"] for column in inspect(conn).get_columns("order_lines")}
    fact_names = _FACTS if review else _FACTS[:-1]
    line_columns = _LINE_COLUMNS[:-2] + (
        (("proposed_response",) if review else ()) + (("schedule",) if scheduled else ())
    )
    set_facts = (
        update(Order)
        .where(Order.id == bindparam("order_id"))
        .values({name: bindparam(name) for name in fact_names})
    )
    last, seen, corrected = 0, 0, 0
    while True:
        rows = conn.execute(
            select(
                table.c.id,
                table.c.cancelled_at,
                table.c.supplier_id,
                table.c.requested_date,
                *(table.c[n] for n in fact_names),
            )
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return seen, corrected
        figures: dict[int, list[LineFigures]] = defaultdict(list)
        for line in conn.execute(
            select(*(lines.c[n] for n in line_columns)).where(
                lines.c.order_id.between(rows[0].id, rows[-1].id)
            )
        ).mappings():
            values = dict(line)
            values["response"] = LineResponse(values["response"])
            values["cancelled"] = bool(values["cancelled"])
            if values.get("proposed_response") is not None:
                values["proposed_response"] = LineResponse(values["proposed_response"])
            figures[values.pop("order_id")].append(LineFigures(**values))
        changes: list[dict[str, Any]] = []
        for row in rows:
            mine = figures.get(row.id, [])
            facts = SimpleNamespace(
                cancelled_at=row.cancelled_at, supplier_id=row.supplier_id, requested_date=row.requested_date
            )
            wanted = {
                "current_status": derive_status(facts, mine).value,
                "net_total": order_total(mine),
                "earliest_open_due": earliest_open_due(facts, mine),
                "awaiting_confirmation": awaits_confirmation(facts, mine),
            }
            if review:
                wanted["awaiting_review"] = awaits_review(facts, mine)
            stored = {name: getattr(row, name) for name in fact_names}
            stored["current_status"] = str(stored["current_status"])
            stored["awaiting_confirmation"] = bool(stored["awaiting_confirmation"])
            if review:
                stored["awaiting_review"] = bool(stored["awaiting_review"])
            if stored != wanted:
                changes.append({"order_id": row.id, **wanted})
        if changes:
            conn.execute(set_facts, changes)
        seen += len(rows)
        corrected += len(changes)
        last = rows[-1].id


def _rebuild_tallies(conn: Connection) -> int:
    conn.execute(delete(OrderTally))
    conn.execute(delete(DayTally))
    orders, invoices = Order.__table__, Invoice.__table__
    # Migrations before 0019 run this on a schema without the review flag (every order: no review).
    review = "awaiting_review" in {c["name"] for c in inspect(conn).get_columns("orders")}
    keys: list[dict[str, Any]] = []
    days: list[dict[str, Any]] = []
    scopes: Iterable[tuple[ColumnElement[Any], str]] = (
        (literal(ALL_ORGS), ALL),
        (orders.c.dealer_id, DEALER),
        (orders.c.supplier_id, SUPPLIER),
    )
    for column, role in scopes:
        org = column.label("org")
        present = column.is_not(None)
        for ident, status, n in conn.execute(
            select(org, orders.c.current_status, func.count())
            .where(present)
            .group_by(org, orders.c.current_status)
        ):
            keys.append({"org_id": ident, "role": role, "key": str(status), "n": n})
        for ident, n in conn.execute(
            select(org, func.count()).where(present, orders.c.awaiting_confirmation.is_(True)).group_by(org)
        ):
            keys.append({"org_id": ident, "role": role, "key": WAITING, "n": n})
        for ident, day, n in conn.execute(
            select(org, orders.c.order_date, func.count()).where(present).group_by(org, orders.c.order_date)
        ):
            days.append(_day(ident, role, ORDERS, day, n, 0, 0))
        if review:
            for ident, n in conn.execute(
                select(org, func.count()).where(present, orders.c.awaiting_review.is_(True)).group_by(org)
            ):
                keys.append({"org_id": ident, "role": role, "key": REVIEW, "n": n})
        due = orders.c.earliest_open_due
        for ident, day, n in conn.execute(
            select(org, due, func.count()).where(present, due.is_not(None)).group_by(org, due)
        ):
            days.append(_day(ident, role, DUE, day, n, 0, 0))
    sums: defaultdict[tuple[int, str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    over_billed = invoices.c.match_status == "over_billed"
    # Migrations 0009 and 0018 run this on a schema before 0020's invoice workflow: every invoice is
    # open there and owes its gross total.
    workflow = "status" in {c["name"] for c in inspect(conn).get_columns("invoices")}
    is_open = invoices.c.status.in_(sorted(s.value for s in OPEN_INVOICE_STATUSES)) if workflow else true()
    owed = invoices.c.amount_owed if workflow else invoices.c.gross_total
    if conn.dialect.name == "postgresql":  # NUMERIC sums are exact there
        rows: Iterable[Any] = conn.execute(
            select(
                invoices.c.supplier_id,
                invoices.c.due_date,
                func.count(),
                func.sum(owed),
                func.count().filter(over_billed),
            )
            .where(is_open)
            .group_by(invoices.c.supplier_id, invoices.c.due_date)
        )
    else:  # SQLite keeps amounts as text: summed here, as Decimals
        rows = (
            (supplier, due, 1, owed, int(str(match) == "over_billed"))
            for supplier, due, owed, match in conn.execute(
                select(
                    invoices.c.supplier_id,
                    invoices.c.due_date,
                    owed,
                    invoices.c.match_status,
                )
                .where(is_open)
                .execution_options(yield_per=5000)  # on the statement: the connection's would stay on
            )
        )
    for supplier, due, n, gross, flagged in rows:
        for key in ((ALL_ORGS, ALL, due or NO_DUE), (supplier, SUPPLIER, due or NO_DUE)):
            tally = sums[key]
            tally[0] += n
            tally[1] += units(Decimal(gross or 0))
            tally[2] += flagged
    for (ident, role, day), (n, amount, flagged) in sums.items():
        days.append(_day(ident, role, INVOICES, day, n, amount, flagged))
    if keys:
        conn.execute(insert(OrderTally), keys)
    for start in range(0, len(days), 10_000):
        conn.execute(insert(DayTally), days[start : start + 10_000])
    return len(keys) + len(days)


def _day(ident: int, role: str, kind: str, day: date, n: int, amount: int, flagged: int) -> dict[str, Any]:
    return {
        "org_id": ident,
        "role": role,
        "kind": kind,
        "day": day,
        "n": n,
        "amount": amount,
        "flagged": flagged,
    }


__all__ = ["RebuildResult", "rebuild", "rebuild_case_tallies", "rebuild_opportunity_tallies"]
