"""The notice of the buyer's review says its outcome: accepted, rejected, or partly (with the counts
of lines), in English and German, in the inbox title the mail's subject is made of."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.models import LineResponse, Notification
from portal.notify.language import gettext_for
from portal.notify.notifier import notify_once
from portal.notify.rules import Kind, title
from portal.orders import review
from portal.orders import service as orders
from tests.builders import build_scene
from tests.notify.people import add_user, as_user


@pytest.mark.parametrize(
    ("accept", "english", "german"),
    [
        (
            (True, True),
            "The buyer accepted the changes to order {n}",
            "Der Einkauf hat die Änderungen zum Auftrag {n} angenommen",
        ),
        (
            (False, False),
            "The buyer rejected the changes to order {n}",
            "Der Einkauf hat die Änderungen zum Auftrag {n} abgelehnt",
        ),
        (
            (True, False),
            "The buyer accepted some of the changes to order {n} (accepted: 1, rejected: 1)",
            "Der Einkauf hat die Änderungen zum Auftrag {n} teilweise angenommen"
            " (angenommen: 1, abgelehnt: 1)",
        ),
    ],
)
def test_the_review_notice_says_what_the_buyer_decided(
    factory: sessionmaker[Session], accept: tuple[bool, bool], english: str, german: str
) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=as_user(scene, supplier),
            order_id=order.id,
            answers=[
                orders.LineAnswer(line_no=1, action=LineResponse.CHANGED, quantity=Decimal(8)),
                orders.LineAnswer(line_no=2, action=LineResponse.REJECTED, reason="sold out"),
            ],
        )
    with scene.uow() as uow:
        review.review_line_changes(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            decisions=[
                review.LineDecision(n, accept=ok, reason=None if ok else "needed")
                for n, ok in zip((1, 2), accept, strict=True)
            ],
        )
    notify_once(factory)
    with factory() as session:
        [notice] = session.scalars(
            select(Notification).where(
                Notification.user_id == supplier, Notification.kind == Kind.ORDER_CHANGE_REVIEWED.value
            )
        )
    assert title(notice.kind, notice.payload, lambda m: m) == english.format(n=order.number)
    assert title(notice.kind, notice.payload, gettext_for("de")) == german.format(n=order.number)
