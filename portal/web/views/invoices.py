"""The invoice page (issue #17.4): lines with their match, the thread, credit notes and payments;
the owner's review (approve, dispute, reject), payments, and the supplier's answer and credit
notes. Every form works without JavaScript and keeps what was typed when it is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from starlette.responses import Response

from portal import validation
from portal.access import load_by_ids, load_children
from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.exchange import originals
from portal.exchange import upload as uploads
from portal.invoicing import service as invoicing
from portal.invoicing.queries import workflows
from portal.models import (
    ExchangeRecord,
    InvoiceLine,
    InvoiceStatus,
    MessageKind,
    Order,
    OrderLine,
    Organization,
)
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors, number_input
from portal.web.i18n import Formatter

REVIEW_ACTIONS = ("approve", "dispute", "reject")


def read_upload(ctx: Ctx) -> tuple[str, bytes]:
    """The e-invoice file of an upload form (field ``file``): its name and at most one byte more
    than the service takes, so that it can say "too large"."""
    upload = ctx.form.upload("file")
    if upload is None:
        raise InvalidInput("file", "choose a file")
    return upload.filename or "invoice", upload.file.read(uploads.MAX_UPLOAD_BYTES + 1)


def upload_outcome(ctx: Ctx, record: ExchangeRecord) -> Response:
    """Where an upload leads: the invoice it became, or its ledger record with every finding."""
    invoice_id = uploads.invoice_of(record)
    if invoice_id is not None:
        return ctx.redirect(f"/invoices/{invoice_id}", ctx._("The e-invoice has been accepted."))
    return ctx.redirect(
        f"/exchange/{record.id}",
        ctx._("The e-invoice was not accepted. The findings below say why; nothing else was recorded."),
    )


class InvoiceViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def detail(self, ctx: Ctx) -> Response:
        return self._render(ctx, ctx.request.path_params["invoice_id"])

    # -- the e-invoice files (#17.4, #17.6) ----------------------------------------------------
    def upload_form(self, ctx: Ctx, errors: FormErrors | None = None) -> Response:
        """The supplier's upload without an order: the invoice names it."""
        may.require(ctx.principal, may.can_upload_invoice(ctx.principal), "upload invoices", only="suppliers")
        return ctx.render(
            "invoice_upload.html", status_code=400 if errors else 200, errors=errors or FormErrors()
        )

    def upload(self, ctx: Ctx) -> Response:
        def run() -> Response:
            filename, data = read_upload(ctx)
            record = uploads.upload_invoice(
                uow=ctx.uow, principal=ctx.principal, filename=filename, data=data
            )
            return upload_outcome(ctx, record)

        return ctx.attempt(run, lambda errors: self.upload_form(ctx, errors))

    def original(self, ctx: Ctx) -> Response:
        """One file the invoice came in, as it was received (only who may see the invoice)."""
        filename, data = originals.original_file(
            ctx.db, ctx.principal, ctx.request.path_params["invoice_id"], ctx.request.path_params["record_id"]
        )
        safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "._-") or "invoice"
        return Response(
            data,
            media_type=originals.content_type(data),
            headers={
                "content-disposition": f'attachment; filename="{safe_name}"',
                "content-security-policy": "default-src 'none'; sandbox",
                "cache-control": "private, no-store",
            },
        )

    def _render(
        self, ctx: Ctx, invoice_id: int, *, form: str = "", errors: FormErrors | None = None
    ) -> Response:
        db, p = ctx.db, ctx.principal
        invoice = invoicing.load_invoice(ctx.uow, p, invoice_id)
        flow = workflows(db, p, [invoice.id])[invoice.id]
        lines = load_children(db, p, InvoiceLine, "invoice_id", [invoice.id])[invoice.id]
        order = load_by_ids(db, p, Order, [invoice.order_id]).get(invoice.order_id)
        order_lines = load_by_ids(db, p, OrderLine, [line.order_line_id for line in lines])
        orgs = load_by_ids(db, p, Organization, [invoice.supplier_id])
        notes = {note.id: note for note in flow.credit_notes}
        status = invoice.status
        can_review = may.can_review_invoice(p)
        can_answer = may.can_answer_invoice(p, invoice)
        return ctx.render(
            "invoice.html",
            status_code=400 if errors else 200,
            invoice=invoice,
            order=order,
            lines=[(line, order_lines.get(line.order_line_id)) for line in lines],
            supplier=orgs.get(invoice.supplier_id),
            originals=originals.originals(db, p, invoice),
            payments=flow.payments,
            messages=flow.messages,
            credit_notes=flow.credit_notes,
            notes=notes,
            labels=labels.ALL,
            can_approve=can_review and status in invoicing.REVIEWABLE,
            can_dispute=can_review and status in invoicing.DISPUTABLE and invoice.amount_paid == 0,
            can_reject=can_review and status in invoicing.REVIEWABLE,
            can_pay=may.can_record_payment(p) and status is InvoiceStatus.APPROVED,
            can_answer=can_answer and status is InvoiceStatus.DISPUTED,
            can_credit=can_answer and status in invoicing.CREDITABLE,
            on_behalf=p.is_owner and can_answer,
            disputed=status is InvoiceStatus.DISPUTED,
            dispute=MessageKind.DISPUTE,
            form=form,
            errors=errors or FormErrors(),
            values=ctx.form.values() if errors is not None else {},
            today=date.today().isoformat(),
            owed=number_input(invoice.amount_owed, ctx.locale),
        )

    def _act(self, ctx: Ctx, form: str, action: Callable[[int], str]) -> Response:
        invoice_id = ctx.request.path_params["invoice_id"]

        def run() -> Response:
            return ctx.redirect(f"/invoices/{invoice_id}", action(invoice_id))

        return ctx.attempt(run, lambda errors: self._render(ctx, invoice_id, form=form, errors=errors))

    # -- owner -------------------------------------------------------------------------------
    def review(self, ctx: Ctx) -> Response:
        def action(invoice_id: int) -> str:
            choice = ctx.form.text("action")
            if choice not in REVIEW_ACTIONS:
                raise InvalidInput("action", "unknown value")
            version = ctx.form.integer("version")
            if choice == "approve":
                invoicing.approve_invoice(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    invoice_id=invoice_id,
                    expected_version=version,
                    payment_scheduled_on=ctx.form.date("payment_scheduled_on"),
                )
                return ctx._("The invoice has been approved.")
            reason = ctx.form.text("reason")
            ctx.form.validate(
                lambda: validation.required_text("reason", reason, max_length=invoicing.MAX_MESSAGE)
            )
            if choice == "dispute":
                invoicing.dispute_invoice(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    invoice_id=invoice_id,
                    reason=reason,
                    expected_version=version,
                )
                return ctx._("The invoice is disputed; the supplier has been told.")
            invoicing.reject_invoice(
                uow=ctx.uow,
                principal=ctx.principal,
                invoice_id=invoice_id,
                reason=reason,
                expected_version=version,
            )
            return ctx._("The invoice has been rejected.")

        return self._act(ctx, "review", action)

    def pay(self, ctx: Ctx) -> Response:
        def action(invoice_id: int) -> str:
            ctx.form.validate(
                lambda: ctx.form.decimal("amount", locale=ctx.locale, required=True),
                lambda: ctx.form.date("paid_on", required=True),
            )
            amount = ctx.form.decimal("amount", locale=ctx.locale, required=True)
            paid_on = ctx.form.date("paid_on", required=True)
            assert amount is not None and paid_on is not None
            payment = invoicing.record_payment(
                uow=ctx.uow,
                principal=ctx.principal,
                invoice_id=invoice_id,
                amount=amount,
                paid_on=paid_on,
                reference=ctx.form.optional("reference"),
                expected_version=ctx.form.integer("version"),
            )
            return ctx._(
                "The payment of %(amount)s has been recorded.",
                amount=Formatter(ctx.locale).money(
                    payment.amount, invoicing.load_invoice(ctx.uow, ctx.principal, invoice_id).currency
                ),
            )

        return self._act(ctx, "pay", action)

    def schedule(self, ctx: Ctx) -> Response:
        def action(invoice_id: int) -> str:
            ctx.form.validate(lambda: ctx.form.date("payment_scheduled_on", required=True))
            on = ctx.form.date("payment_scheduled_on", required=True)
            assert on is not None
            invoicing.schedule_payment(
                uow=ctx.uow,
                principal=ctx.principal,
                invoice_id=invoice_id,
                on=on,
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("The payment is planned.")

        return self._act(ctx, "schedule", action)

    # -- supplier ----------------------------------------------------------------------------
    def _credit(self, ctx: Ctx, *, required: bool) -> invoicing.Credit | None:
        """The credit note typed into a form; None when it is optional and left empty."""
        if not required and not ctx.form.text("gross_total") and not ctx.form.text("number"):
            return None
        ctx.form.validate(
            lambda: validation.required_text("number", ctx.form.text("number"), max_length=64),
            lambda: ctx.form.date("issue_date", required=True),
            lambda: ctx.form.decimal("gross_total", locale=ctx.locale, required=True),
        )
        amount = ctx.form.decimal("gross_total", locale=ctx.locale, required=True)
        issued = ctx.form.date("issue_date", required=True)
        assert amount is not None and issued is not None
        return invoicing.Credit(ctx.form.text("number"), issued, amount, reason=ctx.form.optional("reason"))

    def answer(self, ctx: Ctx) -> Response:
        def action(invoice_id: int) -> str:
            message = ctx.form.text("message")
            ctx.form.validate(
                lambda: validation.required_text("message", message, max_length=invoicing.MAX_MESSAGE),
                lambda: self._credit(ctx, required=False),
            )
            invoicing.answer_dispute(
                uow=ctx.uow,
                principal=ctx.principal,
                invoice_id=invoice_id,
                message=message,
                credit=self._credit(ctx, required=False),
            )
            return ctx._("Your answer has been sent.")

        return self._act(ctx, "answer", action)

    def credit(self, ctx: Ctx) -> Response:
        def action(invoice_id: int) -> str:
            credit = self._credit(ctx, required=True)
            assert credit is not None
            invoicing.issue_credit_note(
                uow=ctx.uow, principal=ctx.principal, invoice_id=invoice_id, credit=credit
            )
            return ctx._("The credit note has been issued.")

        return self._act(ctx, "credit", action)
