"""openTRANS ORDER <-> :class:`~edi.documents.PurchaseOrder`."""

from __future__ import annotations

from lxml import etree

from edi.documents import Envelope, OrderLine, OrderPurpose, PurchaseOrder
from edi.errors import EncodeError
from edi.xml.opentrans._codes import CURRENCIES
from edi.xml.opentrans._items import (
    Decoded,
    check_item_count,
    check_line_total,
    check_references,
    delivery_date,
    line_id_of,
    product_of,
    quantity_of,
    remarks_of,
    required_date,
    unit_of,
    write_control_info,
    write_delivery_date,
    write_product_id,
    write_quantity_unit,
)
from edi.xml.opentrans._parties import (
    PartyIndex,
    other_parties,
    party_element,
    write_idref,
    write_other_parties,
)
from edi.xml.opentrans._read import children, decimal_of, find, require, text_of
from edi.xml.opentrans._write import new_root, put, put_decimal, sub

__all__ = ["decode_order", "encode_order", "write_currency"]


def decode_order(root: etree._Element) -> Decoded:
    info = require(root, "ORDER_HEADER", "ORDER_INFO")
    index = PartyIndex(require(info, "PARTIES"))
    warnings = check_references(root, index)
    references = require(info, "ORDER_PARTIES_REFERENCE")
    buyer = index.resolve(require(references, "bme:BUYER_IDREF"), "buyer")
    seller = index.resolve(require(references, "bme:SUPPLIER_IDREF"), "supplier")
    invoicee = index.optional(find(references, "INVOICE_RECIPIENT_IDREF"), "invoice_recipient", "buyer")
    delivery = index.declared_or_none(
        find(references, "SHIPMENT_PARTIES_REFERENCE", "DELIVERY_IDREF"), "delivery", "buyer"
    )
    items = list(children(require(root, "ORDER_ITEM_LIST"), "ORDER_ITEM"))
    summary = require(root, "ORDER_SUMMARY")
    check_item_count(items, summary)
    check_line_total(items, find(summary, "TOTAL_AMOUNT"))
    lines = []
    for item in items:
        product = product_of(item)
        lines.append(
            OrderLine(
                line_id=line_id_of(item),
                quantity=quantity_of(item),
                unit=unit_of(item),
                gtin=product.gtin,
                supplier_article=product.supplier_article,
                buyer_article=product.buyer_article,
                description=product.description,
                unit_price=decimal_of(find(item, "PRODUCT_PRICE_FIX", "bme:PRICE_AMOUNT")),
                requested_date=delivery_date(item),
            )
        )
    order = PurchaseOrder(
        number=text_of(require(info, "ORDER_ID")) or "",
        issue_date=required_date(info, "ORDER_DATE"),
        buyer=buyer.party,
        seller=seller.party,
        lines=tuple(lines),
        currency=text_of(find(info, "bme:CURRENCY")),
        # The buyer's own PARTY named again means "the buyer": kept as None, as the document says.
        delivery_party=None if delivery is None or delivery.element is buyer.element else delivery.party,
        invoicee=None if invoicee is None or invoicee.element is buyer.element else invoicee.party,
        requested_delivery_date=delivery_date(info),
        note=remarks_of(info),
        other_parties=other_parties(index, buyer, seller, delivery, invoicee),
    )
    if buyer.element is seller.element:
        warnings.append("BUYER_IDREF and SUPPLIER_IDREF name the same PARTY: buyer and seller are one party")
    return Decoded(order, sender=buyer, recipient=seller, warnings=warnings)


def write_currency(info: etree._Element, currency: str | None) -> None:
    if currency is None:
        return
    if currency not in CURRENCIES:
        raise EncodeError(f"currency {currency!r} is not in BMEcat 2005's currency list (dtCURRENCIES)")
    sub(info, "bme:CURRENCY", currency)


def encode_order(order: PurchaseOrder, envelope: Envelope | None) -> etree._Element:
    if order.purpose is not OrderPurpose.ORIGINAL:
        raise EncodeError(f"order {order.number}: openTRANS ORDER cannot carry a cancellation")
    root = new_root("ORDER", type="standard")
    header = sub(root, "ORDER_HEADER")
    write_control_info(header, envelope)
    info = sub(header, "ORDER_INFO")
    sub(info, "ORDER_ID", order.number)
    put(info, "ORDER_DATE", order.issue_date.isoformat())
    write_delivery_date(info, order.requested_delivery_date)
    parties = sub(info, "PARTIES")
    party_element(parties, order.buyer, "buyer", "supplier_specific", "buyer")
    party_element(parties, order.seller, "supplier", "buyer_specific", "seller")
    if order.invoicee is not None:
        party_element(parties, order.invoicee, "invoice_recipient", "supplier_specific", "invoicee")
    if order.delivery_party is not None:
        party_element(parties, order.delivery_party, "delivery", "supplier_specific", "delivery party")
    write_other_parties(parties, order.other_parties)
    references = sub(info, "ORDER_PARTIES_REFERENCE")
    write_idref(references, "bme:BUYER_IDREF", order.buyer, "buyer")
    write_idref(references, "bme:SUPPLIER_IDREF", order.seller, "seller")
    if order.invoicee is not None:
        write_idref(references, "INVOICE_RECIPIENT_IDREF", order.invoicee, "invoicee")
    if order.delivery_party is not None:
        shipment = sub(references, "SHIPMENT_PARTIES_REFERENCE")
        write_idref(shipment, "DELIVERY_IDREF", order.delivery_party, "delivery party")
    write_currency(info, order.currency)
    put(info, "REMARKS", order.note, type="general")
    if not order.lines:
        raise EncodeError(
            f"order {order.number!r} has no lines; openTRANS ORDER needs at least one ORDER_ITEM"
        )
    item_list = sub(root, "ORDER_ITEM_LIST")
    for line in order.lines:
        item = sub(item_list, "ORDER_ITEM")
        sub(item, "LINE_ITEM_ID", line.line_id)
        write_product_id(
            item,
            supplier_article=line.supplier_article,
            gtin=line.gtin,
            buyer_article=line.buyer_article,
            description=line.description,
        )
        write_quantity_unit(item, line.quantity, line.unit, line.line_id)
        if line.unit_price is not None:
            put_decimal(sub(item, "PRODUCT_PRICE_FIX"), "bme:PRICE_AMOUNT", line.unit_price)
        write_delivery_date(item, line.requested_date)
    summary = sub(root, "ORDER_SUMMARY")
    sub(summary, "TOTAL_ITEM_NUM", str(len(order.lines)))
    return root
