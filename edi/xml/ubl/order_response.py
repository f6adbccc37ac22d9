"""UBL 2.1 OrderResponse (Peppol BIS 3, T76) and OrderResponseSimple <-> OrderResponse.

Codes: the whole-order answer is UNCL 4343 in ``cbc:OrderResponseCode`` (AP accepted, RE rejected,
CA conditionally accepted = changed; AB "acknowledged" is read as accepted). The line answer is
UNCL 1229 in ``cbc:LineStatusCode`` (5 and 4 accepted, 7 and 2 rejected, 3 and 1 changed).
A line without a status inherits the whole-order answer. OrderResponseSimple is read only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from edi.documents import LineStatus, OrderResponse, OrderResponseLine, ResponseStatus, schedule_of
from edi.errors import EncodeError, MappingError
from edi.xml._tree import position_of, serialize
from edi.xml.ubl._party import R, b, new_root, read_item_ids, write_item_ids, write_party
from edi.xml.ubl.order import required_party

__all__ = ["decode_order_response", "decode_order_response_simple", "encode_order_response"]

PEPPOL_ORDER_RESPONSE = (
    "urn:fdc:peppol.eu:poacc:trns:order_response:3",
    "urn:fdc:peppol.eu:poacc:bis:ordering:3",
)
_HEADER = {
    "AP": ResponseStatus.ACCEPTED,
    "AB": ResponseStatus.ACCEPTED,
    "RE": ResponseStatus.REJECTED,
    "CA": ResponseStatus.CHANGED,
}
_HEADER_OUT = {ResponseStatus.ACCEPTED: "AP", ResponseStatus.REJECTED: "RE", ResponseStatus.CHANGED: "CA"}
_LINE = {
    "5": LineStatus.ACCEPTED,
    "4": LineStatus.ACCEPTED,
    "7": LineStatus.REJECTED,
    "2": LineStatus.REJECTED,
    "3": LineStatus.CHANGED,
    "1": LineStatus.CHANGED,
    # UBL 2.1 default LineStatusCode list (OASIS samples)
    "Added": LineStatus.CHANGED,
    "Revised": LineStatus.CHANGED,
    "Disputed": LineStatus.CHANGED,
    "Cancelled": LineStatus.REJECTED,
}
_NO_STATUS = "NoStatus"
_LINE_OUT = {LineStatus.ACCEPTED: "5", LineStatus.REJECTED: "7", LineStatus.CHANGED: "3"}


def _line(el: etree._Element, default: LineStatus) -> OrderResponseLine:
    item = R.first(el, "cac:LineItem")
    if item is None:
        raise MappingError("order response line without cac:LineItem", position=position_of(el))
    code = R.text(item, "cbc:LineStatusCode")
    code = None if code == _NO_STATUS else code
    if code is not None and code not in _LINE:
        raise MappingError(
            f"line status code {code!r} is not one of {sorted(_LINE)} (UNCL 1229)", position=position_of(item)
        )
    qty = R.first(item, "cbc:Quantity")
    period = R.first(item, "cac:Delivery/cac:PromisedDeliveryPeriod")
    gtin, supplier, buyer = read_item_ids(R.first(item, "cac:Item"))
    # A split line: one cac:Delivery per delivery, with its quantity and promised period.
    parts: list[tuple[Decimal, date]] = []
    for delivery in R.all(item, "cac:Delivery"):
        amount = R.decimal(delivery, "cbc:Quantity")
        when = R.first(delivery, "cac:PromisedDeliveryPeriod")
        day = R.date(when, "cbc:StartDate") or R.date(when, "cbc:EndDate")
        if amount is not None and day is not None:
            parts.append((amount, day))
    schedule = schedule_of(parts) if len(parts) == len(R.all(item, "cac:Delivery")) else ()
    if schedule:
        return OrderResponseLine(
            line_id=R.text(el, "cac:OrderLineReference/cbc:LineID")
            or R.required(item, "cbc:ID", "line number"),
            status=_LINE[code] if code is not None else default,
            quantity=sum((part.quantity for part in schedule), Decimal(0)),
            unit=(qty.get("unitCode") if qty is not None else None) or "C62",
            gtin=gtin,
            supplier_article=supplier,
            buyer_article=buyer,
            unit_price=R.decimal(item, "cac:Price/cbc:PriceAmount"),
            promised_date=schedule[-1].delivery_date,
            schedule=schedule,
        )
    return OrderResponseLine(
        line_id=R.text(el, "cac:OrderLineReference/cbc:LineID") or R.required(item, "cbc:ID", "line number"),
        status=_LINE[code] if code is not None else default,
        quantity=R.decimal(item, "cbc:Quantity"),
        unit=(qty.get("unitCode") if qty is not None else None) or "C62",
        gtin=gtin,
        supplier_article=supplier,
        buyer_article=buyer,
        unit_price=R.decimal(item, "cac:Price/cbc:PriceAmount"),
        promised_date=R.date(period, "cbc:StartDate") or R.date(period, "cbc:EndDate"),
    )


def decode_order_response(root: etree._Element) -> OrderResponse:
    """Map a UBL ``OrderResponse`` root element."""
    code = R.text(root, "cbc:OrderResponseCode")
    if code is not None and code not in _HEADER:
        raise MappingError(
            f"order response code {code!r} is not one of {sorted(_HEADER)} (UNCL 4343)",
            position=position_of(root),
        )
    header = _HEADER[code] if code is not None else None
    default = LineStatus(header.value) if header is not None else LineStatus.ACCEPTED
    lines = tuple(_line(el, default) for el in R.all(root, "cac:OrderLine"))
    if header is None:  # no code: derive the answer from the lines
        states = {line.status for line in lines}
        header = (
            ResponseStatus.REJECTED
            if states == {LineStatus.REJECTED}
            else ResponseStatus.ACCEPTED
            if states <= {LineStatus.ACCEPTED}
            else ResponseStatus.CHANGED
        )
    issue = R.date(root, "cbc:IssueDate")
    if issue is None:
        raise MappingError("issue date is missing: expected cbc:IssueDate", position=position_of(root))
    notes = [n.text.strip() for n in R.all(root, "cbc:Note") if n.text and n.text.strip()]
    return OrderResponse(
        number=R.required(root, "cbc:ID", "order response number"),
        order_number=R.required(root, "cac:OrderReference/cbc:ID", "referenced order number"),
        issue_date=issue,
        status=header,
        buyer=required_party(root, "cac:BuyerCustomerParty/cac:Party", "buyer"),
        seller=required_party(root, "cac:SellerSupplierParty/cac:Party", "seller"),
        lines=lines,
        currency=R.text(root, "cbc:DocumentCurrencyCode"),
        note="\n".join(notes) or None,
    )


def decode_order_response_simple(root: etree._Element) -> OrderResponse:
    """Map a UBL ``OrderResponseSimple`` (accepted or rejected as a whole, no lines)."""
    accepted = R.required(root, "cbc:AcceptedIndicator", "accepted indicator").lower() == "true"
    issue = R.date(root, "cbc:IssueDate")
    if issue is None:
        raise MappingError("issue date is missing: expected cbc:IssueDate", position=position_of(root))
    notes = [n.text.strip() for n in R.all(root, "cbc:Note") if n.text and n.text.strip()]
    rejection = R.text(root, "cbc:RejectionNote")
    return OrderResponse(
        number=R.required(root, "cbc:ID", "order response number"),
        order_number=R.required(root, "cac:OrderReference/cbc:ID", "referenced order number"),
        issue_date=issue,
        status=ResponseStatus.ACCEPTED if accepted else ResponseStatus.REJECTED,
        buyer=required_party(root, "cac:BuyerCustomerParty/cac:Party", "buyer"),
        seller=required_party(root, "cac:SellerSupplierParty/cac:Party", "seller"),
        note="\n".join([*notes, *([rejection] if rejection else [])]) or None,
    )


def encode_order_response(response: OrderResponse) -> bytes:
    """Write ``response`` as a Peppol BIS 3 UBL OrderResponse."""
    bld = b("OrderResponse")
    root = new_root(bld, "OrderResponse")
    bld.sub(root, "cbc:CustomizationID", PEPPOL_ORDER_RESPONSE[0])
    bld.sub(root, "cbc:ProfileID", PEPPOL_ORDER_RESPONSE[1])
    bld.sub(root, "cbc:ID", response.number)
    bld.sub(root, "cbc:IssueDate", response.issue_date)
    bld.sub(root, "cbc:OrderResponseCode", _HEADER_OUT[response.status])
    bld.sub(root, "cbc:Note", response.note)
    bld.sub(root, "cbc:DocumentCurrencyCode", response.currency)
    bld.sub(bld.el(root, "cac:OrderReference"), "cbc:ID", response.order_number)
    write_party(bld, bld.el(root, "cac:SellerSupplierParty"), response.seller)
    write_party(bld, bld.el(root, "cac:BuyerCustomerParty"), response.buyer)
    for line in response.lines:
        order_line = bld.el(root, "cac:OrderLine")
        item = bld.el(order_line, "cac:LineItem")
        bld.sub(item, "cbc:ID", line.line_id)
        bld.sub(item, "cbc:LineStatusCode", _LINE_OUT[line.status])
        bld.sub(item, "cbc:Quantity", line.quantity, unitCode=line.unit)
        for part in line.schedule:  # a split line: one cac:Delivery per delivery (UBL 2.1: 0..n)
            delivery = bld.el(item, "cac:Delivery")
            bld.sub(delivery, "cbc:Quantity", part.quantity, unitCode=line.unit)
            bld.sub(bld.el(delivery, "cac:PromisedDeliveryPeriod"), "cbc:StartDate", part.delivery_date)
        if line.promised_date is not None and not line.schedule:
            period = bld.el(bld.el(item, "cac:Delivery"), "cac:PromisedDeliveryPeriod")
            bld.sub(period, "cbc:StartDate", line.promised_date)
        if line.unit_price is not None:
            if not response.currency:
                raise EncodeError(
                    f"order response {response.number} line {line.line_id}: a unit price needs the currency"
                )
            bld.sub(
                bld.el(item, "cac:Price"), "cbc:PriceAmount", line.unit_price, currencyID=response.currency
            )
        write_item_ids(bld, bld.el(item, "cac:Item"), line.gtin, line.supplier_article, line.buyer_article)
        bld.sub(bld.el(order_line, "cac:OrderLineReference"), "cbc:LineID", line.line_id)
    return serialize(root)
