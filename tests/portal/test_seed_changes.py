"""The demo's buyer changes and goods receipts (issue #17): a few routed orders changed by the buyer
(two versions, the ``order.changed`` event as the service writes it, the changed line awaiting the
supplier again) and a few goods receipts (one with damaged goods, one short), as the owner's staff
read them through the services; as many at any scale, and the rest of the world as it was."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from portal.access.principal import principal_for_user
from portal.db import make_engine, unit_of_work
from portal.models import (
    Base,
    Event,
    GoodsReceipt,
    LineResponse,
    OrderStatus,
    OrderVersion,
    ReceiptReason,
    User,
)
from portal.orders.changes import list_versions
from portal.orders.receiving import receipts_of_order
from portal.orders.service import load_order
from portal.seed import orders as seed_orders
from portal.seed import seed_demo
from portal.seed.changes import CHANGES, RECEIPTS
from portal.seed.plan import plan_demo

ANCHOR = date(2026, 12, 7)


def test_the_demo_has_buyer_changes_and_goods_receipts(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)  # SQLite, and PostgreSQL in CI's second pass (COPY)
    Base.metadata.create_all(engine)
    seed_demo(engine, scale=0.2, anchor=ANCHOR)
    with unit_of_work(sessionmaker(engine), read_only=True) as uow:
        session = uow.session
        owner = session.scalars(select(User).where(User.email == "vertrieb@waermewerk.example")).one()
        principal = principal_for_user(session, owner)
        changed = session.scalars(select(OrderVersion.order_id).where(OrderVersion.number == 2)).all()
        assert len(changed) == CHANGES
        for order_id in changed:
            order = load_order(uow, principal, order_id)
            original, version = list_versions(uow, principal, order_id)
            assert (original.number, version.number) == (1, 2)
            by_no = {line.line_no: line for line in order.lines}
            for entry in version.lines:  # the version is the order as it now stands
                line = by_no[entry["line_no"]]
                assert (Decimal(entry["quantity"]), entry["cancelled"]) == (
                    line.quantity_ordered,
                    line.cancelled,
                )
            first = by_no[version.changes[0]["line_no"]]
            assert Decimal(version.changes[0]["quantity"][1]) > Decimal(original.lines[0]["quantity"])
            assert first.response is LineResponse.PENDING and first.quantity_confirmed is None
            assert order.status() in (OrderStatus.AWAITING_CONFIRMATION, OrderStatus.PARTIALLY_CONFIRMED)
            [event] = session.scalars(
                select(Event).where(Event.kind == "order.changed", Event.entity_id == order_id)
            ).all()
            assert event.payload["version"] == 2 and event.payload["lines"] == version.changes
            assert event.payload["status"] == order.status().value
            assert event.payload["supplier_id"] == order.supplier_id
        receipts = session.scalars(select(GoodsReceipt).order_by(GoodsReceipt.id)).all()
        assert len(receipts) == len(RECEIPTS)
        reasons: list[ReceiptReason | None] = []
        for receipt in receipts:
            [seen] = receipts_of_order(session, principal, receipt.order_id)
            order = load_order(uow, principal, receipt.order_id)
            assert seen.shipment_id is not None and seen.received_on >= order.order_date
            by_id = {line.id: line for line in order.lines}
            for counted in seen.lines:
                line = by_id[counted.order_line_id]
                assert line.quantity_received == counted.quantity - counted.quantity_damaged
                assert counted.quantity + counted.shortfall_quantity == line.quantity_shipped
                reasons.append(counted.reason)
            assert seen.has_discrepancy is any(c.reason for c in seen.lines)
            [event] = session.scalars(
                select(Event).where(Event.kind == "goods_receipt.recorded", Event.entity_id == receipt.id)
            ).all()
            assert event.payload["order_id"] == order.id and event.payload["shipment_id"] == seen.shipment_id
        assert Counter(r for r in reasons if r) == {ReceiptReason.DAMAGED: 1, ReceiptReason.SHORT: 1}
    engine.dispose()


def _counts(scale: float) -> tuple[int, int, int]:
    plan = plan_demo(scale=scale, anchor=ANCHOR, password_hash="x")
    kinds = Counter(e["kind"] for t, rows in plan.tables.items() if t.name == "events" for e in rows)
    versions = sum(len(rows) for t, rows in plan.tables.items() if t.name == "order_versions")
    return versions, kinds["order.changed"], kinds["goods_receipt.recorded"]


def test_as_many_at_any_scale() -> None:
    assert _counts(0.05) == _counts(0.2) == (2 * CHANGES, CHANGES, len(RECEIPTS))


def test_the_rest_of_the_world_is_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    with_them = plan_demo(scale=0.05, anchor=ANCHOR, password_hash="x")
    monkeypatch.setattr(seed_orders, "wants_change", lambda *args: False)
    monkeypatch.setattr(seed_orders, "wants_receipt", lambda *args: False)
    without = plan_demo(scale=0.05, anchor=ANCHOR, password_hash="x")
    tables = {t.name: rows for t, rows in with_them.tables.items()}
    before = {t.name: rows for t, rows in without.tables.items()}
    for name in ("customers", "contacts", "cases", "activities", "opportunities", "shipments", "invoices"):
        assert tables[name] == before[name], name
    assert [o["number"] for o in tables["orders"]] == [o["number"] for o in before["orders"]]
    assert "order_versions" not in before and "goods_receipts" not in before
