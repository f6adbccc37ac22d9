"""The start page, per kind of organization, with two server-drawn charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from portal import stats
from portal.access import get_visible, load_by_ids
from portal.access import permissions as may
from portal.activities.queries import ActivityQuery, ActivitySort, list_activities
from portal.cases.queries import NEAR_SLA, CaseQuery, CaseSort, list_cases
from portal.models import ActivityKind, Customer, Organization
from portal.models.base import utcnow
from portal.orders.queries import OPEN_STATUSES, STATUS_GROUPS, OrderQuery, list_orders
from portal.reading import PageRequest
from portal.web import labels
from portal.web.charts import Bar, bar_chart
from portal.web.core import Ctx, Web
from portal.web.i18n import TIMEZONE

# Where each tile leads: the list with the same filter the tile counts with (the list views read
# these parameters into the same filter objects), ordered so the most urgent row comes first.
WAITING_HREF = "/orders?status=waiting&sort=created_at&dir=asc"
REVIEW_HREF = "/orders?review=awaiting&sort=created_at&dir=asc"  # the review inbox, oldest first
LATE_HREF = "/orders?delivery=late"
OPEN_INVOICES_HREF = "/invoices?state=open&sort=issue_date&dir=asc"
OVER_BILLED_HREF = "/invoices?state=open&match=over_billed&sort=issue_date&dir=asc"
OPEN_ORDERS_HREF = "/orders?status=open"
NEAR_SLA_HREF = "/cases?sla=near&sort=sla_due_at&dir=asc"


def appointments_href(day: date) -> str:
    query = {"kind": "appointment", "from": day.isoformat(), "to": day.isoformat()}
    return "/activities?" + urlencode({**query, "sort": "starts_at", "dir": "asc"})


@dataclass(frozen=True, slots=True)
class Tiles:
    """The hrefs the template links its tiles to."""

    waiting: str = WAITING_HREF
    late: str = LATE_HREF
    invoices: str = OPEN_INVOICES_HREF
    over_billed: str = OVER_BILLED_HREF
    open_orders: str = OPEN_ORDERS_HREF
    near_sla: str = NEAR_SLA_HREF
    appointments: str = ""
    review: str = REVIEW_HREF


class DashboardViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def page(self, ctx: Ctx) -> Response:
        db, p = ctx.db, ctx.principal
        now = utcnow()
        today = now.astimezone(TIMEZONE).date()
        small = PageRequest(first=8)
        data: dict[str, Any] = {}
        if p.is_supplier or p.is_owner:
            waiting = list_orders(
                db, p, OrderQuery.of_group(STATUS_GROUPS["waiting"]), descending=False, page=small
            )
            data["waiting"] = waiting
            data["waiting_count"] = stats.waiting_count(db, p)
            data["late_count"] = stats.late_order_count(db, p, today=today)
            data["invoices"] = stats.open_invoices(db, p, today=today)
        if may.can_review_line_changes(p):  # the review inbox (issue #17), from the order tallies
            data["review_count"] = stats.review_count(db, p)
        if not p.is_supplier:
            open_orders = list_orders(db, p, OrderQuery(statuses=OPEN_STATUSES), page=small)
            data["open_orders"] = open_orders
            data["open_count"] = stats.open_order_count(db, p)
            near = list_cases(
                db,
                p,
                CaseQuery(due_before=now + NEAR_SLA),
                sort=CaseSort.SLA_DUE_AT,
                descending=False,
                page=small,
            )
            data["near_sla"] = near
            data["near_sla_count"] = stats.near_sla_count(db, p, until=now + NEAR_SLA)
            start = datetime.combine(today, datetime.min.time(), TIMEZONE)
            today_query = ActivityQuery(
                kinds=frozenset({ActivityKind.APPOINTMENT}),
                starts_from=start,
                starts_before=datetime.combine(today + timedelta(days=1), datetime.min.time(), TIMEZONE),
            )
            appointments = list_activities(
                db, p, today_query, sort=ActivitySort.STARTS_AT, descending=False, page=PageRequest(first=20)
            )
            data["appointments"] = appointments
            data["appointments_count"] = appointments.total_count()
            data["appointment_customers"] = load_by_ids(
                db, p, Customer, {a.customer_id for a in appointments.items}
            )
        data["statuses"] = {
            o.id: o.current_status
            for key in ("waiting", "open_orders")
            if key in data
            for o in data[key].items
        }
        if p.is_owner:
            rows = stats.by_partner(db, p)
            data["by_partner"] = rows
            data["partner_names"] = {
                o.id: o.name for o in load_by_ids(db, p, Organization, {r[0] for r in rows}).values()
            }
        weeks = stats.orders_per_week(db, p, today=today)
        fmt = self.web.envs[ctx.locale].filters["date"]
        orders_chart = bar_chart(
            ctx._("Orders per week"),
            [
                Bar(fmt(w.week_start, "d.M.") if ctx.locale == "de" else fmt(w.week_start, "M/d"), w.count)
                for w in weeks
            ],
        )
        by_status = stats.cases_by_status(db, p)
        cases_chart = bar_chart(
            ctx._("Cases by status"),
            [Bar(ctx._(labels.CASE_STATUS[s]), n, f"s-{s.value}") for s, n in by_status.items()],
        )
        # The last 30 whole days (UTC) and today so far: read from the case tallies alone.
        month_ago = datetime.combine(now.astimezone(UTC).date() - timedelta(days=30), time.min, UTC)
        in_time, late = stats.sla_compliance(db, p, since=month_ago)
        data["sla"] = (in_time, late, round(100 * in_time / (in_time + late)) if in_time + late else None)
        return ctx.render(
            "dashboard.html",
            organization=get_visible(db, p, Organization, p.org_id),
            orders_chart=orders_chart,
            cases_chart=cases_chart,
            labels=labels.ALL,
            now=now,
            tiles=Tiles(appointments=appointments_href(today)),
            **data,
        )
