"""openTRANS ORDERCHANGE <-> :class:`~edi.documents.OrderChange`.

openTRANS 2.1 lists in ORDERCHANGE_ITEM_LIST the order items the change touches, as ORDER_ITEMs
with the line's new values, and reverses an item (cancels it) by a negative QUANTITY referring to
the original item. It has no line action code, so the encoder writes one of its own in ITEM_UDX
(``UDX.ECRM.LINE_ACTION``: ``added``, ``changed`` or ``cancelled``), as it does for the
ORDERRESPONSE status. Without that field an item with a QUANTITY of zero or less is a cancellation
and any other item a change (openTRANS cannot tell an added line from a changed one: the receiver
knows which LINE_ITEM_IDs its order has).

A cancelled line's ``quantity`` is the quantity it reverses: written as its negative, read back as
a positive number; a cancellation without one is written as QUANTITY 0 and read back as ``None``.

ORDERCHANGE_SEQUENCE_ID (mandatory, from 1) is ``OrderChange.sequence``. openTRANS has no number of
its own for the change document: ``OrderChange.number`` is read as ``<ORDER_ID>-<sequence>``.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from edi.documents import ChangeAction, Envelope, OrderChange, OrderChangeLine
from edi.errors import EncodeError, MappingError
from edi.xml.opentrans._items import (
    Decoded,
    check_item_count,
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
from edi.xml.opentrans._order import write_currency
from edi.xml.opentrans._parties import (
    PartyIndex,
    other_parties,
    party_element,
    write_idref,
    write_other_parties,
)
from edi.xml.opentrans._read import children, date_of, decimal_of, find, position_of, require, text_of
from edi.xml.opentrans._udx import LINE_ACTION, udx_value
from edi.xml.opentrans._write import new_root, put, put_decimal, sub

__all__ = ["decode_order_change", "encode_order_change"]


def _action(item: etree._Element, quantity: Decimal) -> ChangeAction:
    container = find(item, "ITEM_UDX")
    value = udx_value(container, LINE_ACTION)
    if value is None:
        return ChangeAction.CANCELLED if quantity <= 0 else ChangeAction.CHANGED
    try:
        return ChangeAction(value)
    except ValueError:
        assert container is not None
        raise MappingError(
            f"{LINE_ACTION} {value!r} is not one of {', '.join(a.value for a in ChangeAction)}",
            position=position_of(container),
        ) from None


def _line(item: etree._Element) -> OrderChangeLine:
    line_id = line_id_of(item)
    quantity: Decimal | None = quantity_of(item, allow_zero=True, allow_negative=True)
    assert quantity is not None
    action = _action(item, quantity)
    if action is ChangeAction.CANCELLED:
        quantity = abs(quantity) or None  # the quantity reversed; 0 names none
    elif quantity <= 0:
        raise MappingError(
            f"QUANTITY {quantity} of line {line_id!r} ({action.value}) must be more than zero; "
            "a negative QUANTITY reverses (cancels) the item",
            position=position_of(require(item, "QUANTITY")),
        )
    product = product_of(item)
    return OrderChangeLine(
        line_id=line_id,
        action=action,
        quantity=quantity,
        unit=unit_of(item),
        gtin=product.gtin,
        supplier_article=product.supplier_article,
        buyer_article=product.buyer_article,
        description=product.description,
        unit_price=decimal_of(find(item, "PRODUCT_PRICE_FIX", "bme:PRICE_AMOUNT")),
        requested_date=delivery_date(item),
    )


def decode_order_change(root: etree._Element) -> Decoded:
    info = require(root, "ORDERCHANGE_HEADER", "ORDERCHANGE_INFO")
    index = PartyIndex(require(info, "PARTIES"))
    warnings = check_references(root, index)
    references = require(info, "ORDER_PARTIES_REFERENCE")
    buyer = index.resolve(require(references, "bme:BUYER_IDREF"), "buyer")
    seller = index.resolve(require(references, "bme:SUPPLIER_IDREF"), "supplier")
    items = list(children(require(root, "ORDERCHANGE_ITEM_LIST"), "ORDER_ITEM"))
    check_item_count(items, require(root, "ORDERCHANGE_SUMMARY"))
    order_number = text_of(require(info, "ORDER_ID")) or ""
    sequence_element = require(info, "ORDERCHANGE_SEQUENCE_ID")
    sequence = text_of(sequence_element)
    if sequence is None or not sequence.isdigit():
        raise MappingError(
            f"ORDERCHANGE_SEQUENCE_ID {sequence!r} is not a count (0, 1, 2, ...)",
            position=position_of(sequence_element),
        )
    change = OrderChange(
        number=f"{order_number}-{sequence}",
        order_number=order_number,
        issue_date=required_date(info, "ORDERCHANGE_DATE"),
        buyer=buyer.party,
        seller=seller.party,
        lines=tuple(_line(item) for item in items),
        sequence=sequence,
        order_date=date_of(find(info, "ORDER_DATE")),
        currency=text_of(find(info, "bme:CURRENCY")),
        note=remarks_of(info),
        other_parties=other_parties(index, buyer, seller),
    )
    if buyer.element is seller.element:
        warnings.append("BUYER_IDREF and SUPPLIER_IDREF name the same PARTY: buyer and seller are one party")
    return Decoded(change, sender=buyer, recipient=seller, warnings=warnings)


def encode_order_change(change: OrderChange, envelope: Envelope | None) -> etree._Element:
    if change.sequence is None or not change.sequence.isdigit():
        raise EncodeError(
            f"order change {change.number!r}: openTRANS ORDERCHANGE needs ORDERCHANGE_SEQUENCE_ID "
            f"(the change's count, from 1), not {change.sequence!r}"
        )
    if not change.lines:
        raise EncodeError(
            f"order change {change.number!r} has no lines; "
            "openTRANS ORDERCHANGE needs at least one ORDER_ITEM"
        )
    root = new_root("ORDERCHANGE")
    header = sub(root, "ORDERCHANGE_HEADER")
    write_control_info(header, envelope)
    info = sub(header, "ORDERCHANGE_INFO")
    sub(info, "ORDER_ID", change.order_number)
    put(info, "ORDERCHANGE_DATE", change.issue_date.isoformat())
    if change.order_date is not None:
        put(info, "ORDER_DATE", change.order_date.isoformat())
    sub(info, "ORDERCHANGE_SEQUENCE_ID", str(int(change.sequence)))
    parties = sub(info, "PARTIES")
    party_element(parties, change.buyer, "buyer", "supplier_specific", "buyer")
    party_element(parties, change.seller, "supplier", "buyer_specific", "seller")
    write_other_parties(parties, change.other_parties)
    references = sub(info, "ORDER_PARTIES_REFERENCE")
    write_idref(references, "bme:BUYER_IDREF", change.buyer, "buyer")
    write_idref(references, "bme:SUPPLIER_IDREF", change.seller, "seller")
    write_currency(info, change.currency)
    put(info, "REMARKS", change.note, type="general")
    item_list = sub(root, "ORDERCHANGE_ITEM_LIST")
    for line in change.lines:
        item = sub(item_list, "ORDER_ITEM")
        sub(item, "LINE_ITEM_ID", line.line_id)
        write_product_id(
            item,
            supplier_article=line.supplier_article,
            gtin=line.gtin,
            buyer_article=line.buyer_article,
            description=line.description,
        )
        write_quantity_unit(item, _quantity(line), line.unit, line.line_id)
        if line.unit_price is not None:
            put_decimal(sub(item, "PRODUCT_PRICE_FIX"), "bme:PRICE_AMOUNT", line.unit_price)
        write_delivery_date(item, line.requested_date)
        sub(sub(item, "ITEM_UDX"), LINE_ACTION, line.action.value)
    sub(sub(root, "ORDERCHANGE_SUMMARY"), "TOTAL_ITEM_NUM", str(len(change.lines)))
    return root


def _quantity(line: OrderChangeLine) -> Decimal:
    if line.action is ChangeAction.CANCELLED:
        if line.quantity is None or line.quantity == 0:
            return Decimal(0)
        if line.quantity < 0:
            raise EncodeError(f"cancelled line {line.line_id!r}: the quantity it reverses must be positive")
        return -line.quantity
    if line.quantity is None or line.quantity <= 0:
        raise EncodeError(
            f"line {line.line_id!r} ({line.action.value}) needs a quantity above zero; "
            "openTRANS ORDER_ITEM needs QUANTITY"
        )
    return line.quantity
