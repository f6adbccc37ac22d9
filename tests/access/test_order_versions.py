"""Order versions (issue #17, part 2) are seen exactly where their order is: the supplier it is
routed to sees them, another supplier and another dealer see none."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.access import visible
from portal.errors import NotFound
from portal.models import OrderVersion
from portal.orders import changes
from tests.builders import build_scene


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("owner", True),
        ("supplier-a", True),
        ("dealer-group", True),
        ("supplier-b", False),
        ("dealer-other", False),
    ],
)
def test_a_supplier_sees_only_its_orders_versions(
    factory: sessionmaker[Session], viewer: str, sees: bool
) -> None:
    scene = build_scene(factory)
    order = scene.order(
        scene.customer(shared_with=("dealer-group",)), dealer="dealer-group", supplier="supplier-a"
    )
    with scene.uow() as uow:
        changes.change_order(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            changes=[changes.LineChange(1, quantity=Decimal(4))],
        )
    p = scene.p(viewer)
    with scene.uow() as uow:
        rows = list(uow.session.scalars(visible(p, OrderVersion)))
        assert [v.number for v in rows] == ([1, 2] if sees else [])
        if sees:
            assert [v.number for v in changes.list_versions(uow, p, order.id)] == [1, 2]
        else:
            with pytest.raises(NotFound):
                changes.list_versions(uow, p, order.id)
