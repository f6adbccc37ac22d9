"""The buyer's change of a routed order on the order page (issue #17, part 2): the form's lines
(new quantity, new requested date, cancel), one line to add, a reason; and the versions shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from portal.access import permissions as may
from portal.access.principal import Principal
from portal.errors import InvalidInput
from portal.models import Order, OrderLine, OrderVersion
from portal.orders import changes
from portal.orders import service as orders
from portal.web.core import Ctx
from portal.web.forms import FormErrors
from portal.web.views import pickers

if TYPE_CHECKING:
    from portal.web.views.orders import OrderViews


def may_change(p: Principal, order: Order) -> bool:
    """Whether the page offers the change form: the principal may change the order (the service's
    function) and the order is routed and not cancelled (its state, checked again by the service)."""
    return (
        may.can_change_order(p, order)
        and order.supplier_id is not None
        and order.cancelled_at is None
        and any(not line.cancelled for line in order.lines)
    )


def changeable(line: OrderLine) -> bool:
    return not line.cancelled and line.quantity_shipped == 0


@dataclass(frozen=True, slots=True)
class Versions:
    """The order's versions, and the one asked for with ``?version=N`` (its lines are shown)."""

    all: list[OrderVersion]
    shown: OrderVersion | None


def versions_of(ctx: Ctx, order: Order) -> Versions:
    kept = changes.list_versions(ctx.uow, ctx.principal, order.id)
    asked = ctx.request.query_params.get("version", "")
    shown = next((v for v in kept if asked.isdigit() and v.number == int(asked)), None)
    return Versions(kept, shown)


def context(ctx: Ctx, order: Order, form: str) -> dict[str, Any]:
    """What the order page needs for the change form and the versions."""
    can = may_change(ctx.principal, order)
    new_no = max((line.line_no for line in order.lines), default=0) + 1
    values = ctx.form.values() if form == "change" else {}
    return {
        "can_change": can,
        "changeable": {line.line_no for line in order.lines if changeable(line)},
        "new_line_no": new_no,
        "add_product": pickers.picker(ctx.db, ctx.principal, "products", f"line-{new_no}-product", values)
        if can
        else None,
        "versions": versions_of(ctx, order),
    }


def change(views: OrderViews, ctx: Ctx) -> Response:
    """Owner sales staff (or the dealer who sold it) change a routed order: a new version."""
    order_id = ctx.request.path_params["order_id"]
    if pickers.is_search(ctx):
        return views.render(ctx, order_id, form="change", errors=FormErrors())

    def action() -> str:
        order = orders.load_order(ctx.uow, ctx.principal, order_id)
        line_changes: list[changes.LineChange] = []
        added: list[orders.NewOrderLine] = []
        new_no = max((line.line_no for line in order.lines), default=0) + 1

        def read_line(line: OrderLine) -> Callable[[], object]:
            def check() -> None:
                n = line.line_no
                cancel = ctx.form.checkbox(f"line-{n}-cancel")
                quantity = ctx.form.decimal(f"line-{n}-quantity", locale=ctx.locale)
                day = ctx.form.date(f"line-{n}-requested_date")
                if not changeable(line):  # shipped since the page was shown: say so, keep the entry
                    typed = {
                        "cancel": cancel,
                        "quantity": quantity is not None and quantity != line.quantity_ordered,
                        "requested_date": day is not None and day != line.requested_date,
                    }
                    field = next((name for name, given in typed.items() if given), None)
                    if field is not None:
                        raise InvalidInput(
                            f"lines[{n}].{field}",
                            f"line {n} was shipped meanwhile; a shipped line cannot change",
                        )
                    return
                if cancel:
                    line_changes.append(changes.LineChange(n, cancel=True))
                    return
                quantity = None if quantity == line.quantity_ordered else quantity
                day = None if day == line.requested_date else day
                if quantity is not None or day is not None:
                    line_changes.append(changes.LineChange(n, quantity=quantity, requested_date=day))

            return check

        def read_added() -> None:
            product = ctx.form.integer(f"line-{new_no}-product")
            quantity = ctx.form.decimal(f"line-{new_no}-quantity", locale=ctx.locale)
            day = ctx.form.date(f"line-{new_no}-requested_date")
            if product is None and quantity is None:
                return
            if product is None:
                raise InvalidInput(f"lines[{new_no}].product", "must not be empty")
            if quantity is None:
                raise InvalidInput(f"lines[{new_no}].quantity", "must not be empty")
            added.append(orders.NewOrderLine(quantity=quantity, product_id=product, requested_date=day))

        ctx.form.validate(  # every wrong field at once; the service checks them again
            *[read_line(line) for line in order.lines if not line.cancelled], read_added
        )
        if not line_changes and not added:
            raise InvalidInput("lines", "change, cancel or add at least one line")
        changes.change_order(
            uow=ctx.uow,
            principal=ctx.principal,
            order_id=order_id,
            changes=line_changes,
            added=added,
            note=ctx.form.optional("note"),
            expected_version=ctx.form.integer("version"),
        )
        return ctx._("The order has been changed; the supplier is asked to confirm the changed lines.")

    return views.act(ctx, "change", action)
