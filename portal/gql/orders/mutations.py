"""The order mutations: thin, decode ids, call one service, return a payload with ``userErrors``."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.gql.base import mutation, opt_pk, pk, reload, run
from portal.gql.errors import UserError
from portal.gql.orders.inputs import (
    CancelOrderInput,
    ChangeOrderInput,
    ConfirmOrderInput,
    CreateOrderInput,
    CreateShipmentInput,
    RecordGoodsReceiptInput,
    ReviewLineChangesInput,
    RouteOrderInput,
    SetSupplierToleranceInput,
    SubmitInvoiceInput,
)
from portal.gql.orders.types import GoodsReceipt, Invoice, Order, Shipment
from portal.gql.partners.types import Organization
from portal.orders import changes, fulfilment, receiving, review
from portal.orders import service as orders


@strawberry.type
class OrderPayload:
    order: Order | None
    user_errors: list[UserError]


@strawberry.type
class OrganizationPayload:
    organization: Organization | None
    user_errors: list[UserError]


@strawberry.type
class ShipmentPayload:
    shipment: Shipment | None
    user_errors: list[UserError]


@strawberry.type
class GoodsReceiptPayload:
    receipt: GoodsReceipt | None
    user_errors: list[UserError]


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None
    user_errors: list[UserError]


@strawberry.type
class OrdersMutation:
    @mutation(description="The supplier's answer per line: accept, reject, or change quantity/date/price.")
    def confirm_order(self, info: strawberry.Info, input: ConfirmOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            answers = [
                orders.LineAnswer(
                    line_no=a.line_no,
                    action=m.LineResponse(a.action.value),
                    quantity=a.quantity,
                    promised_date=a.promised_date,
                    unit_price=a.unit_price,
                    reason=a.reason,
                    schedule=tuple(orders.Delivery(d.quantity, d.delivery_date) for d in a.schedule or ()),
                )
                for a in input.lines
            ]
            order_id = pk(input.order, "Order", "order")
            orders.respond_to_order(
                uow=uow,
                principal=p,
                order_id=order_id,
                answers=answers,
                expected_version=input.expected_version,
            )
            return order_id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, Order, ident), user_errors=errors)

    @mutation(
        description=(
            "Owner staff accept or reject the supplier's changes awaiting review, line by line"
            " (a reason is required to reject; the supplier is told)."
        )
    )
    def review_line_changes(self, info: strawberry.Info, input: ReviewLineChangesInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            order_id = pk(input.order, "Order", "order")
            review.review_line_changes(
                uow=uow,
                principal=p,
                order_id=order_id,
                decisions=[review.LineDecision(d.line_no, d.accept, d.reason) for d in input.lines],
                expected_version=input.expected_version,
            )
            return order_id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, Order, ident), user_errors=errors)

    @mutation(description="Owner admins agree a supplier's tolerance: answers within it need no review.")
    def set_supplier_tolerance(
        self, info: strawberry.Info, input: SetSupplierToleranceInput
    ) -> OrganizationPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            organization = review.set_tolerance(
                uow=uow,
                principal=p,
                organization_id=pk(input.supplier, "Organization", "supplier"),
                days=input.days,
                quantity_percent=input.quantity_percent,
            )
            return organization.id

        ident, errors = run(info, act)
        return OrganizationPayload(
            organization=reload(info, m.Organization, Organization, ident), user_errors=errors
        )

    @mutation(description="A ship notice (despatch advice) for lines of one order.")
    def create_shipment(self, info: strawberry.Info, input: CreateShipmentInput) -> ShipmentPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            shipment = fulfilment.record_shipment(
                uow=uow,
                principal=p,
                order_id=pk(input.order, "Order", "order"),
                number=input.number,
                shipped_on=input.shipped_on,
                lines=[
                    fulfilment.ShipLine(s.line_no, s.quantity, s.batch_number, s.sscc) for s in input.lines
                ],
                carrier=input.carrier,
                tracking_number=input.tracking_number,
                expected_delivery=input.expected_delivery,
                packages=input.packages,
            )
            return shipment.id

        ident, errors = run(info, act)
        return ShipmentPayload(shipment=reload(info, m.Shipment, Shipment, ident), user_errors=errors)

    @mutation(
        description="A goods receipt: what arrived of an order's lines, with damages and shortfalls "
        "(owner staff, and the dealer that sold the order). More than was shipped is kept and flagged."
    )
    def record_goods_receipt(
        self, info: strawberry.Info, input: RecordGoodsReceiptInput
    ) -> GoodsReceiptPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            receipt = receiving.record_goods_receipt(
                uow=uow,
                principal=p,
                order_id=pk(input.order, "Order", "order"),
                received_on=input.received_on,
                shipment_id=opt_pk(input.shipment, "Shipment", "shipment"),
                note=input.note,
                lines=[
                    receiving.ReceiveLine(r.line_no, r.quantity, r.damaged, r.reason, r.note)
                    for r in input.lines
                ],
                expected_version=input.expected_version,
            )
            return receipt.id

        ident, errors = run(info, act)
        return GoodsReceiptPayload(
            receipt=reload(info, m.GoodsReceipt, GoodsReceipt, ident), user_errors=errors
        )

    @mutation(description="An invoice for lines of one order; over-billing is accepted but flagged.")
    def submit_invoice(self, info: strawberry.Info, input: SubmitInvoiceInput) -> InvoicePayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            invoice = fulfilment.submit_invoice(
                uow=uow,
                principal=p,
                order_id=pk(input.order, "Order", "order"),
                number=input.number,
                issue_date=input.issue_date,
                due_date=input.due_date,
                lines=[
                    fulfilment.BillLine(b.line_no, b.quantity, b.unit_price, b.tax_rate) for b in input.lines
                ],
            )
            return invoice.id

        ident, errors = run(info, act)
        return InvoicePayload(invoice=reload(info, m.Invoice, Invoice, ident), user_errors=errors)

    @mutation(description="A customer order (owner staff, dealers and partners).")
    def create_order(self, info: strawberry.Info, input: CreateOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            order = orders.create_order(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                dealer_id=opt_pk(input.dealer, "Organization", "organization"),
                contact_id=opt_pk(input.contact, "Contact", "contact"),
                requested_date=input.requested_date,
                customer_reference=input.customer_reference,
                note=input.note,
                currency=input.currency,
                lines=[
                    orders.NewOrderLine(
                        quantity=line.quantity,
                        product_id=opt_pk(line.product, "Product", "product"),
                        sku=line.sku,
                        unit_price=line.unit_price,
                        requested_date=line.requested_date,
                    )
                    for line in input.lines
                ],
            )
            return order.id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, Order, ident), user_errors=errors)

    @mutation(description="Route an order to a supplier (owner sales and admins); it leaves by EDI or API.")
    def route_order(self, info: strawberry.Info, input: RouteOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            order_id = pk(input.order, "Order", "order")
            orders.route_order(
                uow=uow,
                principal=p,
                order_id=order_id,
                supplier_id=pk(input.supplier, "Organization", "organization"),
            )
            return order_id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, Order, ident), user_errors=errors)

    @mutation(
        description="Cancel an order nothing of which has shipped (owner staff, or the dealer who sold it)."
    )
    def cancel_order(self, info: strawberry.Info, input: CancelOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            order_id = pk(input.order, "Order", "order")
            orders.cancel_order(
                uow=uow, principal=p, order_id=order_id, expected_version=input.expected_version
            )
            return order_id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, Order, ident), user_errors=errors)

    @mutation(
        description=(
            "A new version of a routed order (owner sales staff, or the dealer who sold it): lines"
            " changed, cancelled or added. Changed and added lines await the supplier's answer again;"
            " a shipped line cannot change, an invoiced one cannot be cancelled. The supplier is told"
            " (and gets an ORDCHG, 860, UBL OrderChange or openTRANS ORDERCHANGE where it exchanges files)."
        )
    )
    def change_order(self, info: strawberry.Info, input: ChangeOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            order_id = pk(input.order, "Order", "order")
            changes.change_order(
                uow=uow,
                principal=p,
                order_id=order_id,
                changes=[
                    changes.LineChange(c.line_no, c.quantity, c.requested_date, c.cancel) for c in input.lines
                ],
                added=[
                    orders.NewOrderLine(
                        quantity=line.quantity,
                        product_id=opt_pk(line.product, "Product", "product"),
                        sku=line.sku,
                        unit_price=line.unit_price,
                        requested_date=line.requested_date,
                    )
                    for line in input.add_lines
                ],
                note=input.note,
                expected_version=input.expected_version,
            )
            return order_id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, Order, ident), user_errors=errors)
