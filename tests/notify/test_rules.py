"""One test per rule: which event or occasion tells whom, through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.activities import service as activities
from portal.cases import service as cases
from portal.db import unit_of_work
from portal.events import record
from portal.models import (
    Case,
    CasePriority,
    Direction,
    Event,
    ExchangeRecord,
    LineResponse,
    Notification,
    Order,
    RecordState,
)
from portal.models.base import utcnow
from portal.notify import service
from portal.notify.notifier import notify_once
from portal.notify.rules import RULES, Choice, Kind, title
from portal.orders import service as orders
from portal.orders.fulfilment import BillLine, ShipLine, record_shipment, submit_invoice
from portal.partners import service as partners
from tests.builders import Scene, build_scene
from tests.notify.people import add_user, as_user


def told(factory: sessionmaker[Session], kind: Kind) -> set[tuple[int, int]]:
    with factory() as session:
        return {
            (n.user_id, n.entity_id)
            for n in session.scalars(select(Notification).where(Notification.kind == kind.value))
        }


def routed_and_confirmed(scene: Scene, supplier_user: int, dealer: str | None = None) -> Order:
    order = scene.order(
        scene.customer(shared_with=(dealer,) if dealer else ()), dealer=dealer, supplier="supplier-a"
    )
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=as_user(scene, supplier_user),
            order_id=order.id,
            answers=[orders.LineAnswer(line_no=n, action=LineResponse.ACCEPTED) for n in (1, 2)],
        )
    return order


def test_every_rule_has_a_title_in_both_languages_and_a_default() -> None:
    from portal.notify.language import gettext_for

    german = gettext_for("de")
    for rule in RULES:
        payload = {
            "number": "A-1",
            "order": "A-2",
            "status": "resolved",
            "subject": "S",
            "filename": "f",
            "name": "n",
            "credit_note": "GS-1",
            "prospect": "P",
            "day": "2026-01-01",
            "reason": "R",
        }
        english = title(rule.kind.value, payload, lambda m: m)
        assert "?" not in english and "%(" not in english
        assert title(rule.kind.value, payload, german) != english, rule.kind
        assert german(rule.label) != rule.label, rule.kind
        assert isinstance(rule.default_for(frozenset({"member"})), Choice)


def test_ship_notice_tells_owner_sales_and_the_dealer(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    dealer = add_user(scene, "dealer-branch", "member")
    sales = add_user(scene, "owner", "sales")
    order = routed_and_confirmed(scene, supplier, "dealer-branch")
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=as_user(scene, supplier),
            order_id=order.id,
            number="DN-1",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(10))],
        )
    notify_once(factory)
    assert told(factory, Kind.SHIPMENT_RECEIVED) == {(dealer, order.id), (sales, order.id)}


def test_over_billed_invoice_tells_owner_order_staff(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    admin = add_user(scene, "owner", "admin")
    support = add_user(scene, "owner", "support")
    order = routed_and_confirmed(scene, supplier)
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=as_user(scene, supplier),
            order_id=order.id,
            number="DN-1",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(2))],
        )
    with scene.uow() as uow:
        submit_invoice(
            uow=uow,
            principal=as_user(scene, supplier),
            order_id=order.id,
            number="INV-1",
            issue_date=date.today(),
            lines=[BillLine(1, Decimal(10))],
        )
    notify_once(factory)
    assert told(factory, Kind.INVOICE_OVERBILLED) == {(admin, order.id)}
    assert support not in {u for u, _ in told(factory, Kind.INVOICE_OVERBILLED)}


def test_case_status_change_tells_the_other_side(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    partner = add_user(scene, "partner", "member")
    support = add_user(scene, "owner", "support")
    with scene.uow() as uow:
        case = cases.open_case(
            uow=uow,
            principal=as_user(scene, support),
            subject="S",
            priority=CasePriority.NORMAL,
            routed_to_id=scene.orgs["partner"].id,
        )
    with scene.uow() as uow:
        cases.change_status(uow=uow, principal=as_user(scene, partner), case_id=case.id, action="start")
    notify_once(factory)
    assert told(factory, Kind.CASE_ROUTED) == {(partner, case.id)}  # not the support who routed it
    assert told(factory, Kind.CASE_STATUS_CHANGED) == {(support, case.id)}
    with factory() as session:
        row = session.scalars(select(Notification).where(Notification.kind == "case_status_changed")).one()
        assert title(row.kind, row.payload, lambda m: m) == f"Case {case.number} is now: In progress"


def test_webhook_disabled_tells_the_organizations_admins(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    admin = add_user(scene, "supplier-a", "admin")
    member = add_user(scene, "supplier-a", "member")
    add_user(scene, "supplier-b", "admin")
    with scene.uow() as uow:
        record(
            uow,
            scene.p("owner"),
            "webhook.disabled",
            "webhook",
            7,
            organization_id=scene.orgs["supplier-a"].id,
        )
    notify_once(factory)
    assert told(factory, Kind.WEBHOOK_DISABLED) == {(admin, 7)}
    assert member not in {u for u, _ in told(factory, Kind.WEBHOOK_DISABLED)}


def test_export_events_tell_the_requesting_user_only(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    me = add_user(scene, "dealer-group", "member")
    colleague = add_user(scene, "dealer-group", "member")
    with scene.uow() as uow:
        record(uow, as_user(scene, me), "export.finished", "export", 3, url="/exports/3")
        record(uow, as_user(scene, me), "export.failed", "export", 4)
    notify_once(factory)
    assert told(factory, Kind.EXPORT_FINISHED) == {(me, 3)}
    assert told(factory, Kind.EXPORT_FAILED) == {(me, 4)}
    assert colleague not in {u for u, _ in told(factory, Kind.EXPORT_FINISHED)}


# --- the scheduler ------------------------------------------------------------------------------


def test_sla_near_then_breached_once_each(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    partner = add_user(scene, "partner", "member")
    support = add_user(scene, "owner", "support")
    with scene.uow() as uow:
        case = cases.open_case(
            uow=uow,
            principal=scene.p("owner"),
            subject="S",
            priority=CasePriority.URGENT,
            routed_to_id=scene.orgs["partner"].id,
        )
    with factory() as session:
        due = session.get_one(Case, case.id).sla_due_at
    notify_once(factory, now=due - timedelta(hours=3))
    assert told(factory, Kind.CASE_SLA_NEAR) == set()
    notify_once(factory, now=due - timedelta(hours=1))
    notify_once(factory, now=due - timedelta(minutes=30))
    assert told(factory, Kind.CASE_SLA_NEAR) == {(partner, case.id), (support, case.id)}
    notify_once(factory, now=due + timedelta(minutes=1))
    notify_once(factory, now=due + timedelta(hours=2))
    assert told(factory, Kind.CASE_SLA_BREACHED) == {(partner, case.id), (support, case.id)}
    with factory() as session:
        assert session.query(Notification).filter_by(kind="case_sla_breached").count() == 2  # once each


def test_late_order_tells_dealer_supplier_and_sales(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    sales = add_user(scene, "owner", "sales")
    order = routed_and_confirmed(scene, supplier)
    with unit_of_work(factory) as uow:
        uow.session.execute(update(Order).where(Order.id == order.id).values(requested_date=date.today()))
    notify_once(factory, now=utcnow())
    assert told(factory, Kind.ORDER_LATE) == set()
    notify_once(factory, now=utcnow() + timedelta(days=1))
    assert told(factory, Kind.ORDER_LATE) == {(supplier, order.id), (sales, order.id)}


def test_appointment_reminder_follows_each_users_lead_time(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    sales = add_user(scene, "owner", "sales")
    customer = scene.customer()
    start = utcnow() + timedelta(hours=3)
    with scene.uow() as uow:
        activity = activities.schedule_appointment(
            uow=uow,
            principal=as_user(scene, sales),
            customer_id=customer.id,
            subject="Visit",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
    with scene.uow() as uow:
        service.set_preferences(uow, as_user(scene, sales), {"appointment_reminder": Choice(lead_minutes=60)})
    notify_once(factory, now=start - timedelta(minutes=90))
    assert told(factory, Kind.APPOINTMENT_REMINDER) == set()
    notify_once(factory, now=start - timedelta(minutes=59))
    assert told(factory, Kind.APPOINTMENT_REMINDER) == {(sales, customer.id)}
    assert activity.id > 0


def test_expiring_token_failed_file_and_overdue_ack_tell_admins(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    admin = add_user(scene, "supplier-a", "admin")
    member = add_user(scene, "supplier-a", "member")
    owner_admin = add_user(scene, "owner", "admin")
    with scene.uow() as uow:
        token = partners.issue_token(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["supplier-a"].id,
            name="ERP",
            expires_in_days=3,
        ).token
        now = utcnow()
        failed = ExchangeRecord(
            organization_id=scene.orgs["supplier-a"].id,
            direction=Direction.INBOUND,
            state=RecordState.FAILED,
            filename="bad.edi",
            size=1,
            sha256="0" * 64,
        )
        sent = ExchangeRecord(
            organization_id=scene.orgs["supplier-a"].id,
            direction=Direction.OUTBOUND,
            state=RecordState.SENT,
            filename="po.edi",
            size=1,
            sha256="1" * 64,
            ack_due_at=now + timedelta(hours=1),
        )
        uow.session.add_all([failed, sent])
        uow.flush()
    notify_once(factory)
    assert told(factory, Kind.TOKEN_EXPIRING) == {(admin, token.id)}
    assert told(factory, Kind.EXCHANGE_FAILED) == {(admin, failed.id), (owner_admin, failed.id)}
    assert told(factory, Kind.ACK_OVERDUE) == set()
    notify_once(factory, now=utcnow() + timedelta(hours=2))
    assert told(factory, Kind.ACK_OVERDUE) == {(admin, sent.id), (owner_admin, sent.id)}
    assert member not in {u for u, _ in told(factory, Kind.EXCHANGE_FAILED)}
    with factory() as session:
        assert session.query(Event).count() > 0
