"""What an invoice page shows beside the invoice: its payments, its thread and its credit notes,
each through `portal.access` (seen exactly where the invoice is)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.access import Principal, load_children
from portal.models import CreditNote, InvoiceMessage, InvoicePayment


@dataclass(frozen=True, slots=True)
class Workflow:
    payments: list[InvoicePayment]
    messages: list[InvoiceMessage]
    credit_notes: list[CreditNote]


def workflows(session: Session, principal: Principal, invoice_ids: list[int]) -> dict[int, Workflow]:
    """The payments, messages and credit notes of many invoices at once (three queries)."""
    payments = load_children(session, principal, InvoicePayment, "invoice_id", invoice_ids)
    messages = load_children(session, principal, InvoiceMessage, "invoice_id", invoice_ids)
    notes = load_children(session, principal, CreditNote, "invoice_id", invoice_ids)
    return {
        ident: Workflow(payments.get(ident, []), messages.get(ident, []), notes.get(ident, []))
        for ident in invoice_ids
    }
