"""Between edi business documents and the domain: orders become PurchaseOrders; OrderResponses,
DespatchAdvices and Invoices from a supplier go through the same services as the GraphQL mutations.

Order lines are identified across formats by their line number (``OrderLine.line_no`` <->
``line_id``/``order_line_id``); orders by their number (``Order.number`` <-> ``order_number``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select

import edi.documents as doc
from portal.access import Principal, get_visible, visible
from portal.db import UnitOfWork
from portal.errors import InvalidInput, NotFound
from portal.invoicing import service as invoicing
from portal.invoicing import totals
from portal.models import (
    CreditNote,
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    InvoiceMessage,
    InvoicePayment,
    LineResponse,
    Order,
    OrderLine,
    OrderVersion,
    Organization,
    OrgKind,
    Product,
    ReceiptReason,
    Shipment,
)
from portal.models.base import utcnow
from portal.orders import changes, fulfilment, receiving
from portal.orders import service as orders

Link = tuple[str, int]

_RESPONSES = {
    doc.LineStatus.ACCEPTED: LineResponse.ACCEPTED,
    doc.LineStatus.CHANGED: LineResponse.CHANGED,
    doc.LineStatus.REJECTED: LineResponse.REJECTED,
}


def _party(org: Organization) -> doc.Party:
    return doc.Party(name=org.name, gln=org.gln, vat_id=org.vat_id, party_id=None if org.gln else org.slug)


def purchase_order(
    order: Order, owner: Organization, supplier: Organization, products: dict[int, Product]
) -> doc.PurchaseOrder:
    """The order as the supplier receives it: the delivery party and contact, never the customer master."""
    delivery = doc.Party(
        name=order.delivery_name,
        gln=order.delivery_gln,
        address=doc.Address(
            street=order.delivery_street,
            city=order.delivery_city,
            postal_code=order.delivery_postal_code,
            country_code=order.delivery_country,
        ),
        contact=doc.Contact(
            name=order.delivery_contact_name,
            phone=order.delivery_contact_phone,
            email=order.delivery_contact_email,
        )
        if order.delivery_contact_name
        else None,
    )
    lines = tuple(
        doc.OrderLine(
            line_id=str(line.line_no),
            quantity=line.quantity_ordered,
            unit=line.unit,
            gtin=line.gtin,
            supplier_article=products[line.product_id].supplier_article
            if line.product_id in products
            else None,
            buyer_article=line.sku,
            description=line.description,
            unit_price=line.unit_price,
            requested_date=line.requested_date,
        )
        for line in order.lines
        if not line.cancelled
    )
    return doc.PurchaseOrder(
        number=order.number,
        issue_date=order.order_date,
        buyer=_party(owner),
        seller=_party(supplier),
        lines=lines,
        currency=order.currency,
        delivery_party=delivery,
        requested_delivery_date=order.requested_date,
        note=order.note,
    )


_ACTIONS = {
    "added": doc.ChangeAction.ADDED,
    "changed": doc.ChangeAction.CHANGED,
    "cancelled": doc.ChangeAction.CANCELLED,
}


def order_change(
    order: Order,
    version: OrderVersion,
    owner: Organization,
    supplier: Organization,
    products: dict[int, Product],
) -> doc.OrderChange:
    """A version of the order (``version``) as the change the supplier receives: the lines it
    added, changed or cancelled, with their values in that version (not as they may be now)."""
    in_version = {int(line["line_no"]): line for line in version.lines}
    current = {line.line_no: line for line in order.lines}
    lines = []
    for entry in version.changes:
        line_no = int(entry["line_no"])
        action = _ACTIONS[str(entry["change"])]
        values = in_version[line_no]
        line = current[line_no]
        if action is doc.ChangeAction.CANCELLED:
            lines.append(doc.OrderChangeLine(line_id=str(line_no), action=action, buyer_article=line.sku))
            continue
        requested = values.get("requested_date")
        lines.append(
            doc.OrderChangeLine(
                line_id=str(line_no),
                action=action,
                quantity=Decimal(str(values["quantity"])),
                unit=line.unit,
                gtin=line.gtin,
                supplier_article=products[line.product_id].supplier_article
                if line.product_id in products
                else None,
                buyer_article=line.sku,
                description=line.description,
                unit_price=Decimal(str(values["unit_price"])),
                requested_date=date.fromisoformat(requested) if requested else None,
            )
        )
    return doc.OrderChange(
        number=f"{order.number}-{version.number}",
        order_number=order.number,
        issue_date=version.created_at.date(),
        buyer=_party(owner),
        seller=_party(supplier),
        lines=tuple(lines),
        sequence=str(version.number - 1),  # the first change of an order is change 1 (its version 2)
        order_date=order.order_date,
        currency=order.currency,
        note=version.note,
    )


def reversed_cancellations(change: doc.OrderChange, order: Order) -> doc.OrderChange:
    """``change`` with each cancelled line carrying the quantity it cancels (the line's ordered
    quantity, which a cancellation leaves as it was): openTRANS cancels an item by reversing it."""
    by_no = {str(line.line_no): line for line in order.lines}
    return replace(
        change,
        lines=tuple(
            replace(line, quantity=by_no[line.line_id].quantity_ordered)
            if line.action is doc.ChangeAction.CANCELLED and line.line_id in by_no
            else line
            for line in change.lines
        ),
    )


def review_decision(
    order: Order,
    decided: list[dict[str, object]],
    owner: Organization,
    supplier: Organization,
    products: dict[int, Product],
    number: str,
    issued: date,
) -> doc.OrderChange:
    """The buyer's review of the supplier's changes (an ``order.change_reviewed`` event's lines) as
    the order change the supplier receives: an accepted change is the line as now agreed (its
    confirmed quantity, promised date and price; an accepted rejection cancels the line), a rejected
    one the line as the buyer still orders it. The note says which was accepted and which rejected,
    and why."""
    by_no = {line.line_no: line for line in order.lines}
    lines: list[doc.OrderChangeLine] = []
    said: list[str] = []
    for entry in decided:
        line = by_no[int(str(entry["line_no"]))]
        accepted = entry.get("outcome") == "accepted"
        reason = entry.get("reason")
        said.append(
            f"line {line.line_no}: {'accepted' if accepted else 'rejected'}"
            + (f" ({reason})" if reason else "")
        )
        if accepted and line.response is LineResponse.REJECTED:
            lines.append(
                doc.OrderChangeLine(str(line.line_no), doc.ChangeAction.CANCELLED, buyer_article=line.sku)
            )
            continue
        lines.append(
            doc.OrderChangeLine(
                line_id=str(line.line_no),
                action=doc.ChangeAction.CHANGED,
                quantity=line.effective_quantity if accepted else line.quantity_ordered,
                unit=line.unit,
                gtin=line.gtin,
                supplier_article=products[line.product_id].supplier_article
                if line.product_id in products
                else None,
                buyer_article=line.sku,
                description=line.description,
                unit_price=line.effective_price if accepted else line.unit_price,
                requested_date=(line.promised_date if accepted else None) or line.requested_date,
            )
        )
    return doc.OrderChange(
        number=number,
        order_number=order.number,
        issue_date=issued,
        buyer=_party(owner),
        seller=_party(supplier),
        lines=tuple(lines),
        order_date=order.order_date,
        currency=order.currency,
        note="Review of your changes: " + "; ".join(said),
    )


def _order_by_number(uow: UnitOfWork, principal: Principal, number: str) -> Order:
    order_id = uow.session.scalar(
        visible(principal, Order).with_only_columns(Order.id).where(Order.number == number)
    )
    if order_id is None:
        raise NotFound("order", number)
    return orders.load_order(uow, principal, order_id)


def _line_no(order: Order, *refs: str | None) -> int:
    for ref in refs:
        if ref and ref.strip().isdigit():
            number = int(ref)
            if any(line.line_no == number for line in order.lines):
                return number
    raise InvalidInput("line_id", f"order {order.number} has no line {next((r for r in refs if r), '?')}")


# UNTDID 1001 credit notes (UBL writes these three as a CreditNote).
CREDIT_NOTE_TYPES = frozenset({"381", "396", "532"})


def is_credit_note(document: doc.Invoice) -> bool:
    """A credit note by its type code, or an invoice whose total is negative (X12 810 credits are
    often sent so, without BIG07 CR)."""
    return document.type_code in CREDIT_NOTE_TYPES or document.totals.tax_inclusive < 0


def _credit_note(
    uow: UnitOfWork, principal: Principal, document: doc.Invoice, record_id: int | None
) -> list[Link]:
    """A credit note from the supplier, matched to its invoice by the invoice's number (BT-25); an
    invoice the supplier does not have is missing like one that does not exist."""
    if not document.invoice_reference:
        raise InvalidInput(
            "invoice_reference",
            "the credit note names no invoice it corrects (RFF+IV, REF*OI, BillingReference or "
            "InvoiceReferencedDocument)",
        )
    credit = invoicing.Credit(
        number=document.number,
        issue_date=document.issue_date,
        gross_total=abs(document.totals.tax_inclusive),
        tax_total=abs(document.totals.tax_total),
        reason=document.note,
        currency=document.currency,
    )
    note = invoicing.credit_from_exchange(
        uow=uow,
        principal=principal,
        invoice_number=document.invoice_reference,
        credit=credit,
        exchange_record_id=record_id,
    )
    return [("invoice", note.invoice_id)]


def apply_document(
    uow: UnitOfWork, principal: Principal, document: doc.Document, *, record_id: int | None = None
) -> list[Link]:
    """Apply one inbound business document as ``principal`` (the sending organization);
    ``record_id``: the exchange record it came in (kept on what it creates where the model has room)."""
    if isinstance(document, doc.OrderResponse):
        order = _order_by_number(uow, principal, document.order_number)
        answers = [
            orders.LineAnswer(
                line_no=_line_no(order, line.line_id),
                action=_RESPONSES[line.status],
                quantity=line.quantity if line.status is doc.LineStatus.CHANGED else None,
                promised_date=line.promised_date if not line.schedule else None,
                unit_price=line.unit_price,
                # a split line (SCC groups, ACKs or SCHs, Deliveries, PARTIAL_DELIVERY_LIST)
                schedule=tuple(orders.Delivery(p.quantity, p.delivery_date) for p in line.schedule),
            )
            for line in document.lines
        ]
        if not answers:  # a whole-order answer without lines: every line still open to an answer
            action = _RESPONSES[doc.LineStatus(document.status.value)]
            answers = [
                orders.LineAnswer(line_no=line.line_no, action=action)
                for line in orders.answerable_lines(order)
            ]
        orders.respond_to_order(uow=uow, principal=principal, order_id=order.id, answers=answers)
        return [("order", order.id)]
    if isinstance(document, doc.DespatchAdvice):
        order = _order_by_number(uow, principal, document.order_number)
        ship_lines = [
            fulfilment.ShipLine(
                line_no=_line_no(order, line.order_line_id, line.line_id),
                quantity=line.quantity,
                batch_number=line.batch_number,
                sscc=package.sscc,
            )
            for package in document.packages
            for line in package.lines
        ]
        shipment = fulfilment.record_shipment(
            uow=uow,
            principal=principal,
            order_id=order.id,
            number=document.number,
            shipped_on=document.despatch_date or document.issue_date,
            lines=ship_lines,
            carrier=document.carrier,
            tracking_number=document.tracking_number,
            expected_delivery=document.expected_delivery_date,
            packages=max(1, len(document.packages)),
        )
        return [("order", order.id), ("shipment", shipment.id)]
    if isinstance(document, doc.Invoice) and is_credit_note(document):
        return _credit_note(uow, principal, document, record_id)
    if isinstance(document, doc.Invoice):
        if not document.order_number:
            raise InvalidInput("order_number", "the invoice names no order (RFF+ON / BIG04 / OrderReference)")
        order = _order_by_number(uow, principal, document.order_number)
        bill_lines = [
            fulfilment.BillLine(
                line_no=_line_no(order, line.order_line_id, line.line_id),
                quantity=line.quantity,
                unit_price=line.net_price,
                tax_rate=line.vat_rate if line.vat_rate is not None else Decimal(0),
                net_amount=line.net_amount,
            )
            for line in document.lines
        ]
        due = document.payment_terms.due_date if document.payment_terms else None
        stated = document.totals
        invoice = fulfilment.submit_invoice(
            uow=uow,
            principal=principal,
            order_id=order.id,
            number=document.number,
            issue_date=document.issue_date,
            lines=bill_lines,
            due_date=due,
            stated=totals.StatedTotals(
                line_total=stated.line_total,
                tax_exclusive=stated.tax_exclusive,
                tax_total=stated.tax_total,
                tax_inclusive=stated.tax_inclusive,
                payable=stated.payable,
                prepaid=stated.prepaid or Decimal(0),
                categories=tuple(
                    totals.Category(s.rate, s.taxable_amount, s.tax_amount)
                    for s in document.tax_subtotals
                    if s.rate is not None
                ),
            ),
        )
        return [("order", order.id), ("invoice", invoice.id)]
    if isinstance(document, doc.OrderChange):
        return _apply_order_change(uow, principal, document)
    if isinstance(document, doc.ReceivingAdvice):
        return _receipt(uow, principal, document)
    if isinstance(document, doc.InvoiceResponse):
        return _answer(uow, principal, document)
    kind = type(document).__name__
    raise InvalidInput("document", f"a {kind} is not accepted from your organization")


_REASONS = {reason.value: reason for reason in ReceiptReason}


def _receipt(uow: UnitOfWork, principal: Principal, document: doc.ReceivingAdvice) -> list[Link]:
    """A receiving partner's RECADV / 861 (issue #17.3): the goods receipt of its order, on the ship
    notice it names (by number; one the order does not have is refused). Who may send one is who may
    record one (`permissions.can_record_receipt`): a supplier's is refused."""
    order = _order_by_number(uow, principal, document.order_number)
    shipment_id = None
    if document.despatch_number:
        shipment_id = uow.session.scalar(
            select(Shipment.id).where(
                Shipment.order_id == order.id, Shipment.number == document.despatch_number
            )
        )
        if shipment_id is None:
            raise InvalidInput(
                "despatch_number", f"order {order.number} has no ship notice {document.despatch_number}"
            )
    receipt = receiving.record_goods_receipt(
        uow=uow,
        principal=principal,
        order_id=order.id,
        received_on=document.receipt_date,
        shipment_id=shipment_id,
        note=f"{document.number}",
        lines=[
            receiving.ReceiveLine(
                line_no=_line_no(order, line.order_line_id, line.line_id),
                quantity=line.quantity,
                damaged=line.quantity_damaged,
                reason=_REASONS.get(line.reason) if line.reason else None,
                note=line.note,
            )
            for line in document.lines
        ],
    )
    return [("order", order.id), ("goods_receipt", receipt.id)]


_REASON_CODES = {reason: reason.value for reason in ReceiptReason}


def receiving_advice(
    uow: UnitOfWork, principal: Principal, receipt_id: int
) -> tuple[doc.ReceivingAdvice, int, str]:
    """The receiving advice of one goods receipt for the order's supplier: every line counted, its
    damages, reason and note, and the ship notice it answers. Returns the document, the order's id
    and the receipt's reference (``WE-<id>``)."""
    receipt = get_visible(uow.session, principal, GoodsReceipt, receipt_id)
    order = orders.load_order(uow, principal, receipt.order_id)
    counted = uow.session.scalars(
        visible(principal, GoodsReceiptLine)
        .where(GoodsReceiptLine.receipt_id == receipt.id)
        .order_by(GoodsReceiptLine.id)
    ).all()
    by_id = {line.id: line for line in order.lines}
    despatch = (
        uow.session.scalar(select(Shipment.number).where(Shipment.id == receipt.shipment_id))
        if receipt.shipment_id is not None
        else None
    )
    owner = uow.session.scalars(select(Organization).where(Organization.kind == OrgKind.OWNER)).first()
    supplier = uow.session.get_one(Organization, receipt.supplier_id)
    assert owner is not None
    number = f"WE-{receipt.id}"
    lines = tuple(
        doc.ReceivingLine(
            line_id=str(by_id[c.order_line_id].line_no),
            quantity=c.quantity,
            unit=by_id[c.order_line_id].unit,
            quantity_damaged=c.quantity_damaged,
            order_line_id=str(by_id[c.order_line_id].line_no),
            gtin=by_id[c.order_line_id].gtin,
            supplier_article=None,
            buyer_article=by_id[c.order_line_id].sku,
            description=by_id[c.order_line_id].description,
            # more counted than was shipped needs no reason in the portal (it is flagged); the
            # supplier is told it was over-shipped (RECADV AC, 861 condition 03)
            reason=_REASON_CODES[c.reason] if c.reason else "over" if c.excess_quantity > 0 else None,
            note=c.note,
        )
        for c in counted
    )
    advice = doc.ReceivingAdvice(
        number=number,
        issue_date=receipt.created_at.date(),
        receipt_date=receipt.received_on,
        order_number=order.number,
        buyer=_party(owner),
        seller=_party(supplier),
        lines=lines,
        despatch_number=despatch,
    )
    return advice, order.id, number


def remittance_advice(
    uow: UnitOfWork, principal: Principal, payment_id: int
) -> tuple[doc.RemittanceAdvice, int, str]:
    """The remittance advice of one payment: the invoice it pays and, with the invoice's first
    payment, the credit notes taken off it (negative lines; the invoice's line then settles the
    payment and the credits together). Returns the document, the invoice's id and number."""
    payment = get_visible(uow.session, principal, InvoicePayment, payment_id)
    invoice = get_visible(uow.session, principal, Invoice, payment.invoice_id)
    earlier = uow.session.scalar(
        visible(principal, InvoicePayment)
        .with_only_columns(InvoicePayment.id)
        .where(InvoicePayment.invoice_id == invoice.id, InvoicePayment.id < payment.id)
        .limit(1)
    )
    credits = (
        []
        if earlier is not None
        else list(
            uow.session.scalars(
                visible(principal, CreditNote)
                .where(CreditNote.invoice_id == invoice.id)
                .order_by(CreditNote.id)
            )
        )
    )
    credited = sum((note.gross_total for note in credits), Decimal(0))
    lines = (
        doc.RemittanceLine(
            invoice.number, payment.amount + credited, invoice.gross_total, invoice.issue_date
        ),
        *(
            doc.RemittanceLine(note.number, -note.gross_total, note.gross_total, note.issue_date)
            for note in credits
        ),
    )
    owner = uow.session.scalars(select(Organization).where(Organization.kind == OrgKind.OWNER)).first()
    supplier = uow.session.get_one(Organization, invoice.supplier_id)
    assert owner is not None
    advice = doc.RemittanceAdvice(
        number=f"PAY-{payment.id}",  # the transfer's reference may be longer than BGM or TRN allow
        issue_date=payment.created_at.date(),
        payment_date=payment.paid_on,
        currency=invoice.currency,
        payer=_party(owner),
        payee=_party(supplier),
        total=payment.amount,
        lines=lines,
    )
    return advice, invoice.id, invoice.number


def _apply_order_change(uow: UnitOfWork, principal: Principal, document: doc.OrderChange) -> list[Link]:
    """A buyer's system changes an order it placed (the dealer that sold it): through the same
    service as the portal's change form. An order the sender does not have is NotFound."""
    order = _order_by_number(uow, principal, document.order_number)
    by_no = {line.line_no: line for line in order.lines}
    line_changes: list[changes.LineChange] = []
    added: list[orders.NewOrderLine] = []
    for line in document.lines:
        if line.action is not doc.ChangeAction.ADDED and _as_it_stands(line, by_no, order):
            continue
        if line.action is doc.ChangeAction.ADDED:
            if line.quantity is None:
                raise InvalidInput("quantity", f"added line {line.line_id} has no quantity")
            added.append(
                orders.NewOrderLine(
                    quantity=line.quantity,
                    product_id=_product_id(uow, line.gtin) if line.gtin and not line.buyer_article else None,
                    sku=line.buyer_article,
                    unit_price=line.unit_price,
                    requested_date=line.requested_date,
                )
            )
        elif line.action is doc.ChangeAction.CANCELLED:
            line_changes.append(changes.LineChange(_line_no(order, line.line_id), cancel=True))
        else:
            line_changes.append(
                changes.LineChange(
                    _line_no(order, line.line_id), quantity=line.quantity, requested_date=line.requested_date
                )
            )
    changes.change_order(
        uow=uow,
        principal=principal,
        order_id=order.id,
        changes=line_changes,
        added=added,
        note=document.note,
    )
    return [("order", order.id)]


def _as_it_stands(line: doc.OrderChangeLine, by_no: dict[int, OrderLine], order: Order) -> bool:
    """A line the change repeats as the order has it (some openTRANS systems list the whole order
    in an ORDERCHANGE; a cancelled line named again): left alone rather than refused as a change
    that changes nothing."""
    current = by_no.get(_line_no(order, line.line_id))
    if current is None:
        return False
    if line.action is doc.ChangeAction.CANCELLED:
        return current.cancelled
    return (
        not current.cancelled
        and (line.quantity is None or line.quantity == current.quantity_ordered)
        and (line.requested_date is None or line.requested_date == current.requested_date)
    )


def _product_id(uow: UnitOfWork, gtin: str) -> int | None:
    return uow.session.scalar(select(Product.id).where(Product.gtin == gtin))


def order_for_outbound(
    uow: UnitOfWork, principal: Principal, order_id: int
) -> tuple[Order, dict[int, Product]]:
    order = orders.load_order(uow, principal, order_id)
    ids = {line.product_id for line in order.lines if line.product_id is not None}
    products = {p.id: p for p in uow.session.scalars(select(Product).where(Product.id.in_(ids)))}
    return order, products


# The buyer's decisions on an invoice that go back to an EDI supplier (issue #17.4), as response codes.
DECISIONS = {
    "invoice.approved": doc.InvoiceResponseStatus.APPROVED,
    "invoice.disputed": doc.InvoiceResponseStatus.UNDER_QUERY,
    "invoice.rejected": doc.InvoiceResponseStatus.REJECTED,
    "invoice.paid": doc.InvoiceResponseStatus.PAID,
}
# Peppol clarification and action codes: a dispute asks for information (or a credit note), a
# rejection for a new invoice (the rejected one's quantities are billable again).
_CLARIFY = {
    doc.InvoiceResponseStatus.UNDER_QUERY: ("OTH", "PIN"),
    doc.InvoiceResponseStatus.REJECTED: ("OTH", "NIN"),
}


def invoice_response(
    uow: UnitOfWork, principal: Principal, invoice_id: int, kind: str, message_id: int | None, number: str
) -> tuple[doc.InvoiceResponse, Invoice]:
    """The buyer's decision ``kind`` (an ``invoice.*`` event) on one invoice, with the reason the
    reviewer wrote (the dispute or rejection message ``message_id``), numbered ``number``."""
    invoice = get_visible(uow.session, principal, Invoice, invoice_id)
    status = DECISIONS[kind]
    reason = None
    if message_id is not None:
        message = get_visible(uow.session, principal, InvoiceMessage, message_id)
        reason = message.body if message.invoice_id == invoice.id else None
    owner = uow.session.scalars(select(Organization).where(Organization.kind == OrgKind.OWNER)).first()
    supplier = uow.session.get_one(Organization, invoice.supplier_id)
    assert owner is not None
    codes = _CLARIFY.get(status, (None, None))
    response = doc.InvoiceResponse(
        number=number,
        issue_date=utcnow().date(),
        status=status,
        invoice_number=invoice.number,
        buyer=_party(owner),
        seller=_party(supplier),
        invoice_date=invoice.issue_date,
        reason=reason,
        reason_code=codes[0],
        action_code=codes[1],
    )
    return response, invoice


def _answer(uow: UnitOfWork, principal: Principal, document: doc.InvoiceResponse) -> list[Link]:
    """A supplier's system answers a dispute in the dispute's own message (COMDIS, 824 or Invoice
    Response back): its text becomes the supplier's answer in the invoice's thread."""
    invoice = invoicing.find_invoice(uow, principal, document.invoice_number)
    text = document.reason or f"{document.number}: {document.status.name.lower().replace('_', ' ')}"
    text = text[: invoicing.MAX_MESSAGE]
    invoicing.answer_dispute(uow=uow, principal=principal, invoice_id=invoice.id, message=text)
    return [("invoice", invoice.id)]
