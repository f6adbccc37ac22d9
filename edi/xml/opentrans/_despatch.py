"""openTRANS DISPATCHNOTIFICATION <-> :class:`~edi.documents.DespatchAdvice`.

Packages: an item belongs to the PACKAGE named in its own LOGISTIC_DETAILS; items without one belong
to the single shipment-level PACKAGE when the header declares exactly one, else to a package without
id. A PACKAGE_ID is used as SSCC only when it is 18 digits with a valid GS1 check digit;
PACKAGE_DESCR is the package type. The carrier is REMARKS type="transport" (or "delivererCode"),
else the name of the DELIVERER_IDREF party; the tracking number is SHIPMENT_ID.
"""

from __future__ import annotations

from lxml import etree

from edi.documents import DespatchAdvice, DespatchLine, Envelope, Package, Party
from edi.errors import EncodeError, MappingError
from edi.xml.opentrans._codes import gs1_check_digit_ok
from edi.xml.opentrans._items import (
    Decoded,
    check_item_count,
    check_references,
    delivery_date,
    line_id_of,
    product_of,
    quantity_of,
    unit_of,
    write_control_info,
    write_delivery_date,
    write_product_id,
    write_quantity_unit,
)
from edi.xml.opentrans._parties import (
    DeclaredParty,
    PartyIndex,
    other_parties,
    party_element,
    write_idref,
    write_other_parties,
)
from edi.xml.opentrans._read import children, date_of, find, position_of, require, text_of
from edi.xml.opentrans._write import new_root, put, sub

__all__ = ["decode_despatch", "encode_despatch"]

_CARRIER_REMARKS = ("transport", "delivererCode")
_PackageKey = tuple[str | None, str | None]


def _sscc(package_id: str | None) -> str | None:
    if package_id is not None and len(package_id) == 18 and gs1_check_digit_ok(package_id):
        return package_id
    return None


def _package_key(package: etree._Element | None) -> _PackageKey:
    if package is None:
        return (None, None)
    return (text_of(find(package, "PACKAGE_ID")), text_of(find(package, "PACKAGE_DESCR")))


def _buyer(index: PartyIndex, info: etree._Element) -> DeclaredParty:
    reference = find(info, "bme:BUYER_IDREF")
    if reference is not None:
        return index.resolve(reference, "buyer", "customer")
    for role in ("buyer", "customer"):
        for declared in index.declared:
            if role in declared.roles:
                return declared
    raise MappingError(
        "DISPATCHNOTIFICATION names no buyer: no BUYER_IDREF and no PARTY with PARTY_ROLE buyer or customer",
        position=position_of(info),
    )


def _carrier(info: etree._Element, index: PartyIndex) -> str | None:
    for remark in children(info, "REMARKS"):
        if remark.get("type") in _CARRIER_REMARKS and (text := text_of(remark)):
            return text
    deliverer = index.declared_or_none(
        find(info, "SHIPMENT_PARTIES_REFERENCE", "DELIVERER_IDREF"), "deliverer"
    )
    if deliverer is None:
        return None
    contact = deliverer.party.contact
    return deliverer.party.name or (contact.name if contact is not None else None)


def decode_despatch(root: etree._Element) -> Decoded:
    header = require(root, "DISPATCHNOTIFICATION_HEADER")
    info = require(header, "DISPATCHNOTIFICATION_INFO")
    index = PartyIndex(require(info, "PARTIES"))
    unknown_parties = check_references(root, index)
    seller = index.resolve(require(info, "bme:SUPPLIER_IDREF"), "supplier")
    buyer = _buyer(index, info)
    delivery = index.declared_or_none(
        require(info, "SHIPMENT_PARTIES_REFERENCE", "DELIVERY_IDREF"), "delivery", "buyer", "customer"
    )
    items = list(children(require(root, "DISPATCHNOTIFICATION_ITEM_LIST"), "DISPATCHNOTIFICATION_ITEM"))
    check_item_count(items, require(root, "DISPATCHNOTIFICATION_SUMMARY"))
    shipment_packages = list(children(find(info, "LOGISTIC_DETAILS_INFO", "PACKAGE_INFO"), "PACKAGE"))
    default_key = _package_key(shipment_packages[0]) if len(shipment_packages) == 1 else (None, None)
    warnings: list[str] = list(unknown_parties)
    grouped: dict[_PackageKey, list[DespatchLine]] = {}
    order_numbers: dict[str, etree._Element] = {}
    for item in items:
        reference = require(item, "ORDER_REFERENCE")
        order_id = text_of(require(reference, "ORDER_ID")) or ""
        order_numbers.setdefault(order_id, reference)
        product = product_of(item)
        line = DespatchLine(
            line_id=line_id_of(item),
            quantity=quantity_of(item),
            unit=unit_of(item),
            order_line_id=text_of(require(reference, "LINE_ITEM_ID")),
            gtin=product.gtin,
            supplier_article=product.supplier_article,
            buyer_article=product.buyer_article,
            description=product.description,
            batch_number=product.batch_number,
        )
        own = find(item, "LOGISTIC_DETAILS", "PACKAGE_INFO", "PACKAGE")
        key = _package_key(own) if own is not None else default_key
        grouped.setdefault(key, []).append(line)
    if len(order_numbers) > 1:
        names = ", ".join(repr(n) for n in order_numbers)
        raise MappingError(
            f"DISPATCHNOTIFICATION covers several orders ({names}); send one dispatch notification per order",
            position=position_of(list(order_numbers.values())[1]),
        )
    for package_id, _ in grouped:
        if package_id is not None and _sscc(package_id) is None:
            warnings.append(
                f"PACKAGE_ID {package_id!r} is not an SSCC (18 digits, GS1 check digit); not kept"
            )
    issue_date = date_of(find(info, "DISPATCHNOTIFICATION_DATE")) or date_of(
        find(header, "CONTROL_INFO", "GENERATION_DATE")
    )
    if issue_date is None:
        raise MappingError(
            "DISPATCHNOTIFICATION has neither DISPATCHNOTIFICATION_DATE nor GENERATION_DATE",
            position=position_of(info),
        )
    advice = DespatchAdvice(
        number=text_of(require(info, "DISPATCHNOTIFICATION_ID")) or "",
        order_number=next(iter(order_numbers)),
        issue_date=issue_date,
        buyer=buyer.party,
        seller=seller.party,
        packages=tuple(
            Package(lines=tuple(lines), sscc=_sscc(key[0]), package_type=key[1])
            for key, lines in grouped.items()
        ),
        ship_to=None if delivery is None or delivery.element is buyer.element else delivery.party,
        expected_delivery_date=delivery_date(info),
        carrier=_carrier(info, index),
        tracking_number=text_of(find(info, "SHIPMENT_ID")),
        other_parties=other_parties(index, buyer, seller, delivery),
    )
    return Decoded(advice, sender=seller, recipient=buyer, warnings=warnings)


def encode_despatch(advice: DespatchAdvice, envelope: Envelope | None) -> etree._Element:
    if not advice.lines:
        raise EncodeError(
            f"despatch advice {advice.number!r} has no lines; openTRANS needs at least one item"
        )
    root = new_root("DISPATCHNOTIFICATION")
    header = sub(root, "DISPATCHNOTIFICATION_HEADER")
    write_control_info(header, envelope)
    info = sub(header, "DISPATCHNOTIFICATION_INFO")
    sub(info, "DISPATCHNOTIFICATION_ID", advice.number)
    sub(info, "DISPATCHNOTIFICATION_DATE", advice.issue_date.isoformat())
    write_delivery_date(info, advice.expected_delivery_date)
    ship_to: Party = advice.ship_to if advice.ship_to is not None else advice.buyer
    parties = sub(info, "PARTIES")
    party_element(parties, advice.seller, "supplier", "buyer_specific", "seller")
    party_element(parties, advice.buyer, "buyer", "supplier_specific", "buyer")
    if advice.ship_to is not None:
        party_element(parties, advice.ship_to, "delivery", "supplier_specific", "ship-to party")
    write_other_parties(parties, advice.other_parties)
    write_idref(info, "bme:SUPPLIER_IDREF", advice.seller, "seller")
    write_idref(info, "bme:BUYER_IDREF", advice.buyer, "buyer")
    write_idref(sub(info, "SHIPMENT_PARTIES_REFERENCE"), "DELIVERY_IDREF", ship_to, "ship-to party")
    put(info, "SHIPMENT_ID", advice.tracking_number)
    put(info, "REMARKS", advice.carrier, type="transport")
    item_list = sub(root, "DISPATCHNOTIFICATION_ITEM_LIST")
    for package in advice.packages:
        for line in package.lines:
            if line.order_line_id is None:
                raise EncodeError(
                    f"despatch line {line.line_id!r} has no order_line_id; "
                    "openTRANS ORDER_REFERENCE needs the order's LINE_ITEM_ID"
                )
            item = sub(item_list, "DISPATCHNOTIFICATION_ITEM")
            sub(item, "LINE_ITEM_ID", line.line_id)
            write_product_id(
                item,
                supplier_article=line.supplier_article,
                gtin=line.gtin,
                buyer_article=line.buyer_article,
                description=line.description,
                batch_number=line.batch_number,
            )
            write_quantity_unit(item, line.quantity, line.unit, line.line_id)
            reference = sub(item, "ORDER_REFERENCE")
            sub(reference, "ORDER_ID", advice.order_number)
            sub(reference, "LINE_ITEM_ID", line.order_line_id)
            write_idref(sub(item, "SHIPMENT_PARTIES_REFERENCE"), "DELIVERY_IDREF", ship_to, "ship-to party")
            if package.sscc is not None or package.package_type is not None:
                if package.sscc is not None and _sscc(package.sscc) is None:
                    raise EncodeError(
                        f"package SSCC {package.sscc!r} is not 18 digits with a valid check digit"
                    )
                box = sub(sub(sub(item, "LOGISTIC_DETAILS"), "PACKAGE_INFO"), "PACKAGE")
                put(box, "PACKAGE_ID", package.sscc, type="sscc")
                put(box, "PACKAGE_DESCR", package.package_type)
    sub(sub(root, "DISPATCHNOTIFICATION_SUMMARY"), "TOTAL_ITEM_NUM", str(len(advice.lines)))
    return root
