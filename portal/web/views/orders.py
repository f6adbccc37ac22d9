"""Order pages: the detail page with lines, status timeline, shipments and invoices, and the
supplier's, dealer's and owner's actions on it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from portal import validation
from portal.access import load_by_ids, load_children
from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.exchange import upload as uploads
from portal.models import (
    Customer,
    GoodsReceipt,
    Invoice,
    InvoiceLine,
    LineResponse,
    OrderLine,
    OrderStatus,
    Organization,
    ReceiptReason,
    ShipmentLine,
)
from portal.orders import fulfilment, receiving, review
from portal.orders import service as orders
from portal.orders.limits import MAX_LINES_PER_ORDER
from portal.orders.queries import (
    InvoiceQuery,
    ShipmentQuery,
    list_invoices,
    list_shipments,
    order_timeline,
    timeline_actors,
)
from portal.reading import PageRequest
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors, FormInvalid, number_input
from portal.web.views import history, order_changes, pickers
from portal.web.views.invoices import read_upload, upload_outcome

ORDER_PAGE_ROWS = 50  # shipments and invoices shown at once on an order page (then: next page)
NEW_ORDER_ROWS = 3  # lines a new-order form starts with; "Add a line" adds more
MAX_ORDER_ROWS = MAX_LINES_PER_ORDER  # the service refuses more
_INDEXED = re.compile(r"^lines\[(\d+)\](.*)$")
SPLIT_ROWS = 4  # delivery rows per line in the answer form (the service takes up to MAX_DELIVERIES)
_DELIVERY = re.compile(r"^lines\[(\d+)\]\.schedule\[(\d+)\]\.(\w+)$")


def _remap_line_errors(call: Callable[[], Any], line_nos: Sequence[int]) -> Any:
    """Fulfilment services name a bad line by its position in the submitted list; the form names
    it by line number."""
    try:
        return call()
    except InvalidInput as exc:
        match = _INDEXED.match(exc.field)
        if match and 1 <= int(match.group(1)) <= len(line_nos):
            raise InvalidInput(
                f"lines[{line_nos[int(match.group(1)) - 1]}]{match.group(2)}", exc.detail
            ) from exc
        raise


class OrderViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    # -- the page ----------------------------------------------------------------------------
    def detail(self, ctx: Ctx) -> Response:
        return self._render(ctx, ctx.request.path_params["order_id"])

    def _render(
        self, ctx: Ctx, order_id: int, *, form: str = "", errors: FormErrors | None = None
    ) -> Response:
        db, p = ctx.db, ctx.principal
        order = orders.load_order(ctx.uow, p, order_id)
        status = order.status()
        query = ctx.request.query_params
        shipments = list_shipments(
            db,
            p,
            ShipmentQuery(order_id=order.id),
            descending=False,
            page=PageRequest(first=ORDER_PAGE_ROWS, after=query.get("shipments") or None),
        )
        shipment_lines = load_children(db, p, ShipmentLine, "shipment_id", [s.id for s in shipments.items])
        invoices = list_invoices(
            db,
            p,
            InvoiceQuery(order_id=order.id),
            descending=False,
            page=PageRequest(first=ORDER_PAGE_ROWS, after=query.get("invoices") or None),
        )
        invoice_lines = load_children(db, p, InvoiceLine, "invoice_id", [i.id for i in invoices.items])
        line_by_id = {line.id: line for line in order.lines}
        is_supplier = order.supplier_id is not None and may.can_act_as_supplier(p, order)
        orgs = load_by_ids(
            db, p, Organization, {i for i in (order.supplier_id, order.dealer_id) if i is not None}
        )
        suppliers = None
        can_route = may.can_route_order(p) and status in (
            OrderStatus.DRAFT,
            OrderStatus.AWAITING_CONFIRMATION,
        )
        if can_route:
            chosen = {"supplier_id": str(order.supplier_id or "")}
            if form == "route":
                chosen = ctx.form.values()
            suppliers = pickers.picker(db, p, "suppliers", "supplier_id", chosen)
        timeline = order_timeline(db, p, order.id)
        actors = timeline_actors(db, p, order, timeline)
        customer = None
        if not p.is_supplier:
            customer = load_by_ids(db, p, Customer, [order.customer_id]).get(order.customer_id)
        today = date.today()
        receipts = receiving.receipts_of_order(db, p, order.id)
        can_receive = may.can_record_receipt(p, order) and status not in receiving.NOT_RECEIVABLE
        return ctx.render(
            "order.html",
            status_code=400 if errors else 200,
            order=order,
            status=status,
            lines=[line for line in order.lines],
            shipments=shipments.items,
            more_shipments=shipments.end_cursor if shipments.has_next_page else None,
            paged_shipments=shipments.has_previous_page or shipments.has_next_page,
            shipment_lines=shipment_lines,
            invoices=invoices.items,
            more_invoices=invoices.end_cursor if invoices.has_next_page else None,
            paged_invoices=invoices.has_previous_page or invoices.has_next_page,
            invoice_lines=invoice_lines,
            receipts=receipts,
            shipment_options=[(str(s.id), s.number) for s in shipments.items],
            shipment_numbers={s.id: s.number for s in shipments.items},
            can_receive=can_receive,
            reasons=[(r.value, ctx._(labels.RECEIPT_REASON[r])) for r in ReceiptReason],
            reason_labels={r.value: labels.RECEIPT_REASON[r] for r in ReceiptReason},
            line_by_id=line_by_id,
            history=[
                history.describe(e, actors.get(e.id), order, orgs, ctx._, labels.EVENTS) for e in timeline
            ],
            labels=labels.ALL,
            answerable={line.line_no for line in orders.answerable_lines(order)} if is_supplier else set(),
            can_respond=is_supplier and bool(orders.answerable_lines(order)),
            split_rows=SPLIT_ROWS,
            can_ship=is_supplier and status in fulfilment.SHIPPABLE,
            can_invoice=is_supplier and status in fulfilment.INVOICEABLE,
            can_route=can_route,
            can_review=order.awaiting_review and may.can_review_line_changes(p),
            # Owner staff (admins) may act for the supplier: the forms then say for whom.
            on_behalf=(
                orgs[order.supplier_id].name
                if p.is_owner and is_supplier and order.supplier_id in orgs
                else None
            ),
            suppliers=suppliers,
            orgs=orgs,
            customer=customer,
            form=form,
            errors=errors or FormErrors(),
            values=ctx.form.values() if errors is not None else {},
            today=today.isoformat(),
            number_input=number_input,
            due=(today + timedelta(days=30)).isoformat(),
            responses=[(r.value, labels.RESPONSE[r]) for r in LineResponse if r is not LineResponse.PENDING],
            **order_changes.context(ctx, order, form),
        )

    # The order change form (portal.web.views.order_changes) renders and acts through these.
    def render(self, ctx: Ctx, order_id: int, *, form: str, errors: FormErrors) -> Response:
        return self._render(ctx, order_id, form=form, errors=errors)

    def act(self, ctx: Ctx, form: str, action: Callable[[], str]) -> Response:
        return self._act(ctx, form, action)

    def change(self, ctx: Ctx) -> Response:
        return order_changes.change(self, ctx)

    def _act(self, ctx: Ctx, form: str, action: Callable[[], str]) -> Response:
        order_id = ctx.request.path_params["order_id"]

        def run() -> Response:
            message = action()
            return ctx.redirect(f"/orders/{order_id}", message)

        return ctx.attempt(run, lambda errors: self._render(ctx, order_id, form=form, errors=errors))

    # -- supplier ----------------------------------------------------------------------------
    def respond(self, ctx: Ctx) -> Response:
        order_id = ctx.request.path_params["order_id"]

        def action() -> str:
            order = orders.load_order(ctx.uow, ctx.principal, order_id)
            confirm_all = bool(ctx.form.text("confirm_all"))
            answers: list[orders.LineAnswer] = []
            open_lines = {line.line_no for line in orders.answerable_lines(order)}

            def read_line(line: OrderLine) -> Callable[[], object]:
                def check() -> None:
                    n = line.line_no
                    if line.cancelled:
                        return
                    choice = ctx.form.text(f"line-{n}-action") or self._implied_action(ctx, n)
                    if not choice:
                        return
                    try:
                        action_value = LineResponse(choice)
                    except ValueError:
                        raise InvalidInput(f"lines[{n}].action", "unknown value") from None
                    rows, schedule = self._deliveries(ctx, n)
                    answer = orders.LineAnswer(
                        line_no=n,
                        action=action_value,
                        quantity=ctx.form.decimal(f"line-{n}-quantity", locale=ctx.locale)
                        if action_value is not LineResponse.REJECTED
                        else None,
                        promised_date=ctx.form.date(f"line-{n}-promised_date") if not schedule else None,
                        reason=ctx.form.optional(f"line-{n}-reason"),
                        schedule=schedule,
                    )
                    try:
                        orders.check_answer(line, answer, order.order_date)
                    except InvalidInput as exc:  # a delivery is named by its row in the form
                        match = _DELIVERY.match(exc.field)
                        if match is None:
                            if exc.field.endswith(".schedule"):
                                raise InvalidInput(f"line-{n}-schedule", exc.detail) from exc
                            raise
                        row = rows[int(match.group(2))]
                        raise InvalidInput(f"line-{n}-part-{row}-{match.group(3)}", exc.detail) from exc
                    answers.append(answer)

                return check

            if confirm_all:  # "Confirm all lines as ordered": every line still open to an answer
                answers = [
                    orders.LineAnswer(line_no=n, action=LineResponse.ACCEPTED) for n in sorted(open_lines)
                ]
            else:  # every wrong line at once; the service checks them again
                ctx.form.validate(*[read_line(line) for line in order.lines])
            orders.respond_to_order(
                uow=ctx.uow,
                principal=ctx.principal,
                order_id=order_id,
                answers=answers,
                expected_version=ctx.form.integer("version"),
            )
            if orders.load_order(ctx.uow, ctx.principal, order_id).awaiting_review:
                return ctx._(
                    "Your answer has been saved. "
                    "Changes beyond your agreed tolerance await the buyer's review."
                )
            return ctx._("Your answer has been saved.")

        return self._act(ctx, "respond", action)

    @staticmethod
    def _implied_action(ctx: Ctx, n: int) -> str:
        """The answer of a line left on "No change" with values typed in: a quantity, a date or a
        split into deliveries mean "Changed" (never dropped in silence); a reason alone is refused
        at the answer, as it only goes with "Rejected"."""
        typed = [f"line-{n}-quantity", f"line-{n}-promised_date"] + [
            f"line-{n}-part-{k}-{what}" for k in range(1, SPLIT_ROWS + 1) for what in ("quantity", "date")
        ]
        if any(ctx.form.text(name) for name in typed):
            return LineResponse.CHANGED.value
        if ctx.form.text(f"line-{n}-reason"):
            raise InvalidInput(f"lines[{n}].action", "a reason goes with a rejection: choose “Rejected”")
        return ""

    @staticmethod
    def _deliveries(ctx: Ctx, n: int) -> tuple[list[int], tuple[orders.Delivery, ...]]:
        """The delivery rows of line ``n`` the supplier filled in: their row numbers and deliveries
        (a row with only one of quantity and date is refused, naming the missing one)."""
        rows: list[int] = []
        parts: list[orders.Delivery] = []
        for k in range(1, SPLIT_ROWS + 1):
            field = f"line-{n}-part-{k}"
            quantity = ctx.form.decimal(f"{field}-quantity", locale=ctx.locale)
            day = ctx.form.date(f"{field}-date")
            if quantity is None and day is None:
                continue
            if quantity is None:
                raise InvalidInput(f"{field}-quantity", "must not be empty")
            if day is None:
                raise InvalidInput(f"{field}-date", "must not be empty")
            rows.append(k)
            parts.append(orders.Delivery(quantity, day))
        return rows, tuple(parts)

    def _picked(
        self, ctx: Ctx, lines: Sequence[OrderLine], check: Callable[[OrderLine, Decimal, str], Decimal]
    ) -> tuple[list[Callable[[], object]], list[tuple[int, Decimal]]]:
        """Per line of a ship notice or invoice, a check of its typed quantity (for
        `Form.validate`), and the list the valid, non-zero quantities are collected into."""
        picked: list[tuple[int, Decimal]] = []

        def read(line: OrderLine) -> Callable[[], object]:
            def run() -> None:
                qty = ctx.form.decimal(f"line-{line.line_no}-quantity", locale=ctx.locale)
                if qty is not None and qty != 0 and not line.cancelled:
                    picked.append((line.line_no, check(line, qty, f"lines[{line.line_no}].quantity")))

            return run

        return [read(line) for line in lines], picked

    def ship(self, ctx: Ctx) -> Response:
        order_id = ctx.request.path_params["order_id"]

        def action() -> str:
            order = orders.load_order(ctx.uow, ctx.principal, order_id)
            line_checks, picked = self._picked(ctx, order.lines, fulfilment.check_ship_quantity)
            ctx.form.validate(  # every wrong field at once; the service checks them again
                lambda: validation.required_text("number", ctx.form.text("number"), max_length=64),
                lambda: ctx.form.date("shipped_on", required=True),
                lambda: ctx.form.date("expected_delivery"),
                lambda: ctx.form.integer("packages"),
                *line_checks,
            )
            shipped_on = ctx.form.date("shipped_on", required=True)
            assert shipped_on is not None
            _remap_line_errors(
                lambda: fulfilment.record_shipment(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    order_id=order_id,
                    number=ctx.form.text("number"),
                    shipped_on=shipped_on,
                    expected_delivery=ctx.form.date("expected_delivery"),
                    carrier=ctx.form.optional("carrier"),
                    tracking_number=ctx.form.optional("tracking_number"),
                    packages=ctx.form.integer("packages") or 1,
                    lines=[fulfilment.ShipLine(no, qty) for no, qty in picked],
                ),
                [no for no, _ in picked],
            )
            return ctx._("The ship notice has been recorded.")

        return self._act(ctx, "ship", action)

    def invoice(self, ctx: Ctx) -> Response:
        order_id = ctx.request.path_params["order_id"]

        def action() -> str:
            order = orders.load_order(ctx.uow, ctx.principal, order_id)
            line_checks, picked = self._picked(ctx, order.lines, fulfilment.check_bill_quantity)
            ctx.form.validate(  # every wrong field at once; the service checks them again
                lambda: validation.required_text("number", ctx.form.text("number"), max_length=64),
                lambda: ctx.form.date("issue_date", required=True),
                lambda: ctx.form.date("due_date"),
                *line_checks,
            )
            issue_date = ctx.form.date("issue_date", required=True)
            assert issue_date is not None
            invoice: Invoice = _remap_line_errors(
                lambda: fulfilment.submit_invoice(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    order_id=order_id,
                    number=ctx.form.text("number"),
                    issue_date=issue_date,
                    due_date=ctx.form.date("due_date"),
                    lines=[fulfilment.BillLine(no, qty) for no, qty in picked],
                ),
                [no for no, _ in picked],
            )
            if invoice.match_status.value == "over_billed":
                return ctx._(
                    "The invoice has been submitted. "
                    "It bills more than was shipped and is flagged for review."
                )
            return ctx._("The invoice has been submitted.")

        return self._act(ctx, "invoice", action)

    def upload_invoice(self, ctx: Ctx) -> Response:
        """The supplier's e-invoice file (#17.6): applied, the invoice page; refused, its ledger
        record with every finding (rule, level, where in the file)."""
        order_id = ctx.request.path_params["order_id"]

        def run() -> Response:
            filename, data = read_upload(ctx)
            record = uploads.upload_invoice(
                uow=ctx.uow, principal=ctx.principal, filename=filename, data=data, order_id=order_id
            )
            return upload_outcome(ctx, record)

        return ctx.attempt(run, lambda errors: self._render(ctx, order_id, form="upload", errors=errors))

    # -- the receiving side (owner staff, the dealer that sold the order) ------------------------
    def receive(self, ctx: Ctx) -> Response:
        """Record a goods receipt: per line what arrived, of it damaged, and why it differs."""
        order_id = ctx.request.path_params["order_id"]

        def action() -> str:
            order = orders.load_order(ctx.uow, ctx.principal, order_id)
            counted: list[receiving.ReceiveLine] = []

            def read_line(n: int) -> Callable[[], object]:
                def check() -> None:
                    quantity = ctx.form.decimal(f"line-{n}-received", locale=ctx.locale)
                    damaged = ctx.form.decimal(f"line-{n}-damaged", locale=ctx.locale)
                    choice = ctx.form.text(f"line-{n}-reason")
                    if quantity is None:
                        if damaged is not None or choice:
                            raise InvalidInput(f"lines[{n}].received", "must not be empty")
                        return
                    try:
                        reason = ReceiptReason(choice) if choice else None
                    except ValueError:
                        raise InvalidInput(f"lines[{n}].reason", "unknown value") from None
                    counted.append(
                        receiving.ReceiveLine(
                            n, quantity, damaged or Decimal(0), reason, ctx.form.optional(f"line-{n}-note")
                        )
                    )

                return check

            ctx.form.validate(  # every wrong field at once; the service checks them again
                lambda: ctx.form.date("received_on", required=True),
                lambda: ctx.form.integer("shipment_id"),
                *[read_line(line.line_no) for line in order.lines if not line.cancelled],
            )
            if not counted:
                raise InvalidInput("lines", "enter what arrived of at least one line")
            missing = receiving.lines_missing_a_reason(
                ctx.uow, order, ctx.form.integer("shipment_id"), counted
            )
            if missing:  # every line without its reason at once
                raise FormInvalid(
                    [InvalidInput(f"lines[{n}].reason", receiving.MISSING_REASON) for n in missing]
                )
            received_on = ctx.form.date("received_on", required=True)
            assert received_on is not None
            receipt: GoodsReceipt = _remap_line_errors(
                lambda: receiving.record_goods_receipt(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    order_id=order_id,
                    received_on=received_on,
                    shipment_id=ctx.form.integer("shipment_id"),
                    note=ctx.form.optional("note"),
                    lines=counted,
                    expected_version=ctx.form.integer("version"),
                ),
                [line.line_no for line in counted],
            )
            if receipt.over_received:
                return ctx._(
                    "The goods receipt has been recorded. "
                    "It counts more than was shipped and is flagged for review."
                )
            if receipt.has_discrepancy:
                return ctx._("The goods receipt has been recorded; the supplier is told of the differences.")
            return ctx._("The goods receipt has been recorded.")

        return self._act(ctx, "receive", action)

    # -- owner -------------------------------------------------------------------------------
    def review(self, ctx: Ctx) -> Response:
        """The buyer accepts or rejects the supplier's changes awaiting review, line by line. The
        form's fields are ``review-<n>-decision`` and ``review-<n>-reason`` (the supplier's answer
        form on the same page has ``line-<n>-reason``: one form's text never lands in the other)."""
        order_id = ctx.request.path_params["order_id"]

        def action() -> str:
            order = orders.load_order(ctx.uow, ctx.principal, order_id)
            decisions: list[review.LineDecision] = []

            def read_line(n: int) -> Callable[[], object]:
                def check() -> None:
                    choice = ctx.form.text(f"review-{n}-decision")
                    if not choice:
                        return
                    if choice not in ("accept", "reject"):
                        raise InvalidInput(f"review-{n}-decision", "unknown value")
                    reason = ctx.form.optional(f"review-{n}-reason")
                    if choice == "reject":
                        validation.required_text(f"review-{n}-reason", reason, max_length=500)
                    decisions.append(review.LineDecision(n, accept=choice == "accept", reason=reason))

                return check

            # Every line the form decided, not only those still awaiting review: a line another
            # reviewer decided meanwhile reaches the service, which says the order changed.
            ctx.form.validate(*[read_line(line.line_no) for line in order.lines if not line.cancelled])
            if not decisions:
                orders.check_version(order, ctx.form.integer("version"))
                raise InvalidInput("decisions", "choose accept or reject for at least one line")
            try:
                review.review_line_changes(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    order_id=order_id,
                    decisions=decisions,
                    expected_version=ctx.form.integer("version"),
                )
            except InvalidInput as exc:  # the service names a line "lines[n]"; the form "review-n-"
                match = _INDEXED.match(exc.field)
                if match is None:
                    raise
                raise InvalidInput(
                    f"review-{match.group(1)}-{match.group(2).lstrip('.') or 'decision'}", exc.detail
                ) from exc
            return ctx._("Your decision has been saved; the supplier is told.")

        return self._act(ctx, "review", action)

    def route(self, ctx: Ctx) -> Response:
        order_id = ctx.request.path_params["order_id"]
        if pickers.is_search(ctx):
            return self._render(ctx, order_id, form="route", errors=FormErrors())

        def action() -> str:
            supplier_id = ctx.form.integer("supplier_id")
            if supplier_id is None:  # the picker's empty first choice
                raise InvalidInput("supplier_id", "choose the supplier to route the order to")
            orders.route_order(
                uow=ctx.uow, principal=ctx.principal, order_id=order_id, supplier_id=supplier_id
            )
            return ctx._("The order has been routed to the supplier.")

        return self._act(ctx, "route", action)

    # -- dealer and owner: a new order ---------------------------------------------------------
    def new(self, ctx: Ctx) -> Response:
        """The new-order form: any number of lines (``add_line`` re-renders with one more), pickers
        with search, catalogue prices and totals (``recalculate``; with JavaScript, live)."""
        if ctx.principal.is_supplier:
            return self.web.error_page(ctx.request, 404, ctx.principal)
        may.require(ctx.principal, may.can_create_order(ctx.principal), "create orders")
        if ctx.request.method == "GET":
            return self._new_form(
                ctx, FormErrors(), {"customer_id": ctx.request.query_params.get("customer", "")}
            )
        values = ctx.form.values()
        if pickers.is_search(ctx) or ctx.form.text("recalculate"):
            return self._new_form(ctx, FormErrors(), values)
        if ctx.form.text("add_line"):
            return self._new_form(ctx, FormErrors(), {**values, "rows": str(_row_count(values) + 1)})

        def create() -> Response:
            may_price = may.can_set_prices(ctx.principal)
            lines: list[tuple[int, orders.NewOrderLine]] = []

            def row_checks(row: int) -> list[Callable[[], object]]:
                """Each field of a row on its own, then the row as a whole (collected into ``lines``)."""

                def read_row() -> None:
                    product = ctx.form.integer(f"line-{row}-product")
                    quantity = ctx.form.decimal(f"line-{row}-quantity", locale=ctx.locale)
                    price = ctx.form.decimal(f"line-{row}-price", locale=ctx.locale) if may_price else None
                    if product is None and quantity is None:
                        return
                    if product is None:
                        raise InvalidInput(f"lines[{row}].product", "must not be empty")
                    if quantity is None:
                        raise InvalidInput(f"lines[{row}].quantity", "must not be empty")
                    lines.append(
                        (row, orders.NewOrderLine(product_id=product, quantity=quantity, unit_price=price))
                    )

                checks: list[Callable[[], object]] = [
                    lambda: ctx.form.integer(f"line-{row}-product"),
                    lambda: ctx.form.decimal(f"line-{row}-quantity", locale=ctx.locale),
                ]
                if may_price:
                    checks.append(lambda: ctx.form.decimal(f"line-{row}-price", locale=ctx.locale))
                return [*checks, read_row]

            ctx.form.validate(  # every wrong field at once; the service checks them again
                lambda: ctx.form.integer("customer_id", required=True),
                lambda: ctx.form.date("requested_date"),
                *[check for row in range(1, _row_count(values) + 1) for check in row_checks(row)],
            )
            customer_id = ctx.form.integer("customer_id", required=True)
            assert customer_id is not None
            order = _remap_line_errors(
                lambda: orders.create_order(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    customer_id=customer_id,
                    lines=[spec for _, spec in lines],
                    requested_date=ctx.form.date("requested_date"),
                    customer_reference=ctx.form.optional("customer_reference"),
                    note=ctx.form.optional("note"),
                ),
                [row for row, _ in lines],
            )
            return ctx.redirect(
                f"/orders/{order.id}", ctx._("Order %(number)s has been created.", number=order.number)
            )

        return ctx.attempt(create, lambda errors: self._new_form(ctx, errors, ctx.form.values()))

    def _new_form(self, ctx: Ctx, errors: FormErrors, values: dict[str, str]) -> Response:
        db, p = ctx.db, ctx.principal
        may_price = may.can_set_prices(p)
        rows = []
        total = Decimal(0)
        searches: pickers.Searches = {}
        for n in range(1, _row_count(values) + 1):
            product = pickers.picker(db, p, "products", f"line-{n}-product", values, searches=searches)
            list_price = next((o.price for o in product.options if str(o.id) == product.selected), None)
            price = list_price
            amount = None
            try:
                quantity = (
                    ctx.form.decimal(f"line-{n}-quantity", locale=ctx.locale) if ctx.form.data else None
                )
                if may_price and ctx.form.data:
                    price = ctx.form.decimal(f"line-{n}-price", locale=ctx.locale) or list_price
            except InvalidInput:
                quantity = None
            if quantity is not None and price is not None and product.selected:
                amount = (quantity * price).quantize(Decimal("0.01"))
                total += amount
            rows.append(NewLineRow(n, product, list_price, amount))
        return ctx.render(
            "order_new.html",
            status_code=400 if errors else 200,
            customer=pickers.picker(db, p, "customers", "customer_id", values),
            rows=rows,
            row_count=len(rows),
            total=total,
            may_set_prices=may_price,
            errors=errors,
            values=values,
            min_date=date.today().isoformat(),
        )


@dataclass(frozen=True, slots=True)
class NewLineRow:
    n: int
    product: pickers.Picker
    list_price: Decimal | None
    amount: Decimal | None  # quantity x price, once both are known (after "recalculate")


_ROW_FIELD = re.compile(r"^line-(\d+)-")


def _row_count(values: dict[str, str]) -> int:
    """How many lines the form shows: what it said (``rows``), at least every line with a value."""
    raw = values.get("rows", "")
    count = int(raw) if raw.isdigit() else NEW_ORDER_ROWS
    used = [int(m.group(1)) for key, value in values.items() if value and (m := _ROW_FIELD.match(key))]
    return max(1, min(MAX_ORDER_ROWS, max([count, *used])))
