"""The invoice workflow (issue #17.4 and 17.5): the owner's review (approve, dispute, reject), the
payment (scheduled, paid in one or several parts) and the supplier's side (answering a dispute,
credit notes).

States: an invoice arrives ``received``; the owner's staff approve it, dispute it (a question the
supplier sees and answers in the invoice's thread) or reject it (with a reason). A disputed invoice
is approved or rejected once answered. Payments are recorded on an approved invoice; credit notes
are issued against an open one (received, disputed, approved). What is still owed is the gross
total less credit notes and payments; when it reaches zero the invoice is ``paid`` (or
``credited``, when credit notes alone settled it). Rejecting an invoice takes its quantities off
the order lines' invoiced quantities: the supplier bills them again with a new invoice.

Two reviewers at once: each action may name the ``expected_version`` the reviewer saw (the web form
and the API send it); a different one is a :class:`~portal.errors.Conflict`, and so is a write that
loses the race in the database (the invoice's version column).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import validation
from portal.access import Principal, get_visible, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidInput, InvalidState, NotFound
from portal.events import record
from portal.models import (
    CreditNote,
    Invoice,
    InvoiceMessage,
    InvoicePayment,
    InvoiceStatus,
    MessageKind,
    OrderLine,
)
from portal.models.base import utcnow

CENT = Decimal("0.01")
MAX_MESSAGE = 4000

REVIEWABLE = frozenset({InvoiceStatus.RECEIVED, InvoiceStatus.DISPUTED})
DISPUTABLE = frozenset({InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED})
CREDITABLE = frozenset({InvoiceStatus.RECEIVED, InvoiceStatus.DISPUTED, InvoiceStatus.APPROVED})


def load_invoice(
    uow: UnitOfWork, principal: Principal, invoice_id: int, *, for_update: bool = False
) -> Invoice:
    return get_visible(
        uow.session,
        principal,
        Invoice,
        invoice_id,
        options=[selectinload(Invoice.lines)],
        for_update=for_update,
    )


def find_invoice(uow: UnitOfWork, principal: Principal, number: str) -> Invoice:
    """The principal's invoice with this number (a credit note's reference); another supplier's
    invoice of that number is missing exactly like one that does not exist."""
    found = uow.session.scalars(
        visible(principal, Invoice).where(Invoice.number == number).order_by(Invoice.id).limit(1)
    ).first()
    if found is None:
        raise NotFound("invoice", number)
    return load_invoice(uow, principal, found.id, for_update=True)


def _check_version(invoice: Invoice, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != invoice.version:
        raise Conflict(
            f"invoice {invoice.number} was changed meanwhile (it is at version {invoice.version}, "
            f"the change expected version {expected_version}); reload it"
        )


def _require_state(invoice: Invoice, allowed: frozenset[InvoiceStatus], action: str) -> None:
    if invoice.status not in allowed:
        raise InvalidState("invoice", invoice.status.value, action)


def _reason(field: str, value: str | None) -> str:
    return validation.required_text(field, value, max_length=MAX_MESSAGE)


def _message(
    uow: UnitOfWork, principal: Principal, invoice: Invoice, kind: MessageKind, body: str
) -> InvoiceMessage:
    message = InvoiceMessage(
        invoice_id=invoice.id,
        kind=kind,
        body=body,
        author_org_id=principal.org_id,
        author_user_id=principal.user_id,
    )
    uow.session.add(message)
    return message


def _review(
    uow: UnitOfWork, principal: Principal, invoice_id: int, expected_version: int | None, action: str
) -> Invoice:
    invoice = load_invoice(uow, principal, invoice_id, for_update=True)
    may.require(principal, may.can_review_invoice(principal), action)
    _check_version(invoice, expected_version)
    return invoice


def approve_invoice(
    *,
    uow: UnitOfWork,
    principal: Principal,
    invoice_id: int,
    expected_version: int | None = None,
    payment_scheduled_on: date | None = None,
) -> Invoice:
    invoice = _review(uow, principal, invoice_id, expected_version, "approve invoices")
    _require_state(invoice, REVIEWABLE, "approve")
    invoice.status = InvoiceStatus.APPROVED
    invoice.reviewed_at = utcnow()
    if payment_scheduled_on is not None:
        invoice.payment_scheduled_on = payment_scheduled_on
    uow.flush()
    record(
        uow,
        principal,
        "invoice.approved",
        "invoice",
        invoice.id,
        number=invoice.number,
        supplier_id=invoice.supplier_id,
        payment_scheduled_on=invoice.payment_scheduled_on,
    )
    return invoice


def dispute_invoice(
    *,
    uow: UnitOfWork,
    principal: Principal,
    invoice_id: int,
    reason: str,
    expected_version: int | None = None,
) -> InvoiceMessage:
    invoice = _review(uow, principal, invoice_id, expected_version, "dispute invoices")
    body = _reason("reason", reason)
    _require_state(invoice, DISPUTABLE, "dispute")
    if invoice.amount_paid > 0:
        raise InvalidState("invoice", "partly paid", "dispute")
    invoice.status = InvoiceStatus.DISPUTED
    invoice.reviewed_at = utcnow()
    message = _message(uow, principal, invoice, MessageKind.DISPUTE, body)
    uow.flush()
    record(
        uow,
        principal,
        "invoice.disputed",
        "invoice",
        invoice.id,
        number=invoice.number,
        supplier_id=invoice.supplier_id,
        message_id=message.id,
    )
    return message


def reject_invoice(
    *,
    uow: UnitOfWork,
    principal: Principal,
    invoice_id: int,
    reason: str,
    expected_version: int | None = None,
) -> Invoice:
    invoice = _review(uow, principal, invoice_id, expected_version, "reject invoices")
    body = _reason("reason", reason)
    _require_state(invoice, REVIEWABLE, "reject")
    invoice.status = InvoiceStatus.REJECTED
    invoice.reviewed_at = utcnow()
    message = _message(uow, principal, invoice, MessageKind.REJECTION, body)
    # The rejected invoice no longer bills its quantities: the supplier bills them anew.
    billed = {line.order_line_id: line.quantity for line in invoice.lines}
    for line in uow.session.scalars(
        select(OrderLine).where(OrderLine.id.in_(list(billed))).with_for_update()
    ):
        line.quantity_invoiced = max(Decimal(0), line.quantity_invoiced - billed[line.id])
    uow.flush()
    record(
        uow,
        principal,
        "invoice.rejected",
        "invoice",
        invoice.id,
        number=invoice.number,
        supplier_id=invoice.supplier_id,
        message_id=message.id,
    )
    return invoice


def schedule_payment(
    *,
    uow: UnitOfWork,
    principal: Principal,
    invoice_id: int,
    on: date,
    expected_version: int | None = None,
) -> Invoice:
    invoice = load_invoice(uow, principal, invoice_id, for_update=True)
    may.require(principal, may.can_record_payment(principal), "schedule payments")
    _check_version(invoice, expected_version)
    _require_state(invoice, frozenset({InvoiceStatus.APPROVED}), "schedule the payment of")
    invoice.payment_scheduled_on = on
    uow.flush()
    record(
        uow,
        principal,
        "invoice.payment_scheduled",
        "invoice",
        invoice.id,
        number=invoice.number,
        supplier_id=invoice.supplier_id,
        payment_scheduled_on=on,
    )
    return invoice


def record_payment(
    *,
    uow: UnitOfWork,
    principal: Principal,
    invoice_id: int,
    amount: Decimal,
    paid_on: date,
    reference: str | None = None,
    expected_version: int | None = None,
) -> InvoicePayment:
    """A payment of an approved invoice, whole or in part: never more than is still owed."""
    invoice = load_invoice(uow, principal, invoice_id, for_update=True)
    may.require(principal, may.can_record_payment(principal), "record payments")
    _check_version(invoice, expected_version)
    amount = validation.decimal("amount", amount, positive=True)
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInput("amount", "has more than 2 decimal places")
    _require_state(invoice, frozenset({InvoiceStatus.APPROVED}), "record a payment of")
    if amount > invoice.amount_owed:
        raise InvalidInput(
            "amount",
            f"pays {amount:.2f} {invoice.currency}, more than the {invoice.amount_owed:.2f} "
            f"{invoice.currency} still owed on invoice {invoice.number}",
        )
    payment = InvoicePayment(
        invoice_id=invoice.id,
        paid_on=paid_on,
        amount=amount,
        reference=validation.text("reference", reference, max_length=140, required=False),
        recorded_by_user_id=principal.user_id,
    )
    uow.session.add(payment)
    invoice.amount_paid += amount
    invoice.amount_owed -= amount
    if invoice.amount_owed == 0:
        invoice.status = InvoiceStatus.PAID
    uow.flush()
    record(
        uow,
        principal,
        "invoice.paid",
        "invoice",
        invoice.id,
        number=invoice.number,
        supplier_id=invoice.supplier_id,
        payment_id=payment.id,
        amount=amount,
        paid_on=paid_on,
        amount_owed=invoice.amount_owed,
        fully_paid=invoice.status is InvoiceStatus.PAID,
    )
    return payment


@dataclass(frozen=True, slots=True)
class Credit:
    """A credit note's figures: its number, day and gross amount; the tax part is split in the
    invoice's own proportion unless given (an EDI credit note states it)."""

    number: str
    issue_date: date
    gross_total: Decimal
    tax_total: Decimal | None = None
    reason: str | None = None
    currency: str | None = None  # checked against the invoice's where given (an EDI credit note's)


def issue_credit_note(
    *,
    uow: UnitOfWork,
    principal: Principal,
    invoice_id: int,
    credit: Credit,
    exchange_record_id: int | None = None,
) -> CreditNote:
    """A credit note of the invoice's supplier: refused when it credits more than is still owed."""
    invoice = load_invoice(uow, principal, invoice_id, for_update=True)
    may.require(principal, may.can_answer_invoice(principal, invoice), "issue credit notes")
    return _credit(uow, principal, invoice, credit, exchange_record_id)


def _credit(
    uow: UnitOfWork, principal: Principal, invoice: Invoice, credit: Credit, exchange_record_id: int | None
) -> CreditNote:
    number = validation.required_text("number", credit.number, max_length=64)
    gross = validation.decimal("gross_total", credit.gross_total, positive=True)
    _require_state(invoice, CREDITABLE, "credit")
    if credit.currency is not None and credit.currency != invoice.currency:
        raise InvalidInput(
            "currency",
            f"the credit note is in {credit.currency}, invoice {invoice.number} in {invoice.currency}",
        )
    if gross > invoice.amount_owed:
        raise InvalidInput(
            "gross_total",
            f"the credit note of {gross:.2f} {invoice.currency} is larger than the "
            f"{invoice.amount_owed:.2f} {invoice.currency} still owed on invoice {invoice.number}",
        )
    if credit.tax_total is not None:
        tax = validation.decimal("tax_total", credit.tax_total)
        if tax > gross:
            raise InvalidInput("tax_total", "is more than the credit note's gross total")
    else:
        share = invoice.tax_total / invoice.gross_total if invoice.gross_total else Decimal(0)
        tax = (gross * share).quantize(CENT)
    note = CreditNote(
        invoice_id=invoice.id,
        supplier_id=invoice.supplier_id,
        number=number,
        issue_date=credit.issue_date,
        currency=invoice.currency,
        net_total=gross - tax,
        tax_total=tax,
        gross_total=gross,
        reason=validation.text("reason", credit.reason, max_length=MAX_MESSAGE, required=False),
        exchange_record_id=exchange_record_id,
    )
    uow.session.add(note)
    invoice.amount_credited += gross
    invoice.amount_owed -= gross
    if invoice.amount_owed == 0:
        invoice.status = InvoiceStatus.PAID if invoice.amount_paid > 0 else InvoiceStatus.CREDITED
    uow.flush()
    record(
        uow,
        principal,
        "invoice.credited",
        "invoice",
        invoice.id,
        number=invoice.number,
        supplier_id=invoice.supplier_id,
        credit_note_id=note.id,
        credit_note_number=note.number,
        gross_total=gross,
        amount_owed=invoice.amount_owed,
    )
    return note


def answer_dispute(
    *,
    uow: UnitOfWork,
    principal: Principal,
    invoice_id: int,
    message: str,
    credit: Credit | None = None,
) -> InvoiceMessage:
    """The supplier's answer to a disputed invoice, with a credit note where it grants one."""
    invoice = load_invoice(uow, principal, invoice_id, for_update=True)
    may.require(principal, may.can_answer_invoice(principal, invoice), "answer invoice disputes")
    return _answer(uow, principal, invoice, _reason("message", message), credit, None)


def _answer(
    uow: UnitOfWork,
    principal: Principal,
    invoice: Invoice,
    body: str,
    credit: Credit | None,
    exchange_record_id: int | None,
) -> InvoiceMessage:
    _require_state(invoice, frozenset({InvoiceStatus.DISPUTED}), "answer")
    note = _credit(uow, principal, invoice, credit, exchange_record_id) if credit is not None else None
    answer = _message(uow, principal, invoice, MessageKind.ANSWER, body)
    answer.credit_note_id = note.id if note is not None else None
    uow.flush()
    record(
        uow,
        principal,
        "invoice.dispute_answered",
        "invoice",
        invoice.id,
        number=invoice.number,
        supplier_id=invoice.supplier_id,
        message_id=answer.id,
        credit_note_id=answer.credit_note_id,
    )
    return answer


def credit_from_exchange(
    *,
    uow: UnitOfWork,
    principal: Principal,
    invoice_number: str,
    credit: Credit,
    exchange_record_id: int | None,
) -> CreditNote:
    """A credit note that arrived by EDI, matched to the supplier's invoice by its number. On a
    disputed invoice it is the supplier's answer to the dispute too (its reason, else its number and
    amount, becomes the answer in the invoice's thread), as the portal's answer form with a credit."""
    invoice = find_invoice(uow, principal, invoice_number)
    may.require(principal, may.can_answer_invoice(principal, invoice), "issue credit notes")
    if invoice.status is InvoiceStatus.DISPUTED:
        body = validation.text("reason", credit.reason, max_length=MAX_MESSAGE, required=False) or (
            f"{credit.number}: {credit.gross_total:.2f} {invoice.currency}"
        )
        answer = _answer(uow, principal, invoice, body, credit, exchange_record_id)
        return uow.session.get_one(CreditNote, answer.credit_note_id)
    return _credit(uow, principal, invoice, credit, exchange_record_id)
