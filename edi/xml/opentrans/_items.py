"""Pieces every openTRANS document shares: item product ids, quantities and units, delivery dates,
remarks, the item count and party-reference checks, and the common header blocks on write."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lxml import etree

from edi.documents import Document, Envelope
from edi.errors import EncodeError, MappingError
from edi.xml.opentrans._codes import UNITS, gs1_check_digit_ok
from edi.xml.opentrans._parties import DeclaredParty, PartyIndex
from edi.xml.opentrans._read import (
    children,
    date_of,
    decimal_of,
    find,
    local_name,
    position_of,
    require,
    text_of,
)
from edi.xml.opentrans._write import decimal_text, put, put_date, sub

__all__ = [
    "Decoded",
    "Product",
    "check_item_count",
    "check_line_total",
    "check_references",
    "delivery_date",
    "line_id_of",
    "product_of",
    "quantity_of",
    "remarks_of",
    "required_date",
    "unit_of",
    "write_control_info",
    "write_delivery_date",
    "write_product_id",
    "write_quantity_unit",
]

_GTIN_TYPES = frozenset({"gtin", "ean", "upc"})
_PARTY_REFERENCES = frozenset(
    {
        "BUYER_IDREF",
        "SUPPLIER_IDREF",
        "INVOICE_RECIPIENT_IDREF",
        "INVOICE_ISSUER_IDREF",
        "DELIVERY_IDREF",
        "FINAL_DELIVERY_IDREF",
        "DELIVERER_IDREF",
        "PAYER_IDREF",
        "REMITTEE_IDREF",
        "DOCUMENT_ISSUER_IDREF",
        "DOCUMENT_RECIPIENT_IDREF",
        "VERIFICATION_PARTY_IDREF",
    }
)
_DELIVERY_REFERENCES = frozenset({"DELIVERY_IDREF", "FINAL_DELIVERY_IDREF", "DELIVERER_IDREF"})
# IDREFs below these name catalog or agreement parties, which need not be parties of this document.
_FOREIGN_SCOPES = frozenset({"PRODUCT_ID", "SOURCING_INFO", "AGREEMENT", "CATALOG_REFERENCE"})
_AMOUNT_TOLERANCE = Decimal("0.01")


@dataclass
class Decoded:
    """A decoded document with the parties its envelope is taken from."""

    document: Document
    sender: DeclaredParty
    recipient: DeclaredParty
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Product:
    supplier_article: str | None
    buyer_article: str | None
    gtin: str | None
    description: str | None
    batch_number: str | None


def product_of(item: etree._Element) -> Product:
    product = require(item, "PRODUCT_ID")
    gtin: str | None = None
    for pid in children(product, "bme:INTERNATIONAL_PID"):
        if (pid.get("type") or "").lower() not in _GTIN_TYPES or gtin is not None:
            continue
        gtin = text_of(pid)
        if gtin is not None and (len(gtin) not in (8, 12, 13, 14) or not gs1_check_digit_ok(gtin)):
            raise MappingError(
                f"INTERNATIONAL_PID {gtin!r} of type {pid.get('type')!r} is not a GTIN "
                "(8, 12, 13 or 14 digits with a valid GS1 check digit)",
                position=position_of(pid),
            )
    return Product(
        supplier_article=text_of(find(product, "bme:SUPPLIER_PID")),
        buyer_article=text_of(find(product, "bme:BUYER_PID")),
        gtin=gtin,
        description=text_of(find(product, "bme:DESCRIPTION_SHORT"))
        or text_of(find(product, "bme:DESCRIPTION_LONG")),
        batch_number=text_of(find(product, "LOT_NUMBER")),
    )


def line_id_of(item: etree._Element) -> str:
    value = text_of(require(item, "LINE_ITEM_ID"))
    if value is None:
        raise MappingError("LINE_ITEM_ID is empty", position=position_of(item))
    return value


def quantity_of(item: etree._Element, *, allow_zero: bool = False, allow_negative: bool = False) -> Decimal:
    element = require(item, "QUANTITY")
    quantity = decimal_of(element)
    if quantity is None:
        raise MappingError("QUANTITY is empty", position=position_of(element))
    if (quantity < 0 and not allow_negative) or (quantity == 0 and not allow_zero):
        wanted = "zero or more" if allow_zero else "more than zero"
        raise MappingError(
            f"QUANTITY {quantity} of line {text_of(find(item, 'LINE_ITEM_ID'))!r} must be {wanted}",
            position=position_of(element),
        )
    return quantity


def unit_of(item: etree._Element) -> str:
    element = require(item, "bme:ORDER_UNIT")
    unit = text_of(element) or ""
    if unit not in UNITS:
        raise MappingError(
            f"ORDER_UNIT {unit!r} is not a UN/ECE Recommendation 20 unit code (BMEcat 2005 dtPUNIT)",
            position=position_of(element),
        )
    return unit


def delivery_date(parent: etree._Element | None) -> date | None:
    """The latest date of a DELIVERY_DATE window (start and end are equal for a fixed date)."""
    window = find(parent, "DELIVERY_DATE") if parent is not None else None
    if window is None:
        return None
    return date_of(find(window, "DELIVERY_END_DATE")) or date_of(find(window, "DELIVERY_START_DATE"))


def required_date(parent: etree._Element, name: str) -> date:
    element = require(parent, name)
    value = date_of(element)
    if value is None:
        raise MappingError(f"{name} is empty", position=position_of(element))
    return value


def remarks_of(parent: etree._Element, *, exclude: Iterable[str] = ()) -> str | None:
    skip = set(exclude)
    texts = [text for r in children(parent, "REMARKS") if r.get("type") not in skip and (text := text_of(r))]
    return "\n".join(texts) or None


def check_item_count(items: Sequence[etree._Element], summary: etree._Element) -> None:
    element = require(summary, "TOTAL_ITEM_NUM")
    declared = decimal_of(element)
    if declared != len(items):
        raise MappingError(
            f"TOTAL_ITEM_NUM says {declared} items but the item list holds {len(items)}",
            position=position_of(element),
        )
    seen: set[str] = set()
    for item in items:
        line_id = line_id_of(item)
        if line_id in seen:
            raise MappingError(f"LINE_ITEM_ID {line_id!r} occurs twice", position=position_of(item))
        seen.add(line_id)


def check_line_total(items: Sequence[etree._Element], total: etree._Element | None) -> None:
    """TOTAL_AMOUNT of an order must be the sum of PRICE_LINE_AMOUNT when every item states one."""
    declared = decimal_of(total)
    amounts = [decimal_of(find(item, "PRICE_LINE_AMOUNT")) for item in items]
    if total is None or declared is None or any(a is None for a in amounts):
        return
    computed = sum((a for a in amounts if a is not None), Decimal(0))
    if abs(computed - declared) > _AMOUNT_TOLERANCE:
        raise MappingError(
            f"TOTAL_AMOUNT {declared} differs from the sum of PRICE_LINE_AMOUNT {computed}",
            position=position_of(total),
        )


def check_references(root: etree._Element, index: PartyIndex) -> list[str]:
    """Every party IDREF of the document must name a declared PARTY. A delivery reference
    (DELIVERY_IDREF, FINAL_DELIVERY_IDREF, DELIVERER_IDREF) naming none is returned as a warning: other
    readers take the document without it, and that party is then not known."""
    warnings: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or local_name(element) not in _PARTY_REFERENCES:
            continue
        if any(local_name(a) in _FOREIGN_SCOPES for a in element.iterancestors()):
            continue
        try:
            index.resolve(element)
        except MappingError as exc:
            if local_name(element) not in _DELIVERY_REFERENCES:
                raise
            warnings.append(f"{exc}: that party is not known")
    return warnings


def write_control_info(header: etree._Element, envelope: Envelope | None) -> None:
    if envelope is None or (envelope.prepared_at is None and not envelope.test):
        return
    control = sub(header, "CONTROL_INFO")
    if envelope.test:
        sub(control, "STOP_AUTOMATIC_PROCESSING", "test message: do not process automatically")
    if envelope.prepared_at is not None:
        if envelope.prepared_at.tzinfo is None:
            raise EncodeError("envelope.prepared_at must be timezone-aware")
        put_date(control, "GENERATION_DATE", envelope.prepared_at)


def write_delivery_date(parent: etree._Element, value: date | None) -> None:
    if value is None:
        return
    window = sub(parent, "DELIVERY_DATE", type="fixed")
    put_date(window, "DELIVERY_START_DATE", value)
    put_date(window, "DELIVERY_END_DATE", value)


def write_product_id(
    item: etree._Element,
    *,
    supplier_article: str | None,
    gtin: str | None,
    buyer_article: str | None,
    description: str | None = None,
    batch_number: str | None = None,
) -> None:
    product = sub(item, "PRODUCT_ID")
    put(product, "bme:SUPPLIER_PID", supplier_article)
    put(product, "LOT_NUMBER", batch_number)
    put(product, "bme:INTERNATIONAL_PID", gtin, type="gtin")
    put(product, "bme:BUYER_PID", buyer_article)
    if description is not None:
        put(
            product,
            "bme:DESCRIPTION_SHORT" if len(description) <= 150 else "bme:DESCRIPTION_LONG",
            description,
        )


def write_quantity_unit(item: etree._Element, quantity: Decimal, unit: str, line_id: str) -> None:
    if unit not in UNITS:
        raise EncodeError(f"line {line_id!r}: unit {unit!r} is not in BMEcat 2005's unit list (dtPUNIT)")
    sub(item, "QUANTITY", decimal_text(quantity))
    sub(item, "bme:ORDER_UNIT", unit)
