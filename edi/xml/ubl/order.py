"""UBL 2.1 Order (Peppol BIS Ordering 3, T01) <-> PurchaseOrder.

Dropped on decode: allowances, taxes, anticipated totals, contract and document references. The
delivery party is read from ``cac:Delivery/cac:DeliveryParty`` and, for Peppol files that only carry
a location, from ``cac:DeliveryLocation`` (ID with scheme 0088 as GLN, address).
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from edi.documents import OrderLine, OrderPurpose, Party, PurchaseOrder
from edi.errors import EncodeError, MappingError
from edi.xml._tree import position_of, serialize
from edi.xml.ubl._party import (
    GLN_SCHEME,
    R,
    b,
    new_root,
    read_address,
    read_item_ids,
    read_party,
    write_item_ids,
    write_party,
)

__all__ = ["PEPPOL_ORDER", "decode_order", "encode_order", "required_party"]

PEPPOL_ORDER = ("urn:fdc:peppol.eu:poacc:trns:order:3", "urn:fdc:peppol.eu:poacc:bis:ordering:3")


def required_party(root: etree._Element, path: str, what: str) -> Party:
    party = read_party(R.first(root, path))
    if party is None:
        raise MappingError(f"{what} is missing: expected {path}", position=position_of(root))
    return party


def _delivery_party(delivery: etree._Element | None) -> Party | None:
    if delivery is None:
        return None
    party = read_party(R.first(delivery, "cac:DeliveryParty")) or Party()
    location = R.first(delivery, "cac:DeliveryLocation")
    if location is not None:
        ident = R.first(location, "cbc:ID")
        if ident is not None and ident.text and ident.text.strip():
            value = ident.text.strip()
            if ident.get("schemeID") == GLN_SCHEME and party.gln is None:
                party = replace(party, gln=value)
            elif ident.get("schemeID") != GLN_SCHEME and party.party_id is None:
                party = replace(party, party_id=value)
        if party.address is None:
            party = replace(party, address=read_address(R.first(location, "cac:Address")))
    return None if party == Party() else party


def _line(el: etree._Element) -> OrderLine:
    item = R.first(el, "cac:LineItem")
    if item is None:
        raise MappingError("order line without cac:LineItem", position=position_of(el))
    qty = R.first(item, "cbc:Quantity")
    if qty is None:
        raise MappingError("ordered quantity is missing: expected cbc:Quantity", position=position_of(item))
    goods = R.first(item, "cac:Item")
    gtin, supplier, buyer = read_item_ids(goods)
    period = R.first(item, "cac:Delivery/cac:RequestedDeliveryPeriod")
    return OrderLine(
        line_id=R.required(item, "cbc:ID", "order line number"),
        quantity=R.required_decimal(item, "cbc:Quantity", "ordered quantity"),
        unit=qty.get("unitCode") or "C62",
        gtin=gtin,
        supplier_article=supplier,
        buyer_article=buyer,
        description=R.text(goods, "cbc:Name") or R.text(goods, "cbc:Description"),
        unit_price=R.decimal(item, "cac:Price/cbc:PriceAmount"),
        requested_date=R.date(period, "cbc:StartDate") or R.date(period, "cbc:EndDate"),
    )


def decode_order(root: etree._Element) -> PurchaseOrder:
    """Map a UBL ``Order`` root element."""
    delivery = R.first(root, "cac:Delivery")
    period = R.first(delivery, "cac:RequestedDeliveryPeriod") if delivery is not None else None
    issue = R.date(root, "cbc:IssueDate")
    if issue is None:
        raise MappingError("order issue date is missing: expected cbc:IssueDate", position=position_of(root))
    notes = [n.text.strip() for n in R.all(root, "cbc:Note") if n.text and n.text.strip()]
    return PurchaseOrder(
        number=R.required(root, "cbc:ID", "order number"),
        issue_date=issue,
        buyer=required_party(root, "cac:BuyerCustomerParty/cac:Party", "buyer"),
        seller=required_party(root, "cac:SellerSupplierParty/cac:Party", "seller"),
        lines=tuple(_line(el) for el in R.all(root, "cac:OrderLine")),
        currency=R.text(root, "cbc:DocumentCurrencyCode"),
        delivery_party=_delivery_party(delivery),
        invoicee=read_party(R.first(root, "cac:AccountingCustomerParty/cac:Party")),
        requested_delivery_date=R.date(period, "cbc:StartDate") or R.date(period, "cbc:EndDate"),
        note="\n".join(notes) or None,
    )


def encode_order(order: PurchaseOrder) -> bytes:
    """Write ``order`` as a Peppol BIS 3 UBL Order."""
    if order.purpose is not OrderPurpose.ORIGINAL:
        raise EncodeError(f"order {order.number}: a UBL Order cannot carry a cancellation")
    if not order.lines:
        raise EncodeError(f"order {order.number} has no lines; a UBL Order needs at least one OrderLine")
    bld = b("Order")
    root = new_root(bld, "Order")
    bld.sub(root, "cbc:CustomizationID", PEPPOL_ORDER[0])
    bld.sub(root, "cbc:ProfileID", PEPPOL_ORDER[1])
    bld.sub(root, "cbc:ID", order.number)
    bld.sub(root, "cbc:IssueDate", order.issue_date)
    bld.sub(root, "cbc:Note", order.note)
    bld.sub(root, "cbc:DocumentCurrencyCode", order.currency)
    write_party(bld, bld.el(root, "cac:BuyerCustomerParty"), order.buyer)
    write_party(bld, bld.el(root, "cac:SellerSupplierParty"), order.seller)
    if order.invoicee is not None:
        write_party(bld, bld.el(root, "cac:AccountingCustomerParty"), order.invoicee)
    if order.delivery_party is not None or order.requested_delivery_date is not None:
        delivery = bld.el(root, "cac:Delivery")
        if order.requested_delivery_date is not None:
            bld.sub(
                bld.el(delivery, "cac:RequestedDeliveryPeriod"),
                "cbc:StartDate",
                order.requested_delivery_date,
            )
        if order.delivery_party is not None:
            write_party(bld, delivery, order.delivery_party, legal=False).tag = bld.qname("cac:DeliveryParty")
    for line in order.lines:
        item = bld.el(bld.el(root, "cac:OrderLine"), "cac:LineItem")
        bld.sub(item, "cbc:ID", line.line_id)
        bld.sub(item, "cbc:Quantity", line.quantity, unitCode=line.unit)
        if line.requested_date is not None:
            period = bld.el(bld.el(item, "cac:Delivery"), "cac:RequestedDeliveryPeriod")
            bld.sub(period, "cbc:StartDate", line.requested_date)
        if line.unit_price is not None:
            if not order.currency:
                raise EncodeError(
                    f"order {order.number} line {line.line_id}: a unit price needs the order currency"
                )
            bld.sub(bld.el(item, "cac:Price"), "cbc:PriceAmount", line.unit_price, currencyID=order.currency)
        goods = bld.el(item, "cac:Item")
        bld.sub(goods, "cbc:Name", line.description)
        write_item_ids(bld, goods, line.gtin, line.supplier_article, line.buyer_article)
    return serialize(root)
