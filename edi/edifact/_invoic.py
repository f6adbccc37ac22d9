"""INVOIC <-> Invoice (EANCOM EAN008/EAN011 and plain UN directories).

Totals (summary section, after UNS): MOA 79 line total, 125 taxable amount (tax exclusive), 176 total
tax, 77 invoice amount (tax inclusive), 86 message total (used when 77 is absent), 9 amount due
(payable), 113 prepaid, 260 allowances, 259 charges. TAX+MOA 124/125 after UNS are the subtotals.
Missing totals are derived (documented on :func:`decode_invoic`).

Allowances and charges: the ALC groups before the first LIN are the invoice's, those in a LIN group
the line's (see :mod:`edi.edifact._allowances`); the ALC groups after UNS repeat totals and are not
read. Payment terms: the PAT (or PYT) groups; PAT 4279 22 (discount) gives ``discount_days`` and
its PCD+12 ``discount_percent``, any other type ``net_days``, both from C112 with period type D;
DTM+13 in a PAT group is the due date; the text is C110 4276.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

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
from edi.edifact._allowances import (
    GROUP,
    Pending,
    allowance_segments,
    read_allowance_segment,
    start_allowance,
)
from edi.edifact._lines import ItemState, item_segments, qty, read_item_segment, start_item
from edi.edifact._syntax import Segment
from edi.edifact._values import (
    ROLES,
    Ctx,
    comp,
    dtm,
    elem,
    fmt_decimal,
    other_party_segments,
    party_segments,
    text,
)

__all__ = ["decode_invoic", "encode_invoic"]


@dataclass(slots=True)
class _Tax:
    k: int
    category: str
    rate: Decimal | None
    tax: Decimal | None = None
    taxable: Decimal | None = None


def _tax(ctx: Ctx, k: int) -> _Tax:
    seg = ctx.segments[k]
    rate = comp(elem(seg, 5), 3)
    return _Tax(k, comp(elem(seg, 6)) or "S", ctx.dec(rate, k, 5, "TAX rate") if rate else None)


_PAT_GROUP = frozenset(("DTM", "PCD", "MOA"))
_SELLER, _BUYER = ("SU", "SE"), ("BY", "IV", "BT")


def _days(ctx: Ctx, k: int, period: str, count: str, element: int) -> int | None:
    if period != "D" or not count:
        return None
    if not count.isdigit():
        raise ctx.error(f"number of days {count!r} is not a whole number", k, element, "37")
    return int(count)


def _allowances(pending: Sequence[Pending]) -> tuple[AllowanceCharge, ...]:
    return tuple(ac for ac in (p.done() for p in pending) if ac is not None)


def _total(acs: tuple[AllowanceCharge, ...], *, charge: bool) -> Decimal | None:
    amounts = [ac.amount for ac in acs if ac.charge is charge and ac.amount is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def decode_invoic(ctx: Ctx) -> Invoice:
    """Derivations when the file lacks a total: line total = sum of line amounts; tax total = sum
    of the TAX subtotals (0 when there are none); tax inclusive = 77, else 86, 39 or 128; tax
    exclusive = inclusive - tax; payable = 9, else inclusive - prepaid."""
    segs = ctx.segments
    number, number_k, type_code = "", 0, "380"
    dates: dict[str, int] = {}  # DTM 2005 -> k (see Ctx.note_date)
    parties: list[tuple[str, Party]] = []
    refs: dict[str, str] = {}
    currency: str | None = None
    note: str | None = None
    totals: dict[str, Decimal] = {}
    taxes: list[_Tax] = []
    tax: _Tax | None = None
    items: list[ItemState] = []
    item: ItemState | None = None
    summary = False
    terms_text: str | None = None
    due_k: int | None = None
    discount: Decimal | None = None
    discount_days: int | None = None
    net_days: int | None = None
    group = ""  # "pat" or "alc" while the segments of that header group are read
    header_acs: list[Pending] = []
    iban = bic = means = None
    k = 1
    end = len(segs) - 1
    while k < end:
        seg = segs[k]
        tag = seg[0]
        if group:
            if group == "alc" and tag in GROUP:
                read_allowance_segment(ctx, header_acs[-1], k, tag)
                k += 1
                continue
            if group == "pat" and tag in _PAT_GROUP:
                if tag == "DTM":
                    if ctx.note_date(dates, k) == "13" and due_k is None:
                        due_k = k
                elif tag == "PCD":
                    c501 = elem(seg, 1)
                    if comp(c501) == "12" and comp(c501, 1) and discount is None:
                        discount = ctx.dec(comp(c501, 1), k, 1, "PCD discount percentage")
                k += 1
                continue
            group = ""
        if tag == "LIN":
            item = start_item(ctx, k, len(items) + 1)
            items.append(item)
        elif tag == "UNS":
            item = None
            summary = True
        elif item is not None:
            read_item_segment(ctx, item, k, tag)
        elif summary:
            if tag == "TAX":
                tax = _tax(ctx, k)
                taxes.append(tax)
            elif tag == "MOA":
                c516 = elem(seg, 1)
                qual, raw = comp(c516), comp(c516, 1)
                if raw:
                    value = ctx.dec(raw, k, 1, f"MOA {qual} amount")
                    if tax is not None and qual in ("124", "125"):
                        if qual == "124":
                            tax.tax = value
                        else:
                            tax.taxable = value
                    elif tax is None:
                        totals.setdefault(qual, value)
            elif tag == "ALC":
                tax = _Tax(-1, "", None)  # allowance group: its MOA are not totals
        elif tag == "BGM":
            type_code = comp(elem(seg, 1)) or "380"
            number, number_k = comp(elem(seg, 2)), k
        elif tag == "DTM":
            ctx.note_date(dates, k)
        elif tag == "NAD":
            qual, party, nxt = ctx.party(k)
            parties.append((qual, party))
            k = nxt
            continue
        elif tag == "ALC":
            header_acs.append(start_allowance(ctx, k))
            group = "alc"
        elif tag == "RFF":
            c506 = elem(seg, 1)
            refs.setdefault(comp(c506), comp(c506, 1))
        elif tag == "CUX":
            currency = currency or comp(elem(seg, 1), 1) or None
        elif tag == "FTX" and note is None:
            note = " ".join(x for x in (comp(elem(seg, 4), i) for i in range(5)) if x) or None
        elif tag in ("PAT", "PYT"):
            group = "pat"
            c110 = elem(seg, 2)  # PYT: C019, the same components
            terms_text = terms_text or " ".join(x for x in (comp(c110, 3), comp(c110, 4)) if x) or None
            if tag == "PAT":
                c112 = elem(seg, 3)
                days = _days(ctx, k, comp(c112, 2), comp(c112, 3), 3)
            else:
                days = _days(ctx, k, comp(elem(seg, 5)), comp(elem(seg, 6)), 6)
            if days is not None and comp(elem(seg, 1)) == "22":
                discount_days = discount_days if discount_days is not None else days
            elif days is not None:
                net_days = net_days if net_days is not None else days
        elif tag == "PAI":
            means = comp(elem(seg, 1), 2) or None
        elif tag == "FII" and comp(elem(seg, 1)) == "BF":
            iban = comp(elem(seg, 2)) or None
            bic = comp(elem(seg, 3)) or None
        k += 1

    if not number:
        raise ctx.missing("BGM invoice number (C106 1004)", number_k)
    issue = ctx.date_of(dates, "137", "3")
    if issue is None:
        raise ctx.missing("DTM+137 invoice date")
    (seller, buyer, payee, ship_to), others = split_parties(
        parties, (_SELLER, _BUYER, ("PE",), ("DP", "ST")), ROLES
    )
    if seller is None:
        raise ctx.missing("NAD+SU seller")
    if buyer is None:
        raise ctx.missing("NAD+BY buyer")
    if currency is None:
        raise ctx.missing("CUX invoice currency")
    if not items:
        raise ctx.missing("LIN invoice line")

    lines: list[InvoiceLine] = []
    for it in items:
        q = it.qty.get("47")
        if q is None:
            q = it.qty.get("12")
            if q is None:
                raise ctx.error(
                    f"invoice line {it.line_id!r} has no QTY+47 invoiced quantity", it.k, None, "13"
                )
            ctx.warnings.append(f"invoice line {it.line_id!r}: QTY+47 missing, QTY+12 used")
        amount = it.amounts.get("203", it.amounts.get("66"))
        price = next((it.prices[c] for c in ("AAA", "INV", "CAL", "AAB") if c in it.prices), None)
        if amount is None and price is not None:
            amount = price * q[0]
        if amount is None:
            raise ctx.error(f"invoice line {it.line_id!r} has neither MOA+203 nor a PRI", it.k, None, "13")
        if price is None:
            price = amount / q[0] if q[0] else Decimal(0)
        lines.append(
            InvoiceLine(
                it.line_id,
                q[0],
                price,
                amount,
                q[1],
                it.refs.get("LI"),
                it.gtin,
                it.supplier_article,
                it.buyer_article,
                it.description,
                it.tax_category or "S",
                it.tax_rate,
                _allowances(it.allowances or ()),
            )
        )

    subtotals: list[TaxSubtotal] = []
    for t in taxes:
        if t.k < 0:
            continue
        if t.tax is None:
            ctx.warnings.append(f"TAX at segment {ctx.start_index + t.k} has no MOA+124 tax amount; ignored")
            continue
        taxable = t.taxable
        if taxable is None:
            taxable = sum(
                (ln.net_amount for ln in lines if ln.vat_category == t.category and ln.vat_rate == t.rate),
                Decimal(0),
            )
        subtotals.append(TaxSubtotal(t.category, t.rate, taxable, t.tax))

    line_total = totals.get("79", sum((ln.net_amount for ln in lines), Decimal(0)))
    tax_total = totals.get("176", sum((s.tax_amount for s in subtotals), Decimal(0)))
    inclusive = next((totals[c] for c in ("77", "86", "39", "128") if c in totals), None)
    exclusive = totals.get("125")
    if inclusive is None:
        if exclusive is None:
            exclusive = line_total
        inclusive = exclusive + tax_total
    if exclusive is None:
        exclusive = inclusive - tax_total
    prepaid = totals.get("113")
    payable = totals.get("9", inclusive - (prepaid or 0))
    due = ctx.dtm(due_k)[1] if due_k is not None else None
    terms = PaymentTerms(terms_text, due, iban, bic, means, discount, discount_days, net_days)
    acs = _allowances(header_acs)
    return Invoice(
        number=number,
        issue_date=issue,
        currency=currency,
        seller=seller,
        buyer=buyer,
        lines=tuple(lines),
        tax_subtotals=tuple(subtotals),
        totals=MonetaryTotals(
            line_total,
            exclusive,
            tax_total,
            inclusive,
            payable,
            totals.get("260", _total(acs, charge=False)),
            totals.get("259", _total(acs, charge=True)),
            prepaid,
        ),
        type_code=type_code,
        order_number=refs.get("ON"),
        despatch_number=refs.get("AAK", refs.get("DQ")),
        invoice_reference=refs.get("IV", refs.get("OI")),
        delivery_date=ctx.date_of(dates, "35"),
        payee=payee,
        ship_to=ship_to,
        payment_terms=None if terms == PaymentTerms() else terms,
        note=note,
        allowances_charges=acs,
        other_parties=others,
    )


def _moa(qual: str, value: Decimal) -> Segment:
    return ("MOA", (qual, fmt_decimal(value)))


def _tax_seg(category: str, rate: Decimal | None) -> Segment:
    return ("TAX", "7", "VAT", "", "", ("", "", "", fmt_decimal(rate)) if rate is not None else "", category)


def encode_invoic(doc: Invoice, version: str) -> list[Segment]:
    out: list[Segment] = [("BGM", doc.type_code, text(doc.number), "9"), dtm("137", doc.issue_date)]
    if doc.delivery_date:
        out.append(dtm("35", doc.delivery_date))
    if doc.note:
        out.append(("FTX", "AAI", "", "", text(doc.note)))
    terms = doc.payment_terms
    if terms and terms.payment_means_code:
        out.append(("PAI", ("", "", terms.payment_means_code)))
    if doc.order_number:
        out.append(("RFF", ("ON", text(doc.order_number))))
    if doc.despatch_number:
        out.append(("RFF", ("AAK", text(doc.despatch_number))))
    if doc.invoice_reference:
        out.append(("RFF", ("IV", text(doc.invoice_reference))))
    for qual, party in (("BY", doc.buyer), ("SU", doc.seller), ("DP", doc.ship_to), ("PE", doc.payee)):
        if party is not None:
            out.extend(party_segments(qual, party, version))
            if qual == "SU" and terms and (terms.iban or terms.bic):
                out.append(("FII", "BF", terms.iban or "", terms.bic or ""))
    out.extend(other_party_segments(doc.other_parties, version))
    out.append(("CUX", ("2", doc.currency, "4")))
    if terms and (terms.description or terms.due_date or terms.net_days is not None):
        days = ("5", "3", "D", str(terms.net_days)) if terms.net_days is not None else ""
        out.append(("PAT", "1", ("", "", "", text(terms.description or "")), days))
        if terms.due_date:
            out.append(dtm("13", terms.due_date))
    if terms and (terms.discount_percent is not None or terms.discount_days is not None):
        days = ("5", "3", "D", str(terms.discount_days)) if terms.discount_days is not None else ""
        out.append(("PAT", "22", "", days))
        if terms.discount_percent is not None:
            out.append(("PCD", ("12", fmt_decimal(terms.discount_percent))))
    for ac in doc.allowances_charges:
        out.extend(allowance_segments(ac))
    for line in doc.lines:
        out.extend(
            item_segments(
                text(line.line_id),
                gtin=line.gtin,
                supplier_article=line.supplier_article,
                buyer_article=line.buyer_article,
                description=line.description,
                version=version,
            )
        )
        out.append(qty("47", line.quantity, line.unit))
        out.append(_moa("203", line.net_amount))
        out.append(("PRI", ("AAA", fmt_decimal(line.net_price))))
        if line.order_line_id:
            out.append(("RFF", ("LI", text(line.order_line_id))))
        out.append(_tax_seg(line.vat_category, line.vat_rate))
        for ac in line.allowances_charges:
            out.extend(allowance_segments(ac))
    out.append(("UNS", "S"))
    t = doc.totals
    out.append(_moa("79", t.line_total))
    out.append(_moa("125", t.tax_exclusive))
    out.append(_moa("176", t.tax_total))
    out.append(_moa("77", t.tax_inclusive))
    out.append(_moa("9", t.payable))
    for qual, value in (("260", t.allowance_total), ("259", t.charge_total), ("113", t.prepaid)):
        if value is not None:
            out.append(_moa(qual, value))
    for sub in doc.tax_subtotals:
        out.append(_tax_seg(sub.category, sub.rate))
        out.append(_moa("125", sub.taxable_amount))
        out.append(_moa("124", sub.tax_amount))
    return out
