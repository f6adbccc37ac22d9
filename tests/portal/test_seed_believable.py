"""The demo data reads like the recent weeks of a heating-equipment business (issue #10 item 16): people
work on weekdays in working hours (Europe/Berlin), contacts' e-mails are their names at their
company's domain, most open cases are within their SLA, orders are of the recent weeks."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta
from typing import Any

import pytest

from portal.models import Activity, Case, CaseStatus, Contact, Customer, Order
from portal.seed.cases import TODAY_APPOINTMENTS
from portal.seed.plan import BERLIN, Plan, local_time, mail_local_part, plan_demo, table_of

ANCHOR = date(2026, 3, 4)  # a Wednesday
NOW = local_time(ANCHOR, 10)
OPEN = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_demo(scale=0.5, anchor=ANCHOR, password_hash="x")


def rows(plan: Plan, model: type) -> list[dict[str, Any]]:
    return plan.tables[table_of(model)]


def test_appointments_and_meetings_lie_in_working_hours_in_berlin(plan: Plan) -> None:
    timed = [a for a in rows(plan, Activity) if a["starts_at"] is not None]
    assert len(timed) > 200
    for activity in timed:
        start, end = activity["starts_at"].astimezone(BERLIN), activity["ends_at"].astimezone(BERLIN)
        assert start.date() == end.date() and time(7) <= start.time() and end.time() <= time(19), activity
        if start.date() != ANCHOR:  # today's are today whatever the weekday; the others on weekdays
            assert start.weekday() < 5, activity
    today = [a for a in timed if a["starts_at"].astimezone(BERLIN).date() == ANCHOR]
    assert len(today) >= 10, "the dashboard's appointments of today"


def test_calls_orders_and_cases_happen_on_weekdays_in_working_hours(plan: Plan) -> None:
    moments = [o["created_at"] for o in rows(plan, Order)]
    moments += [a["occurred_at"] for a in rows(plan, Activity) if a["starts_at"] is None]
    moments += [c["created_at"] for c in rows(plan, Case) if c["status"] not in OPEN]
    for moment in moments:
        local = moment.astimezone(BERLIN)
        assert local.weekday() < 5 and time(7) <= local.time() <= time(19), local


def test_contact_emails_are_the_contacts_name_at_the_company_domain(plan: Plan) -> None:
    customers = {c["id"]: c for c in rows(plan, Customer)}
    domains = [c["email"].split("@")[1] for c in customers.values()]
    assert len(set(domains)) == len(domains), "every company has its own domain"
    contacts = rows(plan, Contact)
    assert len(contacts) > len(customers)
    for contact in contacts:
        local, domain = contact["email"].split("@")
        assert local == mail_local_part(contact["first_name"], contact["last_name"]), contact
        assert domain == customers[contact["customer_id"]]["email"].split("@")[1], contact
    assert mail_local_part("Jürgen", "Groß") == "juergen.gross"


def test_open_cases_are_mostly_within_their_sla(plan: Plan) -> None:
    open_cases = [c for c in rows(plan, Case) if c["status"] in OPEN]
    assert len(open_cases) > 100
    breached = [c for c in open_cases if c["sla_due_at"] < NOW]
    near = [c for c in open_cases if NOW <= c["sla_due_at"] < NOW + timedelta(hours=8)]
    assert 0 < len(breached) < 0.15 * len(open_cases)
    assert len(near) > 0
    assert sum(1 for c in open_cases if c["sla_due_at"] >= NOW) > 0.8 * len(open_cases)
    overdue = max(NOW - c["sla_due_at"] for c in breached)
    assert overdue < timedelta(days=10), "nothing months overdue"
    assert all(c["created_at"] <= NOW for c in rows(plan, Case))
    assert len({c["subject"] for c in rows(plan, Case)}) >= 12


def test_orders_are_of_the_recent_weeks_and_numbered_as_they_came_in(plan: Plan) -> None:
    orders = rows(plan, Order)
    created = [o["created_at"] for o in orders]
    assert created == sorted(created) and max(created) <= NOW
    assert [int(o["number"].rsplit("-", 1)[1]) for o in orders] == list(range(1, len(orders) + 1))
    recent = sum(1 for c in created if NOW - c < timedelta(days=42))
    assert recent > 0.8 * len(orders)
    assert NOW - min(created) < timedelta(days=80)
    by_week = Counter((NOW - c).days // 7 for c in created)
    assert all(by_week[week] > 0.05 * len(orders) for week in range(4)), by_week


def test_the_same_anchor_gives_the_same_data_another_anchor_other_dates() -> None:
    first = plan_demo(scale=0.02, anchor=ANCHOR, password_hash="x")
    again = plan_demo(scale=0.02, anchor=ANCHOR, password_hash="x")
    later = plan_demo(scale=0.02, anchor=ANCHOR + timedelta(days=7), password_hash="x")
    assert first.tables == again.tables
    orders, moved = rows(first, Order), rows(later, Order)
    assert [o["customer_id"] for o in orders] == [o["customer_id"] for o in moved]
    assert min(o["created_at"] for o in moved) > min(o["created_at"] for o in orders)


def test_the_printed_and_documented_demo_logins_are_seeded_users_including_owner_viewer_and_support(
    plan: Plan,
) -> None:
    from pathlib import Path

    from portal.models import User
    from portal.seed.plan import DEMO_LOGINS

    users = {row["email"]: row["roles"] for row in rows(plan, User)}
    printed = dict(DEMO_LOGINS)
    assert users["leser@waermewerk.example"] == "viewer" and "leser@waermewerk.example" in printed
    assert users["support@waermewerk.example"] == "support" and "support@waermewerk.example" in printed
    docs = (Path(__file__).parents[2] / "docs" / "portal.md").read_text(encoding="utf-8")
    try_it = docs.split("## Try it", 1)[1].split("\n## ", 1)[0]
    for email in printed:
        assert email in users, email
        assert f"| {email} |" in try_it, email


def test_the_pipeline_has_every_stage_lines_summing_to_the_amount_and_closes_after_it_opens(
    plan: Plan,
) -> None:
    from portal.models import Opportunity, OpportunityLine, OpportunityStage

    # the pipeline's own (the converted leads' opportunities come after them: test_leads_... below)
    opportunities = [o for o in rows(plan, Opportunity) if not o["note"].startswith("LD-")]
    assert len(opportunities) == 150  # 300 a unit of scale
    stages = Counter(o["stage"] for o in opportunities)
    assert set(stages) == set(OpportunityStage)
    assert stages[OpportunityStage.QUALIFICATION] > stages[OpportunityStage.NEGOTIATION]
    sums: dict[int, Any] = {}
    for line in rows(plan, OpportunityLine):
        sums[line["opportunity_id"]] = (
            sums.get(line["opportunity_id"], 0) + line["quantity"] * line["unit_price"]
        )
    for o in opportunities:
        assert sums[o["id"]] == o["amount"], o
        assert o["created_at"].date() <= o["expected_close"] or o["stage"] in (
            "qualification",
            "proposal",
            "negotiation",
        )
        assert (o["stage"] is OpportunityStage.LOST) == (o["lost_reason"] is not None)
    assert any(o["dealer_id"] is None for o in opportunities) and any(o["dealer_id"] for o in opportunities)


def test_a_larger_scale_adds_history_not_appointments_today() -> None:
    """Today's diary is its people's, and the demo has the same people at every scale: 20 times
    the data would otherwise put 20 times the appointments on one day (and on its dashboards)."""

    def today_and_timed(scale: float) -> tuple[int, int]:
        timed = [
            a
            for a in rows(plan_demo(scale=scale, anchor=ANCHOR, password_hash="x"), Activity)
            if a["starts_at"]
        ]
        today = [a for a in timed if a["starts_at"].astimezone(BERLIN).date() == ANCHOR]
        return len(today), len(timed)

    small_today, small_timed = today_and_timed(1)
    large_today, large_timed = today_and_timed(4)
    assert large_timed > 3.5 * small_timed  # the history grew with the scale...
    assert small_today >= 100 and large_today <= TODAY_APPOINTMENTS  # ...today's diary did not


def test_a_larger_scale_adds_closed_cases_not_a_larger_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    """The open cases stop at the support team's backlog (``OPEN_CASES``; about 350 at scale 1): past it a
    case of the history is resolved or closed. Unbounded, scale 2000 had 245,000 open cases due today."""
    import portal.seed.cases as seeded_cases

    monkeypatch.setattr(seeded_cases, "OPEN_CASES", 200)
    cases = rows(plan_demo(scale=1, anchor=ANCHOR, password_hash="x"), Case)
    assert len(cases) >= 800  # 800 cases per unit of scale, 7 in 16 drawn open (about 350)
    assert sum(c["status"] in OPEN for c in cases) == 200
    assert all(c["resolved_at"] is not None for c in cases if c["status"] not in OPEN)


def test_the_demo_has_deal_registrations_in_every_status_a_conflict_pair_and_one_expiring_soon() -> None:
    from datetime import date, timedelta

    from portal.customers.duplicates import name_key
    from portal.models import DealRegistration, DealStatus
    from portal.seed.plan import plan_demo

    anchor = date(2026, 3, 2)
    plan = plan_demo(scale=0.5, anchor=anchor, password_hash="x")
    rows = plan.tables[DealRegistration.__table__]
    assert {row["status"] for row in rows} == set(DealStatus)
    keys = [(row["name_key"], row["postal_code"]) for row in rows]
    pair = [row for row in rows if keys.count((row["name_key"], row["postal_code"])) > 1]
    assert len({row["dealer_id"] for row in pair}) == 2  # two dealers, one prospect
    assert {row["status"] for row in pair} == {DealStatus.APPROVED, DealStatus.SUBMITTED}
    soon = [
        row
        for row in rows
        if row["status"] is DealStatus.APPROVED and row["protected_until"] <= anchor + timedelta(days=14)
    ]
    assert soon and all(row["name_key"] == name_key(row["prospect_name"]) for row in rows)


def test_leads_are_in_every_state_one_past_its_deadline_and_converted_ones_carry_their_campaign(
    plan: Plan,
) -> None:
    from datetime import datetime

    from portal.models import Lead, LeadOffer, LeadStatus, Opportunity, Territory
    from portal.seed.plan import local_time

    leads = rows(plan, Lead)
    assert len(leads) == 40  # 80 a unit of scale
    assert {lead["status"] for lead in leads} == set(LeadStatus)
    now: datetime = local_time(ANCHOR, 10)
    offered = [lead for lead in leads if lead["status"] is LeadStatus.OFFERED]
    assert len([lead for lead in offered if lead["answer_due_at"] <= now]) == 1  # for the worker
    assert all(lead["dealer_id"] for lead in offered)
    opportunities = {o["id"]: o for o in rows(plan, Opportunity)}
    converted = [lead for lead in leads if lead["status"] is LeadStatus.CONVERTED]
    for lead in converted:
        opp = opportunities[lead["opportunity_id"]]
        assert opp["dealer_id"] == lead["dealer_id"] and opp["campaign_id"] == lead["campaign_id"]
        assert opp["customer_id"] == lead["customer_id"]
    history = {offer["lead_id"] for offer in rows(plan, LeadOffer)}
    assert {lead["id"] for lead in leads if lead["status"] is LeadStatus.DECLINED} <= history
    assert len(rows(plan, Territory)) == 4
