"""810 Invoice <-> :class:`Invoice`.

TDS01 is the invoice total in cents (implied two decimals). X12 carries no line amount, no
separate net/gross totals and no allowance/charge totals in the segments mapped here, so on
decode ``net_amount`` = quantity x price, ``line_total`` = sum of line amounts, ``tax_total`` =
sum of the summary TXI amounts, ``payable`` = ``tax_inclusive`` = TDS01 and ``tax_exclusive`` =
``tax_inclusive`` - ``tax_total``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from edi.documents import Invoice, InvoiceLine, MonetaryTotals, Party, PaymentTerms, TaxSubtotal
from edi.errors import EncodeError
from edi.x12._syntax import Segment
from edi.x12._values import (
    PartyReader,
    Writer,
    ctt_warnings,
    dec,
    el,
    fail,
    fmt_date,
    fmt_dec,
    parse_date,
    product_ids,
    unit_from_x12,
)

__all__ = ["decode_810", "encode_810"]

SELLER_ROLES_810 = ("SE", "VN", "SU", "II")
BUYER_ROLES_810 = ("BY", "BT")
PAYEE_ROLES = ("RE", "PE")
_TYPE_IN = {"CR": "381", "CN": "381", "DR": "383"}
_TYPE_OUT = {"380": "", "381": "CR", "383": "DR"}


def _pick(parties: dict[str, Party], roles: tuple[str, ...]) -> Party | None:
    for role in roles:
        if role in parties:
            return parties[role]
    return None


def _category(seg: Segment) -> str:
    return "E" if el(seg, 6) == "1" else "S"


def decode_810(segs: list[Segment]) -> tuple[Invoice, list[str]]:
    """Map an 810 to an Invoice."""
    big: Segment | None = None
    big_index = 0
    currency = note = despatch = None
    parties: dict[str, Party] = {}
    party: PartyReader | None = None
    rows: list[list[object]] = []
    taxes: list[TaxSubtotal] = []
    total: Decimal | None = None
    terms: PaymentTerms | None = None
    delivery = None
    warnings: list[str] = []
    for i, seg in enumerate(segs, 1):
        tag = seg[0]
        if party is not None:
            if party.take(seg):
                continue
            parties.setdefault(party.code, party.party())
            party = None
        if tag == "IT1":
            qty, price = el(seg, 2), el(seg, 4)
            if not qty:
                raise fail("IT102 quantity invoiced is missing", i, seg, "1", 2)
            if not price:
                raise fail("IT104 unit price is missing", i, seg, "1", 4)
            quantity, unit_price = dec(qty, i, seg, 2), dec(price, i, seg, 4)
            gtin, supplier, buyer = product_ids(seg, 6)
            rows.append(
                [
                    el(seg, 1) or str(len(rows) + 1),
                    quantity,
                    unit_price,
                    quantity * unit_price,
                    unit_from_x12(el(seg, 3)),
                    None,
                    gtin,
                    supplier,
                    buyer,
                    None,
                    "S",
                    None,
                ]
            )
        elif tag == "PID":
            if rows and total is None and rows[-1][9] is None:
                rows[-1][9] = el(seg, 5) or None
        elif tag == "TXI":
            rate = dec(el(seg, 3), i, seg, 3) if el(seg, 3) else None
            if total is None:
                if rows:
                    rows[-1][10], rows[-1][11] = _category(seg), rate
            else:
                line_total = sum((cast(Decimal, r[3]) for r in rows), Decimal(0))
                taxes.append(
                    TaxSubtotal(
                        category=_category(seg),
                        rate=rate,
                        taxable_amount=dec(el(seg, 8), i, seg, 8) if el(seg, 8) else line_total,
                        tax_amount=dec(el(seg, 2), i, seg, 2) if el(seg, 2) else Decimal(0),
                    )
                )
        elif tag == "N1":
            party = PartyReader(seg)
        elif tag == "TDS":
            if not el(seg, 1):
                raise fail("TDS01 total invoice amount is missing", i, seg, "1", 1)
            total = dec(el(seg, 1), i, seg, 1).scaleb(-2)
        elif tag == "BIG":
            big, big_index = seg, i
        elif tag == "ITD":
            terms = PaymentTerms(
                description=el(seg, 12) or None,
                due_date=parse_date(el(seg, 6), i, seg, 6) if el(seg, 6) else None,
            )
        elif tag == "DTM":
            if el(seg, 1) == "011" and el(seg, 2):
                delivery = parse_date(el(seg, 2), i, seg, 2)
        elif tag == "CUR":
            currency = el(seg, 2) or None
        elif tag == "REF":
            if el(seg, 1) in ("SI", "PK") and despatch is None:
                despatch = el(seg, 2) or None
        elif tag == "NTE" and note is None:
            note = el(seg, 2) or None
    if party is not None:
        parties.setdefault(party.code, party.party())
    if big is None:
        raise fail("mandatory segment BIG (beginning segment for invoice) is missing", 2, "BIG", "3")
    if not el(big, 2):
        raise fail("BIG02 invoice number is missing", big_index, big, "1", 2)
    if total is None:
        raise fail("mandatory segment TDS (total monetary value summary) is missing", len(segs), "TDS", "3")
    if currency is None:
        currency = "USD"
        warnings.append("no CUR segment; currency assumed to be USD")
    warnings += ctt_warnings(segs, len(rows), "IT1 line items")
    lines = tuple(InvoiceLine(*r) for r in rows)  # type: ignore[arg-type]
    tax_total = sum((t.tax_amount for t in taxes), Decimal(0))
    totals = MonetaryTotals(
        line_total=sum((line.net_amount for line in lines), Decimal(0)),
        tax_exclusive=total - tax_total,
        tax_total=tax_total,
        tax_inclusive=total,
        payable=total,
    )
    return Invoice(
        number=big[2],
        issue_date=parse_date(el(big, 1), big_index, big, 1),
        currency=currency,
        seller=_pick(parties, SELLER_ROLES_810) or Party(),
        buyer=_pick(parties, BUYER_ROLES_810) or Party(),
        lines=lines,
        tax_subtotals=tuple(taxes),
        totals=totals,
        type_code=_TYPE_IN.get(el(big, 7), "380"),
        order_number=el(big, 4) or None,
        despatch_number=despatch,
        delivery_date=delivery,
        payee=_pick(parties, PAYEE_ROLES),
        ship_to=parties.get("ST"),
        payment_terms=terms,
        note=note,
    ), warnings


def _tax_flags(category: str, field: str) -> str:
    if category not in ("S", "E"):
        raise EncodeError(f"{field} VAT category {category!r} cannot be written in X12 TXI (only S or E)")
    return "1" if category == "E" else ""


def encode_810(doc: Invoice, w: Writer) -> None:
    """Write the body (BIG..CTT) of an 810."""
    big07 = _TYPE_OUT.get(doc.type_code)
    if big07 is None:
        raise EncodeError(f"type_code {doc.type_code!r} cannot be written in BIG07 (380, 381 or 383)")
    w.add(
        "BIG",
        fmt_date(doc.issue_date),
        w.text(doc.number, "number"),
        "",
        w.text(doc.order_number, "order_number"),
        "",
        "",
        big07,
    )
    if doc.note:
        w.add("NTE", "GEN", w.text(doc.note, "note"))
    w.add("CUR", "SE", w.text(doc.currency, "currency"))
    if doc.despatch_number:
        w.add("REF", "SI", w.text(doc.despatch_number, "despatch_number"))
    w.party("SE", doc.seller, "seller")
    w.party("BY", doc.buyer, "buyer")
    w.party("ST", doc.ship_to, "ship_to")
    w.party("RE", doc.payee, "payee")
    terms = doc.payment_terms
    if terms is not None and (terms.description or terms.due_date):
        w.add(
            "ITD",
            "",
            "",
            "",
            "",
            "",
            fmt_date(terms.due_date) if terms.due_date else "",
            "",
            "",
            "",
            "",
            "",
            w.text(terms.description, "payment_terms.description"),
        )
    if doc.delivery_date:
        w.add("DTM", "011", fmt_date(doc.delivery_date))
    for n, line in enumerate(doc.lines):
        field = f"lines[{n}]"
        w.add(
            "IT1",
            w.text(line.line_id, f"{field}.line_id"),
            fmt_dec(line.quantity),
            w.unit(line.unit, f"{field}.unit"),
            fmt_dec(line.net_price),
            "",
            *w.product_ids(line.gtin, line.supplier_article, line.buyer_article, field),
        )
        if line.vat_rate is not None or line.vat_category != "S":
            w.add(
                "TXI",
                "VA",
                "",
                fmt_dec(line.vat_rate) if line.vat_rate is not None else "",
                "",
                "",
                _tax_flags(line.vat_category, f"{field}.vat_category") or "2",
            )
        if line.description:
            w.add("PID", "F", "", "", "", w.text(line.description, f"{field}.description"))
    cents = doc.totals.payable.scaleb(2)
    if cents != cents.to_integral_value():
        raise EncodeError(
            f"totals.payable {doc.totals.payable} has more than two decimals; TDS01 is in cents"
        )
    w.add("TDS", fmt_dec(cents))
    for t, tax in enumerate(doc.tax_subtotals):
        field = f"tax_subtotals[{t}]"
        w.add(
            "TXI",
            "VA",
            fmt_dec(tax.tax_amount),
            fmt_dec(tax.rate) if tax.rate is not None else "",
            "",
            "",
            _tax_flags(tax.category, f"{field}.category") or "2",
            "",
            fmt_dec(tax.taxable_amount),
        )
    w.add("CTT", str(len(doc.lines)))
