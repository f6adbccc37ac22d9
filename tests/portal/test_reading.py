"""The read machinery (portal.reading) under the read models: keyset pagination, cursors, filters,
search, and the SQL form of the derived order status."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from portal.access import Principal, descendant_ids, visible_ids
from portal.cases.queries import CaseQuery, CaseSort, list_cases
from portal.customers.queries import CustomerQuery, list_customers
from portal.errors import InvalidInput
from portal.models import Order, OrderStatus, Organization
from portal.orders.queries import OrderQuery, OrderSort, list_orders, order_statuses
from portal.reading import PageRequest, cursor
from portal.seed import seed_demo


@pytest.fixture
def demo(engine: Engine, factory: sessionmaker[Session]) -> sessionmaker[Session]:
    seed_demo(engine, scale=0.06, anchor=date(2026, 3, 2))
    return factory


def principal(session: Session, slug: str) -> Principal:
    org = session.scalars(select(Organization).where(Organization.slug == slug)).one()
    return Principal(
        org_id=org.id, org_kind=org.kind, org_ids=descendant_ids(session, org.id), roles=frozenset({"admin"})
    )


def test_sql_status_equals_python_status_for_every_order(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        orders = session.scalars(select(Order).options(selectinload(Order.lines))).all()
        in_sql = order_statuses(session, [o.id for o in orders])
        in_python = {o.id: o.status() for o in orders}
    assert in_sql == in_python
    assert len(set(in_python.values())) >= 6, "the demo data should cover most states"


def test_forward_and_backward_paging_visit_every_row_once_in_order(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        owner = principal(session, "waermewerk")
        forward: list[int] = []
        page = list_orders(
            session, owner, sort=OrderSort.NUMBER, descending=False, page=PageRequest(first=37)
        )
        while True:
            forward += [o.id for o in page.items]
            if not page.has_next_page:
                break
            page = list_orders(
                session,
                owner,
                sort=OrderSort.NUMBER,
                descending=False,
                page=PageRequest(first=37, after=page.end_cursor),
            )
        numbers = session.execute(select(Order.id).order_by(Order.number)).scalars().all()
        assert forward == list(numbers)
        backward: list[int] = []
        page = list_orders(session, owner, sort=OrderSort.NUMBER, descending=False, page=PageRequest(last=41))
        while True:
            backward = [o.id for o in page.items] + backward
            if not page.has_previous_page:
                break
            page = list_orders(
                session,
                owner,
                sort=OrderSort.NUMBER,
                descending=False,
                page=PageRequest(last=41, before=page.start_cursor),
            )
        assert backward == forward
        assert page.total_count() == len(forward)


def test_descending_pages_by_timestamp_with_ties_broken_by_id(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        owner = principal(session, "waermewerk")
        first = list_orders(session, owner, page=PageRequest(first=20))
        second = list_orders(session, owner, page=PageRequest(first=20, after=first.end_cursor))
        keys = [(o.created_at, o.id) for o in first.items + second.items]
        assert keys == sorted(keys, reverse=True)
        assert not {o.id for o in first.items} & {o.id for o in second.items}


def test_deep_pages_use_keyset_not_offset(demo: sessionmaker[Session], statement_counter: list[str]) -> None:
    with demo() as session:
        owner = principal(session, "waermewerk")
        deep = cursor.encode("order", "order_date", date(2026, 1, 1), 10**6)
        statement_counter.clear()
        list_orders(session, owner, sort=OrderSort.ORDER_DATE, page=PageRequest(first=50, after=deep))
    assert len(statement_counter) == 1
    sql = " ".join(statement_counter[0].split())
    # The deep page starts where the cursor points (SQLite renders a constant "OFFSET 0" with LIMIT).
    assert "(orders.order_date, orders.id) < (" in sql
    assert "LIMIT" in sql.upper()


def test_malformed_cursor_names_the_argument(demo: sessionmaker[Session]) -> None:
    with demo() as session, pytest.raises(InvalidInput) as err:
        list_orders(session, principal(session, "waermewerk"), page=PageRequest(first=5, after="kaputt!"))
    assert err.value.field == "after"


def test_a_page_larger_than_100_is_refused_naming_the_argument(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        owner = principal(session, "waermewerk")
        assert len(list_orders(session, owner, page=PageRequest(first=100)).items) == 100
        with pytest.raises(InvalidInput) as err:
            list_orders(session, owner, page=PageRequest(last=101))
    assert err.value.field == "last"


def test_status_filter_and_search(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        owner = principal(session, "waermewerk")
        page = list_orders(
            session,
            owner,
            OrderQuery(statuses=frozenset({OrderStatus.SHIPPED})),
            page=PageRequest(first=100),
        )
        assert page.items
        assert {
            o.status()
            for o in session.scalars(
                select(Order)
                .where(Order.id.in_([o.id for o in page.items]))
                .options(selectinload(Order.lines))
            )
        } == {OrderStatus.SHIPPED}
        target = page.items[0]
        found = list_orders(session, owner, OrderQuery(search=target.number.lower()))
        assert [o.id for o in found.items] == [target.id]
        assert list_orders(session, owner, OrderQuery(search="%%%")).items == []


def test_supplier_list_holds_exactly_its_visible_orders(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        supplier = principal(session, "nordtec")
        page = list_orders(session, supplier, page=PageRequest(first=100))
        assert page.total_count() == len(visible_ids(session, supplier, Order)) > 0
        assert all(o.supplier_id == supplier.org_id for o in page.items)
        assert list_customers(session, supplier, CustomerQuery()).items == []


def test_cases_sort_by_sla_and_filter_near_due(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        dealer = principal(session, "haustechnik-gruppe")
        page = list_cases(
            session, dealer, sort=CaseSort.SLA_DUE_AT, descending=False, page=PageRequest(first=100)
        )
        dues = [c.sla_due_at for c in page.items]
        assert dues == sorted(dues)
        assert all(
            c.routed_to_id in dealer.org_ids or c.opened_by_org_id in dealer.org_ids for c in page.items
        )
        cutoff = dues[len(dues) // 2]
        near = list_cases(session, dealer, CaseQuery(due_before=cutoff), page=PageRequest(first=100))
        assert all(
            c.sla_due_at < cutoff and c.status.value in {"open", "in_progress", "waiting"} for c in near.items
        )


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (datetime, datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),
        (date, date(2026, 3, 2)),
        (str, "Müller"),
        (int, 3),
    ],
)
def test_a_cursor_gives_back_its_position_as_the_sort_columns_type(kind: type, value: object) -> None:
    encoded = cursor.encode("order", "number", value, 42)
    assert cursor.decode(encoded, argument="after", entity="order", sort="number", kind=kind) == (value, 42)


def test_a_cursor_names_its_list_and_sort_and_is_refused_elsewhere() -> None:
    encoded = cursor.encode("order", "number", "SO-1", 42)
    for entity, sort, kind, message in (
        ("case", "number", str, "another list (order)"),
        ("order", "created_at", str, "another sort order"),
        ("order", "number", int, "not a valid cursor"),
    ):
        with pytest.raises(InvalidInput, match=re.escape(message)) as err:
            cursor.decode(encoded, argument="before", entity=entity, sort=sort, kind=kind)
        assert err.value.field == "before"
    older = base64.urlsafe_b64encode(json.dumps([0, "order", "number", "SO-1", 42]).encode()).decode()
    with pytest.raises(InvalidInput, match="older version"):
        cursor.decode(older, argument="after", entity="order", sort="number", kind=str)


def test_the_cached_page_statement_is_each_principals_own(demo: sessionmaker[Session]) -> None:
    """The paginator keeps built statements under a key of its own making, the principal in it:
    the same query for another principal is another statement, never a shared one."""
    with demo() as session:
        suppliers = [principal(session, slug) for slug in ("nordtec", "alpenventil")]
        pages = [list_orders(session, p, OrderQuery(), page=PageRequest(first=100)) for p in suppliers]
        again = [list_orders(session, p, OrderQuery(), page=PageRequest(first=100)) for p in suppliers]
        for p, page, repeated in zip(suppliers, pages, again, strict=True):
            assert page.items and all(o.supplier_id == p.org_id for o in page.items)
            assert [o.id for o in repeated.items] == [o.id for o in page.items]
            assert page.total_count() == len(visible_ids(session, p, Order))
