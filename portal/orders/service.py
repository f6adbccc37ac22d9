"""Orders: create, route to a supplier, the supplier's answer per line, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import validation
from portal.access import Principal, get_visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from portal.events import record
from portal.models import (
    Contact,
    Customer,
    LineResponse,
    Order,
    OrderLine,
    OrderStatus,
    Organization,
    OrgKind,
    Product,
)
from portal.models.base import utcnow
from portal.numbering import next_value
from portal.orders.limits import MAX_DELIVERIES, MAX_LINES_PER_ORDER
from portal.orders.tolerance import (
    Proposal,
    clear_proposal,
    propose,
    settle,
    tolerance_of,
    within_tolerance,
)
from portal.orders.units import check_quantity
from portal.orders.versions import record_cancellation


@dataclass(frozen=True, slots=True)
class NewOrderLine:
    quantity: Decimal
    product_id: int | None = None
    sku: str | None = None
    unit_price: Decimal | None = None  # the product's list price when None
    requested_date: date | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery of a line the supplier splits into several (a schedule line)."""

    quantity: Decimal
    delivery_date: date


@dataclass(frozen=True, slots=True)
class LineAnswer:
    """The supplier's answer for one line: accept as ordered, reject, or change quantity/date/price,
    or split it into several deliveries (``schedule``: then the quantity is their sum and the
    promised date the last one's; a split always goes to the buyer's review)."""

    line_no: int
    action: LineResponse
    quantity: Decimal | None = None
    promised_date: date | None = None
    unit_price: Decimal | None = None
    reason: str | None = None  # why a line is rejected: stored on the line, shown to the buyer
    schedule: tuple[Delivery, ...] = ()


def load_order(uow: UnitOfWork, principal: Principal, order_id: int, *, for_update: bool = False) -> Order:
    return get_visible(
        uow.session, principal, Order, order_id, options=[selectinload(Order.lines)], for_update=for_update
    )


def check_version(order: Order, expected_version: int | None) -> None:
    """A stale ``expected_version`` (the order changed since the page was shown) raises Conflict."""
    if expected_version is not None and expected_version != order.version:
        raise Conflict(
            f"order {order.number} was changed meanwhile (it is at version {order.version}, "
            f"the change expected version {expected_version}); reload it"
        )


def touch_order(order: Order, expected_version: int | None = None) -> None:
    """Mark the order changed (bumps its version). A stale ``expected_version`` raises Conflict."""
    check_version(order, expected_version)
    order.updated_at = utcnow()


def create_order(
    *,
    uow: UnitOfWork,
    principal: Principal,
    customer_id: int,
    lines: Sequence[NewOrderLine],
    dealer_id: int | None = None,
    contact_id: int | None = None,
    requested_date: date | None = None,
    customer_reference: str | None = None,
    note: str | None = None,
    currency: str = "EUR",
) -> Order:
    session = uow.session
    may.require(principal, may.can_create_order(principal), "create orders")
    if not principal.is_owner:
        if dealer_id is not None and dealer_id not in principal.org_ids:
            raise PermissionDenied("a dealer creates orders in its own name")
        if (
            dealer_id is not None
            and principal.supplier_ids is not None
            and dealer_id in principal.supplier_ids
        ):
            # the access rules read an order's dealer only for organizations that are not suppliers
            raise InvalidInput("dealer", "a supplier does not sell orders")
        dealer_id = dealer_id or principal.org_id
    customer = get_visible(session, principal, Customer, customer_id)
    if principal.is_owner and dealer_id is not None:
        dealer = get_visible(session, principal, Organization, dealer_id)
        if dealer.kind not in (OrgKind.DEALER, OrgKind.PARTNER):
            raise InvalidInput("dealer", f"{dealer.name} is not a dealer or partner")
    if not lines:
        raise InvalidInput("lines", "an order needs at least one line")
    if len(lines) > MAX_LINES_PER_ORDER:  # bounds the work (and the statements) of one request
        raise InvalidInput(
            "lines", f"at most {MAX_LINES_PER_ORDER} lines per order; split it into several orders"
        )
    if requested_date is not None and requested_date < date.today():
        raise InvalidInput("requested_date", "must not be in the past")
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidInput("currency", "use a three-letter ISO 4217 code")
    contact = None
    if contact_id is not None:
        contact = get_visible(session, principal, Contact, contact_id)
        if contact.customer_id != customer.id:
            raise InvalidInput("contact", "belongs to another customer")
    order = Order(
        number=f"SO-{date.today().year}-{next_value(session, 'order'):06d}",
        customer_id=customer.id,
        dealer_id=dealer_id,
        created_by_org_id=principal.org_id,
        customer_reference=validation.text(
            "customer_reference", customer_reference, max_length=64, required=False
        ),
        currency=currency.upper(),
        order_date=date.today(),
        requested_date=requested_date,
        delivery_name=customer.name,
        delivery_street=customer.street,
        delivery_postal_code=customer.postal_code,
        delivery_city=customer.city,
        delivery_country=customer.country_code,
        delivery_gln=customer.gln,
        delivery_contact_name=contact.full_name if contact else None,
        delivery_contact_phone=contact.phone if contact else None,
        delivery_contact_email=contact.email if contact else None,
        note=validation.text("note", note, max_length=2000, required=False),
    )
    for index, spec in enumerate(lines, start=1):
        order.lines.append(new_line(uow, principal, index, spec))
    session.add(order)
    uow.flush()
    record(
        uow,
        principal,
        "order.created",
        "order",
        order.id,
        number=order.number,
        customer_id=customer.id,
        dealer_id=dealer_id,
        lines=len(order.lines),
    )
    return order


PRICE_NOT_YOURS = "only the owner's sales staff may set a price: leave it out to use the catalogue price"


def new_line(uow: UnitOfWork, principal: Principal, index: int, spec: NewOrderLine) -> OrderLine:
    field = f"lines[{index}]"
    product = None
    if spec.product_id is not None:
        product = uow.session.get(Product, spec.product_id)
    elif spec.sku:
        product = uow.session.scalar(select(Product).where(Product.sku == spec.sku))
    if product is None:
        raise InvalidInput(f"{field}.product", f"unknown product {spec.product_id or spec.sku!r}")
    quantity = validation.decimal(f"{field}.quantity", spec.quantity, positive=True)
    check_quantity(f"{field}.quantity", product.unit, quantity)
    price = (
        product.price
        if spec.unit_price is None
        else validation.decimal(f"{field}.unit_price", spec.unit_price)
    )
    # A price that is not the catalogue's is refused, never silently replaced: the sender learns
    # that its price did not hold (a dealer's EDI order that repeats the catalogue price passes).
    if price != product.price and not may.can_set_prices(principal):
        raise InvalidInput(f"{field}.unit_price", PRICE_NOT_YOURS)
    return OrderLine(
        line_no=index,
        product_id=product.id,
        sku=product.sku,
        gtin=product.gtin,
        description=product.name,
        unit=product.unit,
        unit_price=price,
        list_price=product.price,
        quantity_ordered=quantity,
        requested_date=spec.requested_date,
        quantity_shipped=Decimal(0),
        quantity_invoiced=Decimal(0),
        response=LineResponse.PENDING,
    )


def route_order(*, uow: UnitOfWork, principal: Principal, order_id: int, supplier_id: int) -> Order:
    may.require(principal, may.can_route_order(principal), "route orders")
    order = load_order(uow, principal, order_id, for_update=True)
    status = order.status()
    if status not in (OrderStatus.DRAFT, OrderStatus.AWAITING_CONFIRMATION):
        raise InvalidState("order", status.value, "route")
    supplier = get_visible(uow.session, principal, Organization, supplier_id)
    if supplier.kind is not OrgKind.SUPPLIER:
        raise InvalidInput("supplier", f"{supplier.name} is not a supplier")
    order.supplier_id = supplier.id
    order.routed_at = utcnow()
    touch_order(order)
    uow.flush()
    record(uow, principal, "order.routed", "order", order.id, number=order.number, supplier_id=supplier.id)
    return order


ANSWERABLE = frozenset(
    {OrderStatus.AWAITING_CONFIRMATION, OrderStatus.PARTIALLY_CONFIRMED, OrderStatus.CONFIRMED}
)
# Once shipping or invoicing has begun, answered lines are settled, but a line still pending may
# be answered whatever the order's derived status (cancelled orders have no answerable line).
_NEVER_ANSWERABLE = frozenset({OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.REJECTED})


def may_answer_line(order: Order, line: OrderLine, status: OrderStatus | None = None) -> bool:
    """Whether the supplier may (still) answer ``line``: not cancelled, nothing shipped, and either
    the order is not yet in fulfilment (``ANSWERABLE``: an answer may still be changed) or the line
    is still pending. The service, the order page's answer form and "confirm all" use this."""
    status = status or order.status()
    if status in _NEVER_ANSWERABLE or order.cancelled_at is not None:
        return False
    if line.cancelled or line.quantity_shipped > 0:
        return False
    return status in ANSWERABLE or line.response is LineResponse.PENDING


def answerable_lines(order: Order) -> list[OrderLine]:
    """The lines of ``order`` the supplier may answer now (see :func:`may_answer_line`)."""
    status = order.status()
    return [line for line in order.lines if may_answer_line(order, line, status)]


def respond_to_order(
    *,
    uow: UnitOfWork,
    principal: Principal,
    order_id: int,
    answers: Sequence[LineAnswer],
    expected_version: int | None = None,
) -> Order:
    """The supplier confirms, rejects or changes lines (EDI ORDRSP / GraphQL confirmOrder / portal form).

    An answer within the supplier's agreed tolerance (`portal.orders.tolerance`) is the line's
    answer at once; a bigger change, a price change or a rejection is kept as the line's proposal
    until the owner's staff review it (`portal.orders.review`): the agreed figures stay meanwhile."""
    order = load_order(uow, principal, order_id, for_update=True)
    _require_supplier_of(principal, order, "answer")
    status = order.status()
    if not answerable_lines(order):
        raise InvalidState("order", status.value, "confirm or change")
    if not answers:
        raise InvalidInput("lines", "answer at least one line")
    touch_order(order, expected_version)
    allowed = tolerance_of(uow.session, order.supplier_id)
    by_no = {line.line_no: line for line in order.lines}
    seen: set[int] = set()
    reviewed: set[int] = set()
    for answer in answers:
        field = f"lines[{answer.line_no}]"
        line = by_no.get(answer.line_no)
        if line is None or line.cancelled:
            raise InvalidInput(field, f"order {order.number} has no line {answer.line_no}")
        if answer.line_no in seen:
            raise InvalidInput(field, "answered twice")
        seen.add(answer.line_no)
        if line.quantity_shipped > 0:
            raise InvalidState(f"line {line.line_no} of order {order.number}", "shipped", "change")
        if not may_answer_line(order, line, status):  # answered, and the order is in fulfilment
            raise InvalidState("order line", f"{line.response.value} in a {status.value} order", "change")
        proposal = resolve_answer(line, answer, field, order.order_date)
        if within_tolerance(line, proposal, allowed):
            settle(line, proposal)
            clear_proposal(line)
        else:
            propose(line, proposal)
            reviewed.add(line.line_no)
    uow.flush()
    record(
        uow,
        principal,
        "order.confirmed",
        "order",
        order.id,
        number=order.number,
        status=order.status().value,
        lines=[_answered(by_no[a.line_no], a, a.line_no in reviewed) for a in answers],
    )
    return order


def _answered(line: OrderLine, answer: LineAnswer, reviewed: bool) -> dict[str, object]:
    """A line of the ``order.confirmed`` event: the answer, and whether it awaits the buyer's review
    (then with what it proposes) or holds at once."""
    if reviewed:
        return {
            "line_no": line.line_no,
            "action": answer.action.value,
            "review": True,
            "quantity": line.proposed_quantity,
            **({"unit_price": line.proposed_price} if line.proposed_price is not None else {}),
            **({"promised_date": line.proposed_date.isoformat()} if line.proposed_date else {}),
            **({"reason": line.proposed_reason} if line.proposed_reason else {}),
            **({"schedule": _deliveries(line.proposed_schedule)} if line.proposed_schedule else {}),
        }
    return {
        "line_no": line.line_no,
        "action": answer.action.value,
        "quantity": line.quantity_confirmed,
        **({"reason": line.reject_reason} if line.reject_reason else {}),
    }


def _deliveries(schedule: list[dict[str, str]]) -> list[dict[str, str]]:
    """A schedule as events carry it: date and quantity per delivery."""
    return [{"date": part["date"], "quantity": part["quantity"]} for part in schedule]


def check_answer(line: OrderLine, answer: LineAnswer, order_date: date) -> Decimal:
    """Check the answer's values for ``line`` (not the order's state) and return the quantity it
    confirms. The order page's answer form runs it per line first, to report every line at once."""
    answer = _single(answer)
    field = f"lines[{answer.line_no}]"
    if answer.action is LineResponse.PENDING:
        raise InvalidInput(f"{field}.action", "must be accepted, changed or rejected")
    if answer.action is LineResponse.REJECTED:
        if answer.schedule:
            raise InvalidInput(f"{field}.schedule", "a rejected line has no deliveries")
        validation.text(f"{field}.reason", answer.reason, max_length=500, required=False)
        return Decimal(0)
    if len(answer.schedule) > 1:
        return _check_schedule(line, answer, order_date)
    quantity = line.quantity_ordered
    if answer.quantity is not None:
        quantity = validation.decimal(f"{field}.quantity", answer.quantity, positive=True)
        check_quantity(f"{field}.quantity", line.unit, quantity)
        if quantity > line.quantity_ordered:
            raise InvalidInput(
                f"{field}.quantity", f"confirms {quantity}, more than the {line.quantity_ordered} ordered"
            )
    if answer.promised_date is not None and answer.promised_date < order_date:
        raise InvalidInput(f"{field}.promised_date", "must not be before the order date")
    if answer.unit_price is not None:
        validation.decimal(f"{field}.unit_price", answer.unit_price)
    return quantity


def _check_schedule(line: OrderLine, answer: LineAnswer, order_date: date) -> Decimal:
    """Check a split into several deliveries; return their total."""
    field = f"lines[{answer.line_no}]"
    if len(answer.schedule) > MAX_DELIVERIES:
        raise InvalidInput(f"{field}.schedule", f"at most {MAX_DELIVERIES} deliveries per line")
    days: set[date] = set()
    total = Decimal(0)
    for n, part in enumerate(answer.schedule):
        where = f"{field}.schedule[{n}]"
        quantity = validation.decimal(f"{where}.quantity", part.quantity, positive=True)
        check_quantity(f"{where}.quantity", line.unit, quantity)
        if part.delivery_date < order_date:
            raise InvalidInput(f"{where}.date", "must not be before the order date")
        if part.delivery_date in days:
            raise InvalidInput(f"{where}.date", f"two deliveries on {part.delivery_date.isoformat()}")
        days.add(part.delivery_date)
        total += quantity
    if total > line.quantity_ordered:
        raise InvalidInput(
            f"{field}.schedule",
            f"the deliveries add up to {total}, more than the {line.quantity_ordered} ordered",
        )
    if answer.quantity is not None and answer.quantity != total:
        raise InvalidInput(f"{field}.quantity", f"the deliveries add up to {total}, not {answer.quantity}")
    last = max(days)
    if answer.promised_date is not None and answer.promised_date != last:
        raise InvalidInput(
            f"{field}.promised_date", f"a split line is promised for its last delivery ({last.isoformat()})"
        )
    if answer.unit_price is not None:
        validation.decimal(f"{field}.unit_price", answer.unit_price)
    return total


def _single(answer: LineAnswer) -> LineAnswer:
    """An answer whose "split" names one delivery: that delivery's quantity and date."""
    if len(answer.schedule) != 1:
        return answer
    (part,) = answer.schedule
    return LineAnswer(
        answer.line_no,
        answer.action,
        answer.quantity if answer.quantity is not None else part.quantity,
        answer.promised_date or part.delivery_date,
        answer.unit_price,
        answer.reason,
    )


def resolve_answer(line: OrderLine, answer: LineAnswer, field: str, order_date: date) -> Proposal:
    """What the answer makes of ``line`` (checked): its response, quantity, date and price."""
    answer = _single(answer)
    quantity = check_answer(line, answer, order_date)
    if answer.action is LineResponse.REJECTED:
        reason = validation.text(f"{field}.reason", answer.reason, max_length=500, required=False)
        return Proposal(LineResponse.REJECTED, Decimal(0), None, None, reason)
    price = None
    if answer.unit_price is not None:
        price = validation.decimal(f"{field}.unit_price", answer.unit_price)
    if answer.schedule:  # a split is a change of the line, whatever the action says
        parts = tuple(sorted(((p.quantity, p.delivery_date) for p in answer.schedule), key=lambda p: p[1]))
        return Proposal(LineResponse.CHANGED, quantity, parts[-1][1], price, None, parts)
    changed = (
        quantity != line.quantity_ordered
        or (price is not None and price != line.unit_price)
        or answer.action is LineResponse.CHANGED
    )
    return Proposal(
        LineResponse.CHANGED if changed else LineResponse.ACCEPTED,
        quantity,
        answer.promised_date or line.promised_date or line.requested_date,
        price,
        None,
    )


def _require_supplier_of(principal: Principal, order: Order, action: str) -> None:
    may.require(principal, may.can_act_as_supplier(principal, order), f"{action} this order")


def cancel_order(
    *, uow: UnitOfWork, principal: Principal, order_id: int, expected_version: int | None = None
) -> Order:
    order = load_order(uow, principal, order_id, for_update=True)
    may.require(principal, may.can_cancel_order(principal, order), "cancel this order")
    status = order.status()
    if any(line.quantity_shipped > 0 for line in order.lines) or status is OrderStatus.CANCELLED:
        raise InvalidState("order", status.value, "cancel")
    invoiced = next((line for line in order.lines if line.quantity_invoiced > 0), None)
    if invoiced is not None:
        raise InvalidState(f"order {order.number}", f"invoiced (line {invoiced.line_no})", "cancel")
    touch_order(order, expected_version)
    order.cancelled_at = utcnow()
    version = record_cancellation(uow, principal, order)
    uow.flush()
    record(
        uow,
        principal,
        "order.cancelled",
        "order",
        order.id,
        number=order.number,
        supplier_id=order.supplier_id,
        **({"version": version.number} if version is not None else {}),
    )
    return order
