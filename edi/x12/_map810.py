"""810 Invoice <-> :class:`Invoice`.

TDS01 is the invoice total in cents (implied two decimals). X12 carries no line amount and no
separate net/gross totals in the segments mapped here, so on decode ``net_amount`` = quantity x
price, ``line_total`` = sum of line amounts, ``tax_total`` = sum of the summary TXI amounts,
``payable`` = ``tax_inclusive`` = TDS01, ``tax_exclusive`` = ``tax_inclusive`` - ``tax_total``, and
the allowance and charge totals are the sums of the document-level SAC amounts.

Allowances and charges: a SAC loop (SAC and the TXI right after it) in an IT1 loop belongs to that
line, one after TDS (or before the first IT1) to the invoice. SAC01 A/C, SAC02 reason code (4
characters; other codes go to SAC04 with agency qualifier ZZ, none is SAC02 ZZZZ), SAC05 amount
in cents, SAC07 percentage (SAC06 6, base price amount), SAC09 DO + SAC10 the base amount in
dollars, SAC15 reason text. SAC01 N (information only) is not an allowance or charge and is not
read.

Payment terms: the first ITD: ITD03 discount percent, ITD05 discount days, ITD06 net due date, ITD07
net days, ITD12 description (terms type and basis date codes are not kept).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from edi._roles import split_parties
from edi.documents import (
    AllowanceCharge,
    Invoice,
    InvoiceLine,
    MonetaryTotals,
    Party,
    PaymentTerms,
    TaxSubtotal,
)
from edi.errors import EncodeError
from edi.x12._syntax import Segment
from edi.x12._values import (
    ROLES,
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


_NAMED = (SELLER_ROLES_810, BUYER_ROLES_810, PAYEE_ROLES, ("ST",))
_NO_REASON = "ZZZZ"  # SAC02 "mutually defined": SAC02 or SAC03 must be there


def _category(seg: Segment) -> str:
    return "E" if el(seg, 6) == "1" else "S"


def _days(seg: Segment, index: int, element: int) -> int | None:
    value = el(seg, element)
    if not value:
        return None
    if not value.isdigit():
        raise fail(f"{seg[0]}{element:02d} {value!r} is not a whole number of days", index, seg, "6", element)
    return int(value)


def _terms(seg: Segment, i: int) -> PaymentTerms | None:
    terms = PaymentTerms(
        description=el(seg, 12) or None,
        due_date=parse_date(el(seg, 6), i, seg, 6) if el(seg, 6) else None,
        discount_percent=dec(el(seg, 3), i, seg, 3) if el(seg, 3) else None,
        discount_days=_days(seg, i, 5),
        net_days=_days(seg, i, 7),
    )
    return None if terms == PaymentTerms() else terms


def _sac(seg: Segment, i: int) -> list[object] | None:
    """AllowanceCharge arguments of a SAC (a list: the TXI after it may add its VAT), or None for a
    SAC that is neither allowance nor charge."""
    kind = el(seg, 1)
    if kind not in ("A", "C"):
        return None
    code = el(seg, 2)
    if not code or code == _NO_REASON:
        code = el(seg, 4) if el(seg, 3) == "ZZ" else ""
    return [
        kind == "C",
        dec(el(seg, 5), i, seg, 5).scaleb(-2) if el(seg, 5) else None,
        dec(el(seg, 10), i, seg, 10) if el(seg, 9) == "DO" and el(seg, 10) else None,
        dec(el(seg, 7), i, seg, 7) if el(seg, 7) else None,
        code or None,
        el(seg, 15) or None,
        None,
        None,
    ]


def decode_810(segs: list[Segment]) -> tuple[Invoice, list[str]]:
    """Map an 810 to an Invoice."""
    big: Segment | None = None
    big_index = 0
    currency = note = despatch = None
    preceding: str | None = None
    parties: list[tuple[str, Party]] = []
    party: PartyReader | None = None
    rows: list[list[object]] = []
    taxes: list[TaxSubtotal] = []
    total: Decimal | None = None
    terms: PaymentTerms | None = None
    terms_read = False
    delivery = None
    warnings: list[str] = []
    header_acs: list[list[object]] = []
    sac: list[object] | None = None  # the allowance/charge whose SAC loop is being read
    sac_open = False  # in a SAC loop: its TXI is the allowance's tax, not the line's or a subtotal
    for i, seg in enumerate(segs, 1):
        tag = seg[0]
        if party is not None:
            if party.take(seg):
                continue
            parties.append((party.code, party.party()))
            party = None
        if sac_open:
            if tag == "TXI":
                if sac is not None and sac[6] is None and sac[7] is None:
                    sac[6] = {"1": "E", "": None}.get(el(seg, 6), "S")
                    sac[7] = dec(el(seg, 3), i, seg, 3) if el(seg, 3) else None
                continue
            sac_open = False
        if tag == "SAC":
            sac, sac_open = _sac(seg, i), True
            if sac is not None:
                if rows and total is None:
                    cast(list[list[object]], rows[-1][12]).append(sac)
                else:
                    header_acs.append(sac)
        elif tag == "IT1":
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
                    [],
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
        elif tag == "ITD" and not terms_read:
            terms, terms_read = _terms(seg, i), True
        elif tag == "DTM":
            if el(seg, 1) == "011" and el(seg, 2):
                delivery = parse_date(el(seg, 2), i, seg, 2)
        elif tag == "CUR":
            currency = el(seg, 2) or None
        elif tag == "REF":
            if el(seg, 1) in ("SI", "PK") and despatch is None:
                despatch = el(seg, 2) or None
            elif el(seg, 1) in ("OI", "IV") and preceding is None:  # a credit memo's original invoice
                preceding = el(seg, 2) or None
        elif tag == "NTE" and note is None:
            note = el(seg, 2) or None
    if party is not None:
        parties.append((party.code, party.party()))
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
    for r in rows:
        r[12] = tuple(AllowanceCharge(*ac) for ac in cast(list[list[object]], r[12]))  # type: ignore[arg-type]
    lines = tuple(InvoiceLine(*r) for r in rows)  # type: ignore[arg-type]
    acs = tuple(AllowanceCharge(*ac) for ac in header_acs)  # type: ignore[arg-type]
    tax_total = sum((t.tax_amount for t in taxes), Decimal(0))
    totals = MonetaryTotals(
        line_total=sum((line.net_amount for line in lines), Decimal(0)),
        tax_exclusive=total - tax_total,
        tax_total=tax_total,
        tax_inclusive=total,
        payable=total,
        allowance_total=_sum(acs, charge=False),
        charge_total=_sum(acs, charge=True),
    )
    (seller_party, buyer_party, payee, ship_to), others = split_parties(parties, _NAMED, ROLES)
    return Invoice(
        number=big[2],
        issue_date=parse_date(el(big, 1), big_index, big, 1),
        currency=currency,
        seller=seller_party or Party(),
        buyer=buyer_party or Party(),
        lines=lines,
        tax_subtotals=tuple(taxes),
        totals=totals,
        type_code=_TYPE_IN.get(el(big, 7), "380"),
        order_number=el(big, 4) or None,
        despatch_number=despatch,
        invoice_reference=preceding,
        delivery_date=delivery,
        payee=payee,
        ship_to=ship_to,
        payment_terms=terms,
        note=note,
        allowances_charges=acs,
        other_parties=others,
    ), warnings


def _sum(acs: tuple[AllowanceCharge, ...], *, charge: bool) -> Decimal | None:
    amounts = [ac.amount for ac in acs if ac.charge is charge and ac.amount is not None]
    return sum(amounts, Decimal(0)) if amounts else None


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
    if doc.invoice_reference:
        w.add("REF", "OI", w.text(doc.invoice_reference, "invoice_reference"))
    w.party("SE", doc.seller, "seller")
    w.party("BY", doc.buyer, "buyer")
    w.party("ST", doc.ship_to, "ship_to")
    w.party("RE", doc.payee, "payee")
    w.others(doc.other_parties)
    terms = doc.payment_terms
    if terms is not None:
        itd = (
            "",
            "",
            fmt_dec(terms.discount_percent) if terms.discount_percent is not None else "",
            "",
            str(terms.discount_days) if terms.discount_days is not None else "",
            fmt_date(terms.due_date) if terms.due_date else "",
            str(terms.net_days) if terms.net_days is not None else "",
            "",
            "",
            "",
            "",
            w.text(terms.description, "payment_terms.description"),
        )
        if any(itd):
            w.add("ITD", *itd)
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
        for a, ac in enumerate(line.allowances_charges):
            _write_sac(w, ac, f"{field}.allowances_charges[{a}]")
    w.add("TDS", _cents(doc.totals.payable, "totals.payable", "TDS01"))
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
    for a, ac in enumerate(doc.allowances_charges):
        _write_sac(w, ac, f"allowances_charges[{a}]")
    w.add("CTT", str(len(doc.lines)))


def _cents(amount: Decimal, field: str, element: str) -> str:
    cents = amount.scaleb(2)
    if cents != cents.to_integral_value():
        raise EncodeError(f"{field} {amount} has more than two decimals; {element} is in cents")
    return fmt_dec(cents)


def _write_sac(w: Writer, ac: AllowanceCharge, field: str) -> None:
    """A SAC loop: SAC, and a TXI when the allowance or charge names its VAT."""
    code = w.text(ac.reason_code, f"{field}.reason_code")
    short = len(code) == 4
    w.add(
        "SAC",
        "C" if ac.charge else "A",
        code if short else "" if code else _NO_REASON,
        "ZZ" if code and not short else "",
        code if code and not short else "",
        _cents(ac.amount, f"{field}.amount", "SAC05") if ac.amount is not None else "",
        "6" if ac.percentage is not None else "",
        fmt_dec(ac.percentage) if ac.percentage is not None else "",
        "",
        "DO" if ac.base_amount is not None else "",
        fmt_dec(ac.base_amount) if ac.base_amount is not None else "",
        "",
        "",
        "",
        "",
        w.text(ac.reason, f"{field}.reason"),
    )
    if ac.vat_category is not None or ac.vat_rate is not None:
        flag = _tax_flags(ac.vat_category, f"{field}.vat_category") if ac.vat_category else ""
        w.add(
            "TXI",
            "VA",
            "",
            fmt_dec(ac.vat_rate) if ac.vat_rate is not None else "",
            "",
            "",
            flag or ("2" if ac.vat_category else ""),
        )
