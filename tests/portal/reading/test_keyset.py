"""The row-value keyset (``Keyset._beyond``: ``(sort, id) > (:value, :id)``) against a reference:
on random worlds, every list of orders, cases, customers, contacts and activities, paged forward
and backward by every sort in both directions, returns exactly the slices of all the rows the
principal may see, sorted in Python by ``(sort value, id)``.

The worlds draw the sort columns from small pools, so that most pages cut through a run of equal
values (ties broken by id), and leave an activity's start empty at random (its sort is the start,
else when it occurred: a nullable column under a ``coalesce``). Strings are lower-case ASCII, which
every collation orders as Python does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from portal.access import Principal, descendant_ids, visible
from portal.activities.queries import ACTIVITIES, ActivityQuery, ActivitySort
from portal.cases.queries import CASES, CaseQuery, CaseSort
from portal.customers.queries import (
    CONTACTS,
    CUSTOMERS,
    ContactQuery,
    ContactSort,
    CustomerQuery,
    CustomerSort,
)
from portal.db import make_sessionmaker
from portal.models import (
    Activity,
    ActivityKind,
    Case,
    CasePriority,
    Contact,
    Customer,
    CustomerAssignment,
    Order,
    Organization,
    OrgKind,
)
from portal.orders.queries import ORDERS, OrderQuery, OrderSort
from portal.reading import Keyset, PageRequest
from tests.conftest import wipe

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# Equal values, one a microsecond apart (precision must survive the cursor), one an hour apart.
TIMES = (T0, T0 + timedelta(microseconds=1), T0 + timedelta(hours=1))
DAYS = (date(2026, 1, 4), date(2026, 1, 5))
WORDS = ("a", "ab", "b")  # "a" is a prefix of "ab": both collations and Python put it first
# Unique columns (numbers): distinct strings, prefixes of each other, drawn in any order.
NUMBERS = ("k", "k1", "k10", "k2", "ka", "l", "m", "m0", "n", "o", "p", "q", "r", "s", "t", "u")

# Organizations: 0 owner, 1 dealer group, 2 dealer branch of 1, 3 another dealer, 4 supplier,
# 5 partner.
KINDS = (OrgKind.OWNER, OrgKind.DEALER, OrgKind.DEALER, OrgKind.DEALER, OrgKind.SUPPLIER, OrgKind.PARTNER)
PARENTS = (None, None, 1, None, None, None)
SELLERS = (1, 2, 3, 5)


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    n_customers = draw(st.integers(2, 6))
    times = st.sampled_from(TIMES)
    orders = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "customer": st.integers(0, n_customers - 1),
                    "dealer": st.sampled_from((None, *SELLERS)),
                    "supplier": st.sampled_from((None, 4)),
                    "created_at": times,
                    "updated_at": times,
                    "order_date": st.sampled_from(DAYS),
                }
            ),
            min_size=4,
            max_size=12,
        )
    )
    cases = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "opened_by": st.sampled_from((0, 1, 3, 5)),
                    "routed_to": st.sampled_from((None, 1, 2, 4, 5)),
                    "priority": st.sampled_from(list(CasePriority)),
                    "created_at": times,
                    "updated_at": times,
                    "sla_due_at": times,
                }
            ),
            min_size=4,
            max_size=10,
        )
    )
    customers = [
        {"name": draw(st.sampled_from(WORDS)), "created_at": draw(times), "updated_at": draw(times)}
        for _ in range(n_customers)
    ]
    contacts = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "customer": st.integers(0, n_customers - 1),
                    "last_name": st.sampled_from(WORDS),
                    "created_at": times,
                }
            ),
            min_size=2,
            max_size=8,
        )
    )
    activities = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "customer": st.integers(0, n_customers - 1),
                    "org": st.sampled_from((0, *SELLERS)),
                    "occurred_at": times,
                    "starts_at": st.sampled_from((None, *TIMES)),
                    "created_at": times,
                }
            ),
            min_size=4,
            max_size=12,
        )
    )
    assignments = draw(
        st.sets(st.tuples(st.integers(0, n_customers - 1), st.sampled_from(SELLERS)), max_size=8)
    )
    numbers = draw(st.permutations(NUMBERS))
    return {
        "customers": customers,
        "contacts": contacts,
        "orders": orders,
        "cases": cases,
        "activities": activities,
        "assignments": assignments,
        "numbers": numbers,
        "sizes": draw(st.lists(st.integers(1, 4), min_size=4, max_size=4)),
    }


def build(session: Session, world: dict[str, Any]) -> list[int]:
    orgs: list[int] = []
    for i, kind in enumerate(KINDS):
        parent = PARENTS[i]
        org = Organization(
            slug=f"org-{i}",
            name=f"Org {i}",
            kind=kind,
            parent_id=orgs[parent] if parent is not None else None,
        )
        session.add(org)
        session.flush()
        orgs.append(org.id)
    numbers = iter(world["numbers"])
    customers = []
    for c in world["customers"]:
        customer = Customer(number=next(numbers), **c)
        session.add(customer)
        session.flush()
        customers.append(customer.id)
    session.add_all(
        CustomerAssignment(customer_id=customers[c], organization_id=orgs[o]) for c, o in world["assignments"]
    )
    session.add_all(
        Contact(
            customer_id=customers[c["customer"]],
            first_name="x",
            last_name=c["last_name"],
            created_at=c["created_at"],
        )
        for c in world["contacts"]
    )
    session.add_all(
        Order(
            number=f"so-{n}-{o['customer']}" if n % 3 else f"so-{n}",  # prefixes of each other
            customer_id=customers[o["customer"]],
            dealer_id=orgs[o["dealer"]] if o["dealer"] is not None else None,
            supplier_id=orgs[o["supplier"]] if o["supplier"] is not None else None,
            created_by_org_id=orgs[0],
            order_date=o["order_date"],
            delivery_name="d",
            created_at=o["created_at"],
            updated_at=o["updated_at"],
        )
        for n, o in enumerate(world["orders"])
    )
    session.add_all(
        Case(
            number=f"c-{n % 4}{n}",
            subject="s",
            priority=c["priority"],
            opened_by_org_id=orgs[c["opened_by"]],
            routed_to_id=orgs[c["routed_to"]] if c["routed_to"] is not None else None,
            sla_due_at=c["sla_due_at"],
            created_at=c["created_at"],
            updated_at=c["updated_at"],
        )
        for n, c in enumerate(world["cases"])
    )
    session.add_all(
        Activity(
            customer_id=customers[a["customer"]],
            organization_id=orgs[a["org"]],
            kind=ActivityKind.NOTE,
            subject="n",
            occurred_at=a["occurred_at"],
            starts_at=a["starts_at"],
            created_at=a["created_at"],
        )
        for a in world["activities"]
    )
    session.flush()
    return orgs


@dataclass(frozen=True)
class Listed:
    """A list and, per sort, its reference value computed in Python from the row's own columns."""

    keyset: Keyset[Any, Any]
    query: object
    values: dict[Any, Callable[[Any], Any]]


LIMIT = 40  # pages: more than any world's list has
PRIORITY_RANK = {p: rank for rank, p in enumerate(CasePriority)}
LISTS = (
    Listed(
        ORDERS,
        OrderQuery(),
        {
            OrderSort.CREATED_AT: lambda o: o.created_at,
            OrderSort.UPDATED_AT: lambda o: o.updated_at,
            OrderSort.ORDER_DATE: lambda o: o.order_date,
            OrderSort.NUMBER: lambda o: o.number,
            OrderSort.DUE: lambda o: o.earliest_open_due or date(9999, 12, 31),
        },
    ),
    Listed(
        CASES,
        CaseQuery(),
        {
            CaseSort.CREATED_AT: lambda c: c.created_at,
            CaseSort.UPDATED_AT: lambda c: c.updated_at,
            CaseSort.SLA_DUE_AT: lambda c: c.sla_due_at,
            CaseSort.NUMBER: lambda c: c.number,
            CaseSort.PRIORITY: lambda c: PRIORITY_RANK[c.priority],
        },
    ),
    Listed(
        CUSTOMERS,
        CustomerQuery(),
        {
            CustomerSort.NAME: lambda c: c.name,
            CustomerSort.NUMBER: lambda c: c.number,
            CustomerSort.CREATED_AT: lambda c: c.created_at,
            CustomerSort.UPDATED_AT: lambda c: c.updated_at,
        },
    ),
    Listed(
        CONTACTS,
        ContactQuery(),
        {ContactSort.LAST_NAME: lambda c: c.last_name, ContactSort.CREATED_AT: lambda c: c.created_at},
    ),
    Listed(
        ACTIVITIES,
        ActivityQuery(),
        {
            ActivitySort.OCCURRED_AT: lambda a: a.occurred_at,
            ActivitySort.STARTS_AT: lambda a: a.starts_at if a.starts_at is not None else a.occurred_at,
            ActivitySort.CREATED_AT: lambda a: a.created_at,
        },
    ),
)


def test_every_sort_of_every_entity_is_covered() -> None:
    for listed in LISTS:
        assert set(listed.values) == set(listed.keyset.sorts), listed.keyset.entity


def forward(
    session: Session, p: Principal, listed: Listed, sort: Any, descending: bool, size: int
) -> list[list[int]]:
    pages: list[list[int]] = []
    after: str | None = None
    for _ in range(LIMIT):  # a cursor that does not move on would page forever
        page = listed.keyset.page(
            session,
            p,
            listed.query,
            sort=sort,
            descending=descending,
            page=PageRequest(first=size, after=after),
        )
        pages.append([row.id for row in page.items])
        assert page.has_previous_page == (after is not None)
        if not page.has_next_page:
            return pages
        after = page.end_cursor
    raise AssertionError(f"more than {LIMIT} pages")


def backward(
    session: Session, p: Principal, listed: Listed, sort: Any, descending: bool, size: int
) -> list[list[int]]:
    pages: list[list[int]] = []
    before: str | None = None
    for _ in range(LIMIT):
        page = listed.keyset.page(
            session,
            p,
            listed.query,
            sort=sort,
            descending=descending,
            page=PageRequest(last=size, before=before),
        )
        pages.insert(0, [row.id for row in page.items])
        assert page.has_next_page == (before is not None)
        if not page.has_previous_page:
            return pages
        before = page.start_cursor
    raise AssertionError(f"more than {LIMIT} pages")


def slices(ids: list[int], size: int, *, from_end: bool = False) -> list[list[int]]:
    if not ids:
        return [[]]
    if not from_end:
        return [ids[i : i + size] for i in range(0, len(ids), size)]
    cuts = list(range(len(ids), 0, -size))
    return [ids[max(0, end - size) : end] for end in reversed(cuts)]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_keyset_pages_equal_the_sorted_visible_rows(engine: Engine, world: dict[str, Any]) -> None:
    factory = make_sessionmaker(engine)
    multi_page = ties = 0
    try:
        with factory() as session:
            orgs = build(session, world)
            session.commit()
            for index in (0, 2, 4, 5):  # owner, a dealer branch (of a group), supplier, partner
                org = session.get_one(Organization, orgs[index])
                p = Principal(
                    org_id=org.id,
                    org_kind=org.kind,
                    org_ids=descendant_ids(session, org.id),
                    roles=frozenset({"admin"}),
                )
                for n, listed in enumerate(LISTS):
                    rows = session.scalars(visible(p, listed.keyset.model)).all()
                    for sort, value in listed.values.items():
                        keys = [(value(row), row.id) for row in rows]
                        ties += len(keys) - len({k for k, _ in keys})
                        for descending in (False, True):
                            expected = [ident for _, ident in sorted(keys, reverse=descending)]
                            size = world["sizes"][n % 4]
                            order = "desc" if descending else "asc"
                            where = f"{listed.keyset.entity} by {sort} {order}, org {index}, size {size}"
                            assert forward(session, p, listed, sort, descending, size) == slices(
                                expected, size
                            ), where
                            assert backward(session, p, listed, sort, descending, size) == slices(
                                expected, size, from_end=True
                            ), where
                            multi_page += len(expected) > size
            session.rollback()
    finally:
        wipe(engine)
    assert multi_page, "no list had a second page"
    assert ties, "no sort had equal values"
