"""Opportunities: open one, change it, its product lines, move it through the stages; "won" makes
an order of its lines through the order service (issue #18.4).

Choices where the issue is silent (docs/sales.md): an opportunity is on a customer the selling
organization sees; its amount is the sum of its lines once it has lines (typed by hand before);
entering a stage sets the stage's probability unless one is given; won and lost are final (a lost
deal that comes back is a new opportunity); winning needs at least one line (the order's lines),
priced as the order service prices them for the principal (dealers: the catalogue price).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import validation
from portal.access import Principal, descendant_ids, get_visible, load_by_ids, organization_kinds
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from portal.events import record
from portal.models import (
    DEFAULT_PROBABILITY,
    OPEN_STAGES,
    Customer,
    Opportunity,
    OpportunityLine,
    OpportunityStage,
    Order,
    Organization,
    OrgKind,
    Product,
    User,
)
from portal.models.base import utcnow
from portal.numbering import next_value
from portal.orders import service as orders
from portal.orders.limits import MAX_LINES_PER_ORDER
from portal.orders.units import check_quantity

MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class NewOpportunityLine:
    quantity: Decimal
    product_id: int | None = None
    sku: str | None = None
    unit_price: Decimal | None = None  # the catalogue price when None (others: the owner's sales staff)


@dataclass(frozen=True, slots=True)
class OpportunityChanges:
    """The fields to change; None leaves a field as it is."""

    name: str | None = None
    amount: Decimal | None = None
    probability: int | None = None
    expected_close: date | None = None
    owner_user_id: int | None = None
    note: str | None = None


def load_opportunity(
    uow: UnitOfWork, principal: Principal, opportunity_id: int, *, for_update: bool = False
) -> Opportunity:
    return get_visible(
        uow.session,
        principal,
        Opportunity,
        opportunity_id,
        options=[selectinload(Opportunity.lines)],
        for_update=for_update,
    )


def _touch(opportunity: Opportunity, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != opportunity.version:
        raise Conflict(
            f"opportunity {opportunity.number} was changed meanwhile by someone else "
            f"(it is at version {opportunity.version}, you saw version {expected_version}); reload it"
        )
    opportunity.updated_at = utcnow()


def _require_open(opportunity: Opportunity, action: str) -> None:
    if not opportunity.is_open:
        raise InvalidState("opportunity", opportunity.stage.value, action)


def _probability(value: int | None, stage: OpportunityStage) -> int:
    if value is None:
        return DEFAULT_PROBABILITY[stage]
    return validation.integer("probability", value, minimum=0, maximum=100)


def _seller(uow: UnitOfWork, principal: Principal, dealer_id: int | None) -> int | None:
    """The selling organization: an external principal sells in its own name (or a branch's); the
    owner's staff choose a dealer or partner, or none (the owner's own deal)."""
    if not principal.is_owner:
        if dealer_id is not None and dealer_id not in principal.buyer_ids:
            raise PermissionDenied("a dealer opens opportunities in its own name")
        return dealer_id or principal.org_id
    if dealer_id is None:
        return None
    dealer = get_visible(uow.session, principal, Organization, dealer_id)
    if dealer.kind not in (OrgKind.DEALER, OrgKind.PARTNER):
        raise InvalidInput("dealer", f"{dealer.name} is not a dealer or partner")
    return dealer.id


def _customer_of_seller(
    uow: UnitOfWork, principal: Principal, customer_id: int, dealer_id: int | None
) -> Customer:
    """The customer, visible to the principal and, when the owner's staff give the opportunity to a
    dealer, to that dealer as well (its people must be able to open it)."""
    customer = get_visible(uow.session, principal, Customer, customer_id)
    if dealer_id is not None and principal.is_owner:
        org_ids, supplier_ids = organization_kinds(uow.session, dealer_id)
        dealer = Principal(
            dealer_id, OrgKind.DEALER, org_ids, frozenset({"viewer"}), supplier_ids=supplier_ids
        )
        if customer.id not in load_by_ids(uow.session, dealer, Customer, [customer.id]):
            raise InvalidInput("customer", f"{customer.name} is not shared with this dealer; share it first")
    return customer


def _owner_user(
    uow: UnitOfWork, principal: Principal, user_id: int | None, dealer_id: int | None
) -> int | None:
    """Who owns the opportunity: a user of the selling organization, or one of the owner's staff."""
    if user_id is None:
        return None
    user = get_visible(uow.session, principal, User, user_id)
    allowed = descendant_ids(uow.session, dealer_id) if dealer_id is not None else frozenset()
    owner_org = uow.session.get(Organization, user.organization_id)
    if user.organization_id not in allowed and not (
        owner_org is not None and owner_org.kind is OrgKind.OWNER
    ):
        raise InvalidInput(
            "owner", f"{user.name} works neither for the selling organization nor for the owner"
        )
    if not user.is_active:
        raise InvalidInput("owner", f"{user.name} is deactivated")
    return user.id


def _line(uow: UnitOfWork, principal: Principal, line_no: int, spec: NewOpportunityLine) -> OpportunityLine:
    field = f"lines[{line_no}]"
    product = None
    if spec.product_id is not None:
        product = uow.session.get(Product, spec.product_id)
    elif spec.sku:
        product = uow.session.scalar(select(Product).where(Product.sku == spec.sku.strip()))
    if product is None:
        raise InvalidInput(f"{field}.product", "unknown product; choose one from the catalogue")
    quantity = validation.decimal(f"{field}.quantity", spec.quantity, positive=True)
    check_quantity(f"{field}.quantity", product.unit, quantity)
    price = product.price
    if spec.unit_price is not None:
        given = validation.decimal(f"{field}.unit_price", spec.unit_price)
        if given != product.price and not may.can_set_prices(principal):
            raise InvalidInput(f"{field}.unit_price", orders.PRICE_NOT_YOURS)
        price = given
    return OpportunityLine(
        line_no=line_no,
        product_id=product.id,
        sku=product.sku,
        description=product.name,
        quantity=quantity,
        unit_price=price,
    )


def _sum_lines(opportunity: Opportunity) -> None:
    if opportunity.lines:
        opportunity.amount = sum((line.quantity * line.unit_price for line in opportunity.lines), Decimal(0))


def create_opportunity(
    *,
    uow: UnitOfWork,
    principal: Principal,
    customer_id: int,
    name: str,
    expected_close: date,
    amount: Decimal | None = None,
    probability: int | None = None,
    stage: OpportunityStage = OpportunityStage.QUALIFICATION,
    dealer_id: int | None = None,
    owner_user_id: int | None = None,
    currency: str = "EUR",
    note: str = "",
    lines: Sequence[NewOpportunityLine] = (),
) -> Opportunity:
    may.require(principal, may.can_create_opportunity(principal), "open opportunities")
    if stage not in OPEN_STAGES:
        raise InvalidInput("stage", "an opportunity starts in qualification, proposal or negotiation")
    seller = _seller(uow, principal, dealer_id)
    customer = _customer_of_seller(uow, principal, customer_id, seller)
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidInput("currency", "use a three-letter ISO 4217 code")
    if len(lines) > MAX_LINES_PER_ORDER:
        raise InvalidInput("lines", f"at most {MAX_LINES_PER_ORDER} lines")
    opportunity = Opportunity(
        number=f"OP-{next_value(uow.session, 'opportunity'):06d}",
        name=validation.required_text("name", name),
        customer_id=customer.id,
        dealer_id=seller,
        owner_user_id=_owner_user(uow, principal, owner_user_id or principal.user_id, seller),
        stage=stage,
        amount=validation.decimal("amount", amount if amount is not None else Decimal(0)),
        currency=currency.upper(),
        probability=_probability(probability, stage),
        expected_close=expected_close,
        note=validation.text("note", note, max_length=5000, required=False) or "",
        created_by_org_id=principal.org_id,
    )
    opportunity.lines = [_line(uow, principal, n, spec) for n, spec in enumerate(lines, start=1)]
    _sum_lines(opportunity)
    uow.session.add(opportunity)
    uow.flush()
    record(
        uow,
        principal,
        "opportunity.created",
        "opportunity",
        opportunity.id,
        number=opportunity.number,
        stage=stage.value,
        dealer_id=seller,
        owner_user_id=opportunity.owner_user_id,
    )
    return opportunity


def update_opportunity(
    *,
    uow: UnitOfWork,
    principal: Principal,
    opportunity_id: int,
    changes: OpportunityChanges,
    expected_version: int | None = None,
) -> Opportunity:
    opportunity = load_opportunity(uow, principal, opportunity_id, for_update=True)
    may.require(principal, may.can_work_opportunity(principal, opportunity), "change this opportunity")
    _require_open(opportunity, "change")
    _touch(opportunity, expected_version)
    changed: list[str] = []
    if changes.name is not None:
        opportunity.name = validation.required_text("name", changes.name)
        changed.append("name")
    if changes.amount is not None:
        if opportunity.lines:
            raise InvalidInput("amount", "is the sum of the lines; change the lines instead")
        opportunity.amount = validation.decimal("amount", changes.amount)
        changed.append("amount")
    if changes.probability is not None:
        opportunity.probability = _probability(changes.probability, opportunity.stage)
        changed.append("probability")
    if changes.expected_close is not None:
        opportunity.expected_close = changes.expected_close
        changed.append("expected_close")
    if changes.note is not None:
        opportunity.note = validation.text("note", changes.note, max_length=5000, required=False) or ""
        changed.append("note")
    before = opportunity.owner_user_id
    if changes.owner_user_id is not None and changes.owner_user_id != before:
        opportunity.owner_user_id = _owner_user(uow, principal, changes.owner_user_id, opportunity.dealer_id)
        changed.append("owner")
    uow.flush()
    record(
        uow,
        principal,
        "opportunity.updated",
        "opportunity",
        opportunity.id,
        number=opportunity.number,
        changed=changed,
    )
    if "owner" in changed:
        record(
            uow,
            principal,
            "opportunity.assigned",
            "opportunity",
            opportunity.id,
            number=opportunity.number,
            owner_user_id=opportunity.owner_user_id,
        )
    return opportunity


def add_line(
    *,
    uow: UnitOfWork,
    principal: Principal,
    opportunity_id: int,
    line: NewOpportunityLine,
    expected_version: int | None = None,
) -> Opportunity:
    opportunity = load_opportunity(uow, principal, opportunity_id, for_update=True)
    may.require(principal, may.can_work_opportunity(principal, opportunity), "change this opportunity")
    _require_open(opportunity, "change")
    if len(opportunity.lines) >= MAX_LINES_PER_ORDER:
        raise InvalidInput("lines", f"at most {MAX_LINES_PER_ORDER} lines")
    _touch(opportunity, expected_version)
    line_no = max((existing.line_no for existing in opportunity.lines), default=0) + 1
    opportunity.lines.append(_line(uow, principal, line_no, line))
    _sum_lines(opportunity)
    uow.flush()
    record(
        uow,
        principal,
        "opportunity.updated",
        "opportunity",
        opportunity.id,
        number=opportunity.number,
        changed=["lines"],
    )
    return opportunity


def remove_line(
    *,
    uow: UnitOfWork,
    principal: Principal,
    opportunity_id: int,
    line_no: int,
    expected_version: int | None = None,
) -> Opportunity:
    opportunity = load_opportunity(uow, principal, opportunity_id, for_update=True)
    may.require(principal, may.can_work_opportunity(principal, opportunity), "change this opportunity")
    _require_open(opportunity, "change")
    line = next((existing for existing in opportunity.lines if existing.line_no == line_no), None)
    if line is None:
        raise InvalidInput("line", f"the opportunity has no line {line_no}")
    _touch(opportunity, expected_version)
    opportunity.lines.remove(line)
    _sum_lines(opportunity)
    uow.flush()
    record(
        uow,
        principal,
        "opportunity.updated",
        "opportunity",
        opportunity.id,
        number=opportunity.number,
        changed=["lines"],
    )
    return opportunity


def move_stage(
    *,
    uow: UnitOfWork,
    principal: Principal,
    opportunity_id: int,
    stage: OpportunityStage,
    lost_reason: str | None = None,
    probability: int | None = None,
    expected_version: int | None = None,
) -> Opportunity:
    """Move an open opportunity to another stage. ``won`` creates the order of its lines (in the
    selling dealer's name); ``lost`` needs a reason. Two people moving it at once: the second is
    told it changed meanwhile (``Conflict``), nothing of its move is kept."""
    opportunity = load_opportunity(uow, principal, opportunity_id, for_update=True)
    may.require(principal, may.can_work_opportunity(principal, opportunity), "move this opportunity")
    _touch(opportunity, expected_version)
    _require_open(opportunity, f"move to {stage.value}")
    if stage is opportunity.stage:
        raise InvalidInput("stage", f"the opportunity is already in {stage.value}")
    reason = None
    if stage is OpportunityStage.LOST:
        reason = validation.text("lost_reason", lost_reason, max_length=MAX_REASON)
        if reason is None:
            raise InvalidInput("lost_reason", "say why the opportunity was lost")
    order: Order | None = None
    if stage is OpportunityStage.WON:
        order = _order_of(uow, principal, opportunity)
        opportunity.order_id = order.id
    previous = opportunity.stage
    opportunity.stage = stage
    opportunity.probability = _probability(
        None if stage in (OpportunityStage.WON, OpportunityStage.LOST) else probability, stage
    )
    opportunity.lost_reason = reason
    if stage not in OPEN_STAGES:
        opportunity.closed_at = utcnow()
    uow.flush()
    payload: dict[str, object] = {"number": opportunity.number, "stage": stage.value, "from": previous.value}
    if order is not None:
        payload |= {"order_id": order.id, "order_number": order.number, "dealer_id": opportunity.dealer_id}
    if reason is not None:
        payload["reason"] = reason
    kind = {OpportunityStage.WON: "opportunity.won", OpportunityStage.LOST: "opportunity.lost"}.get(
        stage, "opportunity.stage_changed"
    )
    record(uow, principal, kind, "opportunity", opportunity.id, **payload)
    return opportunity


def _order_of(uow: UnitOfWork, principal: Principal, opportunity: Opportunity) -> Order:
    if not opportunity.lines:
        raise InvalidInput(
            "lines", "add the products sold before marking the opportunity won: they become the order"
        )
    may_price = may.can_set_prices(principal)
    return orders.create_order(
        uow=uow,
        principal=principal,
        customer_id=opportunity.customer_id,
        dealer_id=opportunity.dealer_id,
        customer_reference=opportunity.number,
        currency=opportunity.currency,
        note=opportunity.name,
        lines=[
            orders.NewOrderLine(
                quantity=line.quantity,
                product_id=line.product_id,
                unit_price=line.unit_price if may_price else None,
            )
            for line in opportunity.lines
        ],
    )
