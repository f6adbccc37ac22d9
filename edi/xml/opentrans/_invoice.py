"""openTRANS INVOICE <-> :class:`~edi.documents.Invoice`.

Seller is the INVOICE_ISSUER_IDREF party, buyer the INVOICE_RECIPIENT_IDREF party. BMEcat gives VAT
rates as factors (TAX 0.19); the canonical rate is a percentage (19). Allowances and charges: the
summary's ALLOW_OR_CHARGES_FIX entries are the invoice's, those in an item's PRODUCT_PRICE_FIX the
line's (see :mod:`edi.xml.opentrans._allowances`). INVOICE_TYPE invoice /
credit_memo / advice_of_amendment are type codes 380 / 381 / 384. Totals: line total NET_VALUE_GOODS,
allowances and charges from the summary's ALLOW_OR_CHARGES_FIX, tax from TOTAL_TAX, TOTAL_AMOUNT is
both the tax-inclusive and the payable amount. Content checks: the line amounts add up to
NET_VALUE_GOODS, and TOTAL_AMOUNT = NET_VALUE_GOODS - allowances + charges + tax (to the cent).
"""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from edi.documents import Envelope, Invoice, InvoiceLine, MonetaryTotals, TaxSubtotal
from edi.errors import EncodeError, MappingError
from edi.xml.opentrans._allowances import read_allowances, write_allowances
from edi.xml.opentrans._codes import TAX_CATEGORY_FROM_BMECAT, TAX_CATEGORY_TO_BMECAT
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
    party_key,
    write_idref,
    write_other_parties,
)
from edi.xml.opentrans._payment import decode_payment, encode_payment
from edi.xml.opentrans._read import children, decimal_of, find, position_of, require, text_of
from edi.xml.opentrans._write import decimal_text, new_root, put, put_decimal, sub

__all__ = ["decode_invoice", "encode_invoice"]

_TYPES = {"invoice": "380", "invoice_copy": "380", "credit_memo": "381", "advice_of_amendment": "384"}
_TYPE_NAMES = {"380": "invoice", "381": "credit_memo", "384": "advice_of_amendment"}
_CATEGORY_CODE = re.compile(r"[A-Z]{1,2}")
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def _vat(detail: etree._Element | None) -> tuple[str, Decimal | None]:
    """(UNCL 5305 category, rate in percent) of a TAX_DETAILS_FIX."""
    if detail is None:
        return "S", None
    factor_element = find(detail, "bme:TAX")
    factor = decimal_of(factor_element)
    if factor is not None and not Decimal(0) <= factor < 1:
        raise MappingError(
            f"TAX {factor} is not a tax factor: BMEcat writes 19 % as 0.19", position=position_of(detail)
        )
    rate = None if factor is None else factor * _HUNDRED
    category_element = find(detail, "bme:TAX_CATEGORY")
    word = text_of(category_element)
    if word is None:
        return ("Z" if rate == 0 else "S"), rate
    if word in TAX_CATEGORY_FROM_BMECAT:
        return TAX_CATEGORY_FROM_BMECAT[word], rate
    if _CATEGORY_CODE.fullmatch(word):
        return word, rate
    raise MappingError(
        f"TAX_CATEGORY {word!r} is neither a BMEcat tax category (standard_rate, reduced_rate, zero_rate, "
        "exemption, ...) nor a UNCL 5305 code",
        position=position_of(detail),
    )


def _vat_detail(price: etree._Element) -> etree._Element | None:
    for detail in children(price, "TAX_DETAILS_FIX"):
        if (text_of(find(detail, "bme:TAX_TYPE")) or "vat").lower() == "vat":
            return detail
    return None


def _allowances_charges(summary: etree._Element) -> tuple[Decimal | None, Decimal | None, bool]:
    """(allowance total, charge total, known): ``known`` is False when a percentage-only entry keeps
    the amounts from being computed."""
    block = find(summary, "ALLOW_OR_CHARGES_FIX")
    if block is None:
        return None, None, True
    sums: dict[str, Decimal] = {}
    known = True
    entries = list(children(block, "ALLOW_OR_CHARGE"))
    for entry in entries:
        amount = decimal_of(find(entry, "ALLOW_OR_CHARGE_VALUE", "AOC_MONETARY_AMOUNT"))
        if amount is None:
            known = False
            continue
        kind = entry.get("type") or "surcharge"
        sums[kind] = sums.get(kind, Decimal(0)) + amount
    if not known:
        total = decimal_of(find(block, "ALLOW_OR_CHARGES_TOTAL_AMOUNT"))
        kinds = {entry.get("type") for entry in entries}
        if total is None or len(kinds) != 1:
            return None, None, False
        sums = {kinds.pop() or "surcharge": total}
        known = True
    return sums.get("allowance"), sums.get("surcharge"), known


def decode_invoice(root: etree._Element) -> Decoded:
    header = require(root, "INVOICE_HEADER")
    info = require(header, "INVOICE_INFO")
    index = PartyIndex(require(info, "PARTIES"))
    unknown_parties = check_references(root, index)
    seller = index.resolve(require(info, "INVOICE_ISSUER_IDREF"), "invoice_issuer", "supplier")
    buyer = index.resolve(require(info, "INVOICE_RECIPIENT_IDREF"), "invoice_recipient", "buyer")
    ship_to = index.declared_or_none(find(info, "DELIVERY_IDREF"), "delivery")
    payee = index.optional(find(info, "REMITTEE_IDREF"), "remittee")
    items = list(children(require(root, "INVOICE_ITEM_LIST"), "INVOICE_ITEM"))
    summary = require(root, "INVOICE_SUMMARY")
    check_item_count(items, summary)
    lines: list[InvoiceLine] = []
    for item in items:
        product = product_of(item)
        price = require(item, "PRODUCT_PRICE_FIX")
        category, rate = _vat(_vat_detail(price))
        lines.append(
            InvoiceLine(
                line_id=line_id_of(item),
                quantity=quantity_of(item, allow_zero=True, allow_negative=True),
                net_price=decimal_of(require(price, "bme:PRICE_AMOUNT")) or Decimal(0),
                net_amount=decimal_of(require(item, "PRICE_LINE_AMOUNT")) or Decimal(0),
                unit=unit_of(item),
                order_line_id=text_of(find(item, "ORDER_REFERENCE", "LINE_ITEM_ID")),
                gtin=product.gtin,
                supplier_article=product.supplier_article,
                buyer_article=product.buyer_article,
                description=product.description,
                vat_category=category,
                vat_rate=rate,
                allowances_charges=read_allowances(find(price, "ALLOW_OR_CHARGES_FIX")),
            )
        )
    goods_element = require(summary, "NET_VALUE_GOODS")
    line_total = decimal_of(goods_element) or Decimal(0)
    computed = sum((line.net_amount for line in lines), Decimal(0))
    if abs(computed - line_total) > _CENT:
        raise MappingError(
            f"NET_VALUE_GOODS {line_total} differs from the sum of PRICE_LINE_AMOUNT {computed}",
            position=position_of(goods_element),
        )
    subtotals: list[TaxSubtotal] = []
    for detail in children(require(summary, "TOTAL_TAX"), "TAX_DETAILS_FIX"):
        category, rate = _vat(detail)
        base = decimal_of(find(detail, "TAX_BASE"))
        if base is None:
            same = [
                line.net_amount for line in lines if (line.vat_category, line.vat_rate) == (category, rate)
            ]
            base = sum(same, Decimal(0)) if same else line_total
        subtotals.append(
            TaxSubtotal(
                category=category,
                rate=rate,
                taxable_amount=base,
                tax_amount=decimal_of(find(detail, "TAX_AMOUNT")) or Decimal(0),
                exemption_reason=text_of(find(detail, "bme:EXEMPTION_REASON")),
            )
        )
    allowances, charges, known = _allowances_charges(summary)
    tax_total = sum((s.tax_amount for s in subtotals), Decimal(0))
    tax_exclusive = line_total - (allowances or 0) + (charges or 0)
    total_element = require(summary, "TOTAL_AMOUNT")
    total = decimal_of(total_element) or Decimal(0)
    if known and find(summary, "NET_VALUE_EXTRA") is None and abs(tax_exclusive + tax_total - total) > _CENT:
        raise MappingError(
            f"TOTAL_AMOUNT {total} differs from NET_VALUE_GOODS - allowances + charges + tax = "
            f"{tax_exclusive + tax_total}",
            position=position_of(total_element),
        )
    type_name = text_of(find(info, "INVOICE_TYPE")) or "invoice"
    history = find(header, "ORDER_HISTORY")
    invoice = Invoice(
        number=text_of(require(info, "INVOICE_ID")) or "",
        issue_date=required_date(info, "INVOICE_DATE"),
        currency=text_of(require(info, "bme:CURRENCY")) or "",
        seller=seller.party,
        buyer=buyer.party,
        lines=tuple(lines),
        tax_subtotals=tuple(subtotals),
        totals=MonetaryTotals(
            line_total=line_total,
            tax_exclusive=tax_exclusive,
            tax_total=tax_total,
            tax_inclusive=total,
            payable=total,
            allowance_total=allowances,
            charge_total=charges,
        ),
        type_code=_TYPES.get(type_name, "380"),
        order_number=text_of(find(history, "ORDER_ID")) if history is not None else None,
        despatch_number=text_of(find(info, "DELIVERYNOTE_ID")),
        delivery_date=delivery_date(info),
        payee=payee.party if payee is not None else None,
        ship_to=ship_to.party if ship_to is not None else None,
        payment_terms=decode_payment(info),
        note=remarks_of(info),
        allowances_charges=read_allowances(find(summary, "ALLOW_OR_CHARGES_FIX")),
        other_parties=other_parties(index, seller, buyer, ship_to, payee),
    )
    warnings = unknown_parties + (
        ["INVOICE_TYPE invoice_copy read as a plain invoice (380)"] if type_name == "invoice_copy" else []
    )
    return Decoded(invoice, sender=seller, recipient=buyer, warnings=warnings)


def _tax_detail(parent: etree._Element, category: str, rate: Decimal | None) -> etree._Element:
    detail = sub(parent, "TAX_DETAILS_FIX")
    sub(detail, "bme:TAX_CATEGORY", TAX_CATEGORY_TO_BMECAT.get(category, category))
    sub(detail, "bme:TAX_TYPE", "vat")
    if rate is not None:
        sub(detail, "bme:TAX", decimal_text(rate / _HUNDRED))
    return detail


def encode_invoice(invoice: Invoice, envelope: Envelope | None) -> etree._Element:
    type_name = _TYPE_NAMES.get(invoice.type_code)
    if type_name is None:
        raise EncodeError(
            f"invoice type code {invoice.type_code!r} has no openTRANS INVOICE_TYPE (380, 381, 384)"
        )
    if not invoice.lines or not invoice.tax_subtotals:
        raise EncodeError(
            f"invoice {invoice.number!r} needs at least one line and one tax subtotal in openTRANS"
        )
    root = new_root("INVOICE")
    header = sub(root, "INVOICE_HEADER")
    write_control_info(header, envelope)
    info = sub(header, "INVOICE_INFO")
    sub(info, "INVOICE_ID", invoice.number)
    sub(info, "INVOICE_DATE", invoice.issue_date.isoformat())
    sub(info, "INVOICE_TYPE", type_name)
    put(info, "DELIVERYNOTE_ID", invoice.despatch_number)
    write_delivery_date(info, invoice.delivery_date)
    if invoice.ship_to is not None:
        write_idref(info, "DELIVERY_IDREF", invoice.ship_to, "ship-to party")
    parties = sub(info, "PARTIES")
    party_element(parties, invoice.seller, "invoice_issuer", "buyer_specific", "seller")
    party_element(parties, invoice.buyer, "invoice_recipient", "supplier_specific", "buyer")
    if invoice.ship_to is not None:
        party_element(parties, invoice.ship_to, "delivery", "supplier_specific", "ship-to party")
    if invoice.payee is not None:
        party_element(parties, invoice.payee, "remittee", "buyer_specific", "payee")
    write_other_parties(parties, invoice.other_parties)
    write_idref(info, "INVOICE_ISSUER_IDREF", invoice.seller, "seller")
    write_idref(info, "INVOICE_RECIPIENT_IDREF", invoice.buyer, "buyer")
    if invoice.payee is not None:
        write_idref(info, "REMITTEE_IDREF", invoice.payee, "payee")
    if invoice.currency is None:
        raise EncodeError("openTRANS INVOICE needs a currency")
    write_currency(info, invoice.currency)
    holder = (invoice.payee or invoice.seller).name or party_key(invoice.payee or invoice.seller, "seller")[0]
    encode_payment(info, invoice.payment_terms, holder)
    put(info, "REMARKS", invoice.note, type="invoice")
    if invoice.order_number is not None:
        sub(sub(header, "ORDER_HISTORY"), "ORDER_ID", invoice.order_number)
    item_list = sub(root, "INVOICE_ITEM_LIST")
    for line in invoice.lines:
        item = sub(item_list, "INVOICE_ITEM")
        sub(item, "LINE_ITEM_ID", line.line_id)
        write_product_id(
            item,
            supplier_article=line.supplier_article,
            gtin=line.gtin,
            buyer_article=line.buyer_article,
            description=line.description,
        )
        write_quantity_unit(item, line.quantity, line.unit, line.line_id)
        price = sub(item, "PRODUCT_PRICE_FIX")
        put_decimal(price, "bme:PRICE_AMOUNT", line.net_price)
        write_allowances(price, line.allowances_charges)
        _tax_detail(price, line.vat_category, line.vat_rate)
        put_decimal(item, "PRICE_LINE_AMOUNT", line.net_amount)
        if line.order_line_id is not None:
            if invoice.order_number is None:
                raise EncodeError(
                    f"invoice line {line.line_id!r} names order line {line.order_line_id!r} "
                    "but the invoice has "
                    "no order number; openTRANS ORDER_REFERENCE needs both"
                )
            reference = sub(item, "ORDER_REFERENCE")
            sub(reference, "ORDER_ID", invoice.order_number)
            sub(reference, "LINE_ITEM_ID", line.order_line_id)
    totals = invoice.totals
    summary = sub(root, "INVOICE_SUMMARY")
    sub(summary, "TOTAL_ITEM_NUM", str(len(invoice.lines)))
    put_decimal(summary, "NET_VALUE_GOODS", totals.line_total)
    put_decimal(summary, "TOTAL_AMOUNT", totals.tax_inclusive)
    if invoice.allowances_charges:
        kinds = {ac.charge for ac in invoice.allowances_charges}
        total = (
            None if len(kinds) != 1 else totals.charge_total if kinds == {True} else totals.allowance_total
        )
        write_allowances(summary, invoice.allowances_charges, total)
    elif totals.allowance_total is not None or totals.charge_total is not None:
        block = sub(summary, "ALLOW_OR_CHARGES_FIX")
        for kind, amount in (("allowance", totals.allowance_total), ("surcharge", totals.charge_total)):
            if amount is not None:
                entry = sub(block, "ALLOW_OR_CHARGE", type=kind)
                put_decimal(sub(entry, "ALLOW_OR_CHARGE_VALUE"), "AOC_MONETARY_AMOUNT", amount)
    tax = sub(summary, "TOTAL_TAX")
    for subtotal in invoice.tax_subtotals:
        detail = _tax_detail(tax, subtotal.category, subtotal.rate)
        put_decimal(detail, "TAX_AMOUNT", subtotal.tax_amount)
        put_decimal(detail, "TAX_BASE", subtotal.taxable_amount)
        put(detail, "bme:EXEMPTION_REASON", subtotal.exemption_reason)
    return root
