"""The invoice workflow's mutations: thin, decode ids, call one service, return the invoice with
``userErrors`` (the invoice's fields, payments, messages and credit notes: `portal.gql.orders.types`)."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.gql.base import mutation, pk, reload, run
from portal.gql.orders.inputs import (
    AnswerDisputeInput,
    CreditNoteInput,
    DisputeInvoiceInput,
    IssueCreditNoteInput,
    RecordPaymentInput,
    RejectInvoiceInput,
    ReviewInvoiceInput,
    SchedulePaymentInput,
)
from portal.gql.orders.mutations import InvoicePayload
from portal.gql.orders.types import Invoice
from portal.invoicing import service as invoicing


def _credit(c: CreditNoteInput) -> invoicing.Credit:
    return invoicing.Credit(c.number, c.issue_date, c.gross_total, c.tax_total, c.reason)


def _on_invoice(
    info: strawberry.Info, invoice: strawberry.ID, action: Callable[[UnitOfWork, Principal, int], object]
) -> InvoicePayload:
    def act(uow: UnitOfWork, p: Principal) -> int:
        ident = pk(invoice, "Invoice", "invoice")
        action(uow, p, ident)
        return ident

    ident, errors = run(info, act)
    return InvoicePayload(invoice=reload(info, m.Invoice, Invoice, ident), user_errors=errors)


@strawberry.type
class InvoicingMutation:
    @mutation(description="Approve a received or disputed invoice for payment (owner sales and admins).")
    def approve_invoice(self, info: strawberry.Info, input: ReviewInvoiceInput) -> InvoicePayload:
        return _on_invoice(
            info,
            input.invoice,
            lambda uow, p, i: invoicing.approve_invoice(
                uow=uow,
                principal=p,
                invoice_id=i,
                expected_version=input.expected_version,
                payment_scheduled_on=input.payment_scheduled_on,
            ),
        )

    @mutation(
        description="Dispute an invoice with a reason the supplier sees and answers (owner sales, admins)."
    )
    def dispute_invoice(self, info: strawberry.Info, input: DisputeInvoiceInput) -> InvoicePayload:
        return _on_invoice(
            info,
            input.invoice,
            lambda uow, p, i: invoicing.dispute_invoice(
                uow=uow,
                principal=p,
                invoice_id=i,
                reason=input.reason,
                expected_version=input.expected_version,
            ),
        )

    @mutation(description="Reject an invoice with a reason; its quantities may be billed anew.")
    def reject_invoice(self, info: strawberry.Info, input: RejectInvoiceInput) -> InvoicePayload:
        return _on_invoice(
            info,
            input.invoice,
            lambda uow, p, i: invoicing.reject_invoice(
                uow=uow,
                principal=p,
                invoice_id=i,
                reason=input.reason,
                expected_version=input.expected_version,
            ),
        )

    @mutation(description="Plan (or move) the payment day of an approved invoice (owner sales and admins).")
    def schedule_payment(self, info: strawberry.Info, input: SchedulePaymentInput) -> InvoicePayload:
        return _on_invoice(
            info,
            input.invoice,
            lambda uow, p, i: invoicing.schedule_payment(
                uow=uow,
                principal=p,
                invoice_id=i,
                on=input.payment_scheduled_on,
                expected_version=input.expected_version,
            ),
        )

    @mutation(
        description="Record a payment of an approved invoice, whole or in part (sends the remittance advice)."
    )
    def record_payment(self, info: strawberry.Info, input: RecordPaymentInput) -> InvoicePayload:
        return _on_invoice(
            info,
            input.invoice,
            lambda uow, p, i: invoicing.record_payment(
                uow=uow,
                principal=p,
                invoice_id=i,
                amount=input.amount,
                paid_on=input.paid_on,
                reference=input.reference,
                expected_version=input.expected_version,
            ),
        )

    @mutation(
        description="The supplier's answer to a disputed invoice, with a credit note where it grants one."
    )
    def answer_invoice_dispute(self, info: strawberry.Info, input: AnswerDisputeInput) -> InvoicePayload:
        return _on_invoice(
            info,
            input.invoice,
            lambda uow, p, i: invoicing.answer_dispute(
                uow=uow,
                principal=p,
                invoice_id=i,
                message=input.message,
                credit=None if input.credit_note is None else _credit(input.credit_note),
            ),
        )

    @mutation(description="A credit note against one of your invoices: at most what is still owed.")
    def issue_credit_note(self, info: strawberry.Info, input: IssueCreditNoteInput) -> InvoicePayload:
        return _on_invoice(
            info,
            input.invoice,
            lambda uow, p, i: invoicing.issue_credit_note(
                uow=uow, principal=p, invoice_id=i, credit=_credit(input.credit_note)
            ),
        )
