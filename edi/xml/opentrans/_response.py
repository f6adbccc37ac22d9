"""openTRANS ORDERRESPONSE <-> :class:`~edi.documents.OrderResponse`.

openTRANS has no accept/reject/change code. The answer is read from the UDX fields this codec
writes (``UDX.ECRM.RESPONSE_STATUS``, ``UDX.ECRM.LINE_STATUS``); without them a line with quantity
0 is rejected and every other line accepted (the portal compares quantities and dates with the
order), and the whole response is rejected when all lines are, changed when any line is not
accepted, else accepted. ``OrderResponse.number`` is SUPPLIER_ORDER_ID (the supplier's order
number), or ORDER_ID when the file has none.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

from lxml import etree

from edi.documents import (
    Envelope,
    LineStatus,
    OrderResponse,
    OrderResponseLine,
    ResponseStatus,
    ScheduleLine,
    schedule_of,
)
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
from edi.xml.opentrans._read import children, decimal_of, find, position_of, require, text_of
from edi.xml.opentrans._udx import LINE_STATUS, RESPONSE_STATUS, udx_value
from edi.xml.opentrans._write import new_root, put, put_decimal, sub

__all__ = ["decode_order_response", "encode_order_response"]

_S = TypeVar("_S", LineStatus, ResponseStatus)


def _status(container: etree._Element | None, name: str, kind: type[_S]) -> _S | None:
    value = udx_value(container, name)
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        assert container is not None
        raise MappingError(
            f"{name} {value!r} is not one of {', '.join(s.value for s in kind)}",
            position=position_of(container),
        ) from None


def decode_order_response(root: etree._Element) -> Decoded:
    info = require(root, "ORDERRESPONSE_HEADER", "ORDERRESPONSE_INFO")
    index = PartyIndex(require(info, "PARTIES"))
    unknown_parties = check_references(root, index)
    references = require(info, "ORDER_PARTIES_REFERENCE")
    buyer = index.resolve(require(references, "bme:BUYER_IDREF"), "buyer")
    seller = index.resolve(require(references, "bme:SUPPLIER_IDREF"), "supplier")
    items = list(children(require(root, "ORDERRESPONSE_ITEM_LIST"), "ORDERRESPONSE_ITEM"))
    check_item_count(items, require(root, "ORDERRESPONSE_SUMMARY"))
    lines = []
    for item in items:
        product = product_of(item)
        quantity = quantity_of(item, allow_zero=True)
        status = _status(find(item, "ITEM_UDX"), LINE_STATUS, LineStatus)
        if status is None:
            status = LineStatus.REJECTED if quantity == 0 else LineStatus.ACCEPTED
        schedule = _partial_deliveries(item)
        if schedule:  # a split line: PARTIAL_DELIVERY_LIST instead of one DELIVERY_DATE
            lines.append(
                OrderResponseLine(
                    line_id=line_id_of(item),
                    status=status,
                    quantity=sum((part.quantity for part in schedule), Decimal(0)),
                    unit=unit_of(item),
                    gtin=product.gtin,
                    supplier_article=product.supplier_article,
                    buyer_article=product.buyer_article,
                    unit_price=decimal_of(find(item, "PRODUCT_PRICE_FIX", "bme:PRICE_AMOUNT")),
                    promised_date=schedule[-1].delivery_date,
                    schedule=schedule,
                )
            )
            continue
        lines.append(
            OrderResponseLine(
                line_id=line_id_of(item),
                status=status,
                quantity=quantity,
                unit=unit_of(item),
                gtin=product.gtin,
                supplier_article=product.supplier_article,
                buyer_article=product.buyer_article,
                unit_price=decimal_of(find(item, "PRODUCT_PRICE_FIX", "bme:PRICE_AMOUNT")),
                promised_date=delivery_date(item),
            )
        )
    whole = _status(find(info, "HEADER_UDX"), RESPONSE_STATUS, ResponseStatus)
    if whole is None:
        if lines and all(line.status is LineStatus.REJECTED for line in lines):
            whole = ResponseStatus.REJECTED
        elif any(line.status is not LineStatus.ACCEPTED for line in lines):
            whole = ResponseStatus.CHANGED
        else:
            whole = ResponseStatus.ACCEPTED
    order_number = text_of(require(info, "ORDER_ID")) or ""
    response = OrderResponse(
        number=text_of(find(info, "SUPPLIER_ORDER_ID")) or order_number,
        order_number=order_number,
        issue_date=required_date(info, "ORDERRESPONSE_DATE"),
        status=whole,
        buyer=buyer.party,
        seller=seller.party,
        lines=tuple(lines),
        currency=text_of(find(info, "bme:CURRENCY")),
        note=remarks_of(info),
        other_parties=other_parties(index, buyer, seller),
    )
    return Decoded(response, sender=seller, recipient=buyer, warnings=unknown_parties)


def _partial_deliveries(item: etree._Element) -> tuple[ScheduleLine, ...]:
    """ORDERRESPONSE_ITEM/PARTIAL_DELIVERY_LIST: QUANTITY and DELIVERY_DATE per delivery."""
    listed = find(item, "PARTIAL_DELIVERY_LIST")
    if listed is None:
        return ()
    parts: list[tuple[Decimal, date]] = []
    for partial in children(listed, "PARTIAL_DELIVERY"):
        quantity = decimal_of(find(partial, "QUANTITY"))
        day = delivery_date(partial)
        if quantity is None or day is None:
            raise MappingError(
                "PARTIAL_DELIVERY needs a QUANTITY and a DELIVERY_DATE", position=position_of(partial)
            )
        parts.append((quantity, day))
    return schedule_of(parts)


def encode_order_response(response: OrderResponse, envelope: Envelope | None) -> etree._Element:
    if not response.lines:
        raise EncodeError(
            f"order response {response.number!r} has no lines; openTRANS ORDERRESPONSE needs at least one "
            "ORDERRESPONSE_ITEM (answer a rejected order line by line, with quantity 0)"
        )
    root = new_root("ORDERRESPONSE")
    header = sub(root, "ORDERRESPONSE_HEADER")
    write_control_info(header, envelope)
    info = sub(header, "ORDERRESPONSE_INFO")
    sub(info, "ORDER_ID", response.order_number)
    sub(info, "ORDERRESPONSE_DATE", response.issue_date.isoformat())
    sub(info, "SUPPLIER_ORDER_ID", response.number)
    parties = sub(info, "PARTIES")
    party_element(parties, response.buyer, "buyer", "supplier_specific", "buyer")
    party_element(parties, response.seller, "supplier", "buyer_specific", "seller")
    write_other_parties(parties, response.other_parties)
    references = sub(info, "ORDER_PARTIES_REFERENCE")
    write_idref(references, "bme:BUYER_IDREF", response.buyer, "buyer")
    write_idref(references, "bme:SUPPLIER_IDREF", response.seller, "seller")
    write_currency(info, response.currency)
    put(info, "REMARKS", response.note, type="general")
    sub(sub(info, "HEADER_UDX"), RESPONSE_STATUS, response.status.value)
    item_list = sub(root, "ORDERRESPONSE_ITEM_LIST")
    for line in response.lines:
        quantity = line.quantity
        if quantity is None:
            if line.status is not LineStatus.REJECTED:
                raise EncodeError(
                    f"order response line {line.line_id!r} ({line.status.value}) has no quantity; "
                    "openTRANS ORDERRESPONSE_ITEM needs QUANTITY"
                )
            quantity = Decimal(0)
        item = sub(item_list, "ORDERRESPONSE_ITEM")
        sub(item, "LINE_ITEM_ID", line.line_id)
        write_product_id(
            item, supplier_article=line.supplier_article, gtin=line.gtin, buyer_article=line.buyer_article
        )
        write_quantity_unit(item, quantity, line.unit, line.line_id)
        if line.unit_price is not None:
            put_decimal(sub(item, "PRODUCT_PRICE_FIX"), "bme:PRICE_AMOUNT", line.unit_price)
        if line.schedule:
            partials = sub(item, "PARTIAL_DELIVERY_LIST")
            for part in line.schedule:
                partial = sub(partials, "PARTIAL_DELIVERY")
                put_decimal(partial, "QUANTITY", part.quantity)
                write_delivery_date(partial, part.delivery_date)
        else:
            write_delivery_date(item, line.promised_date)
        sub(sub(item, "ITEM_UDX"), LINE_STATUS, line.status.value)
    sub(sub(root, "ORDERRESPONSE_SUMMARY"), "TOTAL_ITEM_NUM", str(len(response.lines)))
    return root
