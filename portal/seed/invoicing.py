"""The demo's invoice workflow (issue #17): of the suppliers' invoices, a few are disputed (some
answered with a credit note), and the older ones mostly approved and paid, so the demo shows a
disputed invoice, a credit note and paid invoices beside the ones waiting for review.

Planned as rows like the rest of the seed (status, amounts and events consistent with what the
services would have written); each invoice draws from its own generator, so the main one, and with
it every other seeded row, is the same as without this step."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from portal.models import CreditNote, InvoiceMessage, InvoicePayment, InvoiceStatus, MessageKind
from portal.seed.base import Plan, Row, event

CENT = Decimal("0.01")
DISPUTES = (
    "Zwei Positionen kamen beschädigt an; bitte Gutschrift.",
    "Der Preis weicht von der Auftragsbestätigung ab.",
    "Die Menge stimmt nicht mit dem Lieferschein überein.",
)
ANSWERS = ("Wir schreiben die beschädigte Ware gut.", "Korrigiert, Gutschrift anbei.")


def plan_invoice_workflow(
    plan: Plan, invoice_id: int, invoice: Row, owner: int, issued_at: datetime, today: date, now: datetime
) -> None:
    """Move the invoice planned as ``invoice`` (still "received") along the workflow, or not."""
    rng = random.Random(f"invoice-workflow:{invoice['number']}")
    draw = rng.random()
    supplier, gross = invoice["supplier_id"], invoice["gross_total"]
    later = min(now, issued_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 6)))
    if draw < 0.06:  # disputed; half of them answered with a credit note of a tenth
        invoice["status"] = InvoiceStatus.DISPUTED
        invoice["reviewed_at"] = later
        _message(plan, invoice_id, MessageKind.DISPUTE, rng.choice(DISPUTES), owner, later)
        event(plan, "invoice.disputed", "invoice", invoice_id, owner, later, supplier_id=supplier)
        if draw < 0.03:
            answered = min(now, later + timedelta(hours=rng.randint(2, 30)))
            credit = (gross / 10).quantize(CENT)
            tax = (credit * invoice["tax_total"] / gross).quantize(CENT) if gross else Decimal(0)
            note_id = plan.add(
                CreditNote,
                {
                    "invoice_id": invoice_id,
                    "supplier_id": supplier,
                    "number": f"GS-{invoice['number'].removeprefix('RE-')}",
                    "issue_date": answered.date(),
                    "currency": invoice["currency"],
                    "net_total": credit - tax,
                    "tax_total": tax,
                    "gross_total": credit,
                    "reason": "Beschädigte Ware",
                    "exchange_record_id": None,
                    "created_at": answered,
                },
            )
            invoice["amount_credited"] = credit
            invoice["amount_owed"] = gross - credit
            _message(plan, invoice_id, MessageKind.ANSWER, rng.choice(ANSWERS), supplier, answered, note_id)
            credited = {
                "credit_note_id": note_id,
                "credit_note_number": f"GS-{invoice['number'].removeprefix('RE-')}",
            }
            event(plan, "invoice.credited", "invoice", invoice_id, supplier, answered, **credited)
            event(plan, "invoice.dispute_answered", "invoice", invoice_id, supplier, answered)
        return
    due = invoice["due_date"]
    if draw < 0.6 and due is not None and due <= today:  # approved and paid on its due day
        invoice["status"] = InvoiceStatus.PAID
        invoice["reviewed_at"] = later
        invoice["amount_paid"] = gross
        invoice["amount_owed"] = Decimal(0)
        paid_at = min(now, datetime.combine(due, later.timetz()))
        payment_id = plan.add(
            InvoicePayment,
            {
                "invoice_id": invoice_id,
                "paid_on": due,
                "amount": gross,
                "reference": f"SEPA {invoice['number']}",
                "recorded_by_user_id": None,
                "created_at": paid_at,
            },
        )
        event(plan, "invoice.approved", "invoice", invoice_id, owner, later, supplier_id=supplier)
        event(
            plan,
            "invoice.paid",
            "invoice",
            invoice_id,
            owner,
            paid_at,
            supplier_id=supplier,
            payment_id=payment_id,
        )
    elif 0.6 <= draw < 0.75:  # approved, the payment planned for the due day
        invoice["status"] = InvoiceStatus.APPROVED
        invoice["reviewed_at"] = later
        invoice["payment_scheduled_on"] = due
        event(plan, "invoice.approved", "invoice", invoice_id, owner, later, supplier_id=supplier)


def _message(
    plan: Plan,
    invoice_id: int,
    kind: MessageKind,
    body: str,
    author: int,
    at: datetime,
    note: int | None = None,
) -> None:
    plan.add(
        InvoiceMessage,
        {
            "invoice_id": invoice_id,
            "kind": kind,
            "body": body,
            "author_org_id": author,
            "author_user_id": None,
            "credit_note_id": note,
            "created_at": at,
        },
    )
