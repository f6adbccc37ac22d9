"""UBL 2.1 OrderChange (Peppol BIS Advanced Ordering 3, T114) <-> OrderChange.

``cbc:ID`` names the change, ``cbc:SequenceNumberID`` counts the order's changes, and
``cac:OrderReference`` names the order (its ``cbc:ID`` and ``cbc:IssueDate``). Each line's
``cbc:LineStatusCode`` (UNCL 1229 as Peppol writes it, or UBL's own Added, Revised, Cancelled) says
what happens to it: 1 added, 3 changed, 2 deleted (cancelled). A line without one is read as
changed; one with 4 (no action) or NoStatus, listed for information, is left out. Dropped on decode
as for the Order: taxes, anticipated totals, validity period, delivery of the whole order.
"""

from __future__ import annotations

from lxml import etree

from edi.documents import ChangeAction, OrderChange, OrderChangeLine
from edi.errors import EncodeError, MappingError
from edi.xml._tree import position_of, serialize
from edi.xml.ubl._party import R, b, new_root, read_item_ids, write_item_ids, write_party
from edi.xml.ubl.order import required_party

__all__ = ["PEPPOL_ORDER_CHANGE", "decode_order_change", "encode_order_change"]

PEPPOL_ORDER_CHANGE = (
    "urn:fdc:peppol.eu:poacc:trns:order_change:3",
    "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3",
)
STATUS = {"1": ChangeAction.ADDED, "3": ChangeAction.CHANGED, "2": ChangeAction.CANCELLED}
_STATUS_OUT = {v: k for k, v in STATUS.items()}
_UBL_STATUS = {
    "Added": ChangeAction.ADDED,
    "Revised": ChangeAction.CHANGED,
    "Cancelled": ChangeAction.CANCELLED,
}
_UNCHANGED = frozenset({"4", "NoStatus"})


def _line(el: etree._Element) -> OrderChangeLine | None:
    item = R.first(el, "cac:LineItem")
    if item is None:
        raise MappingError("order line without cac:LineItem", position=position_of(el))
    code = R.text(item, "cbc:LineStatusCode")
    if code in _UNCHANGED:
        return None
    action = (STATUS.get(code) or _UBL_STATUS.get(code)) if code else ChangeAction.CHANGED
    if action is None:
        raise MappingError(
            f"cbc:LineStatusCode {code!r} is not a line change code (1 added, 3 changed, 2 deleted)",
            position=position_of(item),
        )
    qty = R.first(item, "cbc:Quantity")
    if qty is None and action is not ChangeAction.CANCELLED:
        raise MappingError("ordered quantity is missing: expected cbc:Quantity", position=position_of(item))
    goods = R.first(item, "cac:Item")
    gtin, supplier, buyer = read_item_ids(goods)
    period = R.first(item, "cac:Delivery/cac:RequestedDeliveryPeriod")
    return OrderChangeLine(
        line_id=R.required(item, "cbc:ID", "order line number"),
        action=action,
        quantity=R.decimal(item, "cbc:Quantity"),
        unit=(qty.get("unitCode") if qty is not None else None) or "C62",
        gtin=gtin,
        supplier_article=supplier,
        buyer_article=buyer,
        description=R.text(goods, "cbc:Name") or R.text(goods, "cbc:Description"),
        unit_price=R.decimal(item, "cac:Price/cbc:PriceAmount"),
        requested_date=R.date(period, "cbc:StartDate") or R.date(period, "cbc:EndDate"),
    )


def decode_order_change(root: etree._Element) -> OrderChange:
    """Map a UBL ``OrderChange`` root element."""
    issue = R.date(root, "cbc:IssueDate")
    if issue is None:
        raise MappingError("change issue date is missing: expected cbc:IssueDate", position=position_of(root))
    reference = R.first(root, "cac:OrderReference")
    if reference is None:
        raise MappingError(
            "the order changed is not named: expected cac:OrderReference/cbc:ID", position=position_of(root)
        )
    notes = [n.text.strip() for n in R.all(root, "cbc:Note") if n.text and n.text.strip()]
    lines = tuple(line for line in (_line(el) for el in R.all(root, "cac:OrderLine")) if line is not None)
    if not lines:
        raise MappingError("the change changes no cac:OrderLine", position=position_of(root))
    return OrderChange(
        number=R.required(root, "cbc:ID", "change number"),
        order_number=R.required(reference, "cbc:ID", "order number"),
        issue_date=issue,
        buyer=required_party(root, "cac:BuyerCustomerParty/cac:Party", "buyer"),
        seller=required_party(root, "cac:SellerSupplierParty/cac:Party", "seller"),
        lines=lines,
        sequence=R.text(root, "cbc:SequenceNumberID"),
        order_date=R.date(reference, "cbc:IssueDate"),
        currency=R.text(root, "cbc:DocumentCurrencyCode") or _price_currency(root),
        note="\n".join(notes) or None,
    )


def _price_currency(root: etree._Element) -> str | None:
    """The currency of the first line price, for a change that names no document currency (the
    UBL 2.1 example): a price is written with the document's currency."""
    for line in R.all(root, "cac:OrderLine"):
        price = R.first(line, "cac:LineItem/cac:Price/cbc:PriceAmount")
        if price is not None and price.get("currencyID"):
            return str(price.get("currencyID"))
    return None


def encode_order_change(change: OrderChange) -> bytes:
    """Write ``change`` as a Peppol BIS 3 UBL OrderChange."""
    if not change.lines:
        raise EncodeError(f"change {change.number} has no lines; a UBL OrderChange needs an OrderLine")
    bld = b("OrderChange")
    root = new_root(bld, "OrderChange")
    bld.sub(root, "cbc:CustomizationID", PEPPOL_ORDER_CHANGE[0])
    bld.sub(root, "cbc:ProfileID", PEPPOL_ORDER_CHANGE[1])
    bld.sub(root, "cbc:ID", change.number)
    bld.sub(root, "cbc:IssueDate", change.issue_date)
    bld.sub(root, "cbc:SequenceNumberID", change.sequence)
    bld.sub(root, "cbc:Note", change.note)
    bld.sub(root, "cbc:DocumentCurrencyCode", change.currency)
    reference = bld.el(root, "cac:OrderReference")
    bld.sub(reference, "cbc:ID", change.order_number)
    bld.sub(reference, "cbc:IssueDate", change.order_date)
    write_party(bld, bld.el(root, "cac:BuyerCustomerParty"), change.buyer)
    write_party(bld, bld.el(root, "cac:SellerSupplierParty"), change.seller)
    for line in change.lines:
        item = bld.el(bld.el(root, "cac:OrderLine"), "cac:LineItem")
        bld.sub(item, "cbc:ID", line.line_id)
        bld.sub(item, "cbc:LineStatusCode", _STATUS_OUT[line.action])
        if line.quantity is not None:
            bld.sub(item, "cbc:Quantity", line.quantity, unitCode=line.unit)
        if line.requested_date is not None:
            period = bld.el(bld.el(item, "cac:Delivery"), "cac:RequestedDeliveryPeriod")
            bld.sub(period, "cbc:StartDate", line.requested_date)
        if line.unit_price is not None:
            if not change.currency:
                raise EncodeError(
                    f"change {change.number} line {line.line_id}: a unit price needs the order currency"
                )
            bld.sub(bld.el(item, "cac:Price"), "cbc:PriceAmount", line.unit_price, currencyID=change.currency)
        goods = bld.el(item, "cac:Item")
        bld.sub(goods, "cbc:Name", line.description)
        write_item_ids(bld, goods, line.gtin, line.supplier_article, line.buyer_article)
    return serialize(root)
