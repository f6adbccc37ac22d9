"""The indexed text search answers exactly what the plain substring LIKE answered, on both
databases; shorter text than a trigram is refused where it is typed."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from portal.customers.queries import CustomerQuery, list_customers
from portal.errors import InvalidInput
from portal.models import Customer, Order
from portal.orders.queries import OrderQuery, list_orders
from portal.reading.search import search_text, text_search
from tests.builders import build_scene

ALPHABET = "abAB%_\\ äÄö-1."
COLUMNS = (Customer.name, Customer.number, Customer.city, Customer.vat_id)


def old_search(text: str) -> ColumnElement[bool]:
    """text_search as it was before the indexes (issue #15): the definition of the answer."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(func.lower(c).like(f"%{escaped}%", escape="\\") for c in COLUMNS))


def _word(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


def _ids(session: Session, condition: ColumnElement[bool]) -> set[int]:
    return set(session.scalars(select(Customer.id).where(condition)))


def test_indexed_search_equals_the_substring_like_on_random_data(factory: sessionmaker[Session]) -> None:
    rng = random.Random(15)  # noqa: S311 - test data
    with factory() as session:
        for n in range(120):
            session.add(
                Customer(
                    number=f"K-{n}-{_word(rng, 0, 4)}",
                    name=_word(rng, 1, 12),
                    city=rng.choice([None, _word(rng, 0, 8)]),
                    vat_id=rng.choice([None, "", _word(rng, 3, 6)]),
                )
            )
        session.commit()
        values = [v for row in session.execute(select(*COLUMNS)) for v in row if v]
        texts = [_word(rng, 3, 5) for _ in range(60)]
        for value in rng.sample(values, 80):  # pieces of stored values, in another case
            start = rng.randrange(len(value))
            piece = value[start : start + rng.randint(3, 6)]
            texts.append("".join(c.upper() if rng.random() < 0.5 else c for c in piece))
        hits = 0
        for text in texts:
            if len(text.strip()) < 3:
                continue
            expected = _ids(session, old_search(text))
            assert _ids(session, text_search(text, *COLUMNS)) == expected, repr(text)
            hits += bool(expected)
        assert hits > 40  # not a comparison of empty answers

        # the index follows changes: a renamed customer is found by its new name only, a deleted
        # one not at all
        customer = session.scalars(select(Customer).order_by(Customer.id)).first()
        assert customer is not None
        customer.name = "Zebrafink Qx"
        session.commit()
        assert _ids(session, text_search("ebrafink", *COLUMNS)) == {customer.id}
        customer.name = "Kranich"
        session.commit()
        assert _ids(session, text_search("ebrafink", *COLUMNS)) == set()
        assert customer.id in _ids(session, text_search("RANICH", *COLUMNS))
        session.delete(customer)
        session.commit()
        assert _ids(session, text_search("ranich", *COLUMNS)) == set()


def test_text_shorter_than_a_trigram_is_refused_and_a_full_number_is_found(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    customer = scene.customer("Müller GmbH")
    owner = scene.p("owner")
    for short in ("ab", " a ", "%_"):
        with pytest.raises(InvalidInput) as refused:
            search_text(short, "filter.search")
        assert refused.value.field == "filter.search"
        assert refused.value.message.endswith("at least 3 characters")
        with pytest.raises(InvalidInput):
            text_search(short, Customer.name)
    assert search_text("   ") is None
    with factory() as session:
        found = list_customers(session, owner, CustomerQuery(search=customer.number))
        assert [c.id for c in found.items] == [customer.id]
        found = list_customers(session, owner, CustomerQuery(search="MÜL"))
        assert [c.id for c in found.items] == [customer.id]


def test_a_search_stays_inside_what_the_principal_may_see(factory: sessionmaker[Session]) -> None:
    """The OR over the searched columns is one term beside the access rule (a search of a
    dealer's orders that matched another dealer's delivery name once leaked it)."""
    scene = build_scene(factory)
    mine = scene.customer("Eigener Kunde", shared_with=("dealer-group",))
    theirs = scene.customer("Fremder Kunde", shared_with=("dealer-other",))
    own = scene.order(mine, by="dealer-group")
    other = scene.order(theirs, by="dealer-other")
    with factory() as session:
        for o in session.scalars(select(Order).where(Order.id.in_([own.id, other.id]))):
            o.delivery_name, o.customer_reference = "Lager Nord", "Ref Nord"
        session.commit()
        dealer = scene.p("dealer-group")
        for text in ("Lager Nord", "ref nord", "SO-", own.number):
            found = [o.id for o in list_orders(session, dealer, OrderQuery(search=text)).items]
            assert found == [own.id], text
        owner = list_orders(session, scene.p("owner"), OrderQuery(search="lager nord")).items
        assert {o.id for o in owner} == {own.id, other.id}
