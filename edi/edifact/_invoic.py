"""INVOIC <-> Invoice (EANCOM EAN008/EAN011 and plain UN directories).

Totals (summary section, after UNS): MOA 79 line total, 125 taxable amount (tax exclusive), 176 total
tax, 77 invoice amount (tax inclusive), 86 message total (used when 77 is absent), 9 amount due
(payable), 113 prepaid, 260 allowances, 259 charges. TAX+MOA 124/125 after UNS are the subtotals.
Missing totals are derived (documented on :func:`decode_invoic`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from edi.documents import Invoice, InvoiceLine, MonetaryTotals, Party, PaymentTerms, TaxSubtotal
from edi.edifact._lines import ItemState, item_segments, qty, read_item_segment, start_item
from edi.edifact._syntax import Segment
from edi.edifact._values import Ctx, comp, dtm, elem, fmt_decimal, party_segments, text

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


def decode_invoic(ctx: Ctx) -> Invoice:
    """Derivations when the file lacks a total: line total = sum of line amounts; tax total = sum
    of the TAX subtotals (0 when there are none); tax inclusive = 77, else 86, 39 or 128; tax
    exclusive = inclusive - tax; payable = 9, else inclusive - prepaid."""
    segs = ctx.segments
    number, number_k, type_code = "", 0, "380"
    dates: dict[str, int] = {}  # DTM 2005 -> k (see Ctx.note_date)
    parties: dict[str, Party] = {}
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
    in_pat = False
    iban = bic = means = None
    k = 1
    end = len(segs) - 1
    while k < end:
        seg = segs[k]
        tag = seg[0]
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
            qual = ctx.note_date(dates, k)
            if in_pat and qual == "13" and due_k is None:
                due_k = k
        elif tag == "NAD":
            qual, party, nxt = ctx.party(k)
            parties.setdefault(qual, party)
            k = nxt
            in_pat = False
            continue
        elif tag == "RFF":
            c506 = elem(seg, 1)
            refs.setdefault(comp(c506), comp(c506, 1))
        elif tag == "CUX":
            currency = currency or comp(elem(seg, 1), 1) or None
        elif tag == "FTX" and note is None:
            note = " ".join(x for x in (comp(elem(seg, 4), i) for i in range(5)) if x) or None
        elif tag == "PAT":
            in_pat = True
            c112 = elem(seg, 2)
            terms_text = terms_text or " ".join(x for x in (comp(c112, 3), comp(c112, 4)) if x) or None
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
    seller = parties.get("SU", parties.get("SE"))
    if seller is None:
        raise ctx.missing("NAD+SU seller")
    buyer = parties.get("BY") or parties.get("IV") or parties.get("BT")
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
    terms = None
    due = ctx.dtm(due_k)[1] if due_k is not None else None
    if terms_text or due or iban or bic or means:
        terms = PaymentTerms(terms_text, due, iban, bic, means)
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
            totals.get("260"),
            totals.get("259"),
            prepaid,
        ),
        type_code=type_code,
        order_number=refs.get("ON"),
        despatch_number=refs.get("AAK", refs.get("DQ")),
        delivery_date=ctx.date_of(dates, "35"),
        payee=parties.get("PE"),
        ship_to=parties.get("DP", parties.get("ST")),
        payment_terms=terms,
        note=note,
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
    for qual, party in (("BY", doc.buyer), ("SU", doc.seller), ("DP", doc.ship_to), ("PE", doc.payee)):
        if party is not None:
            out.extend(party_segments(qual, party))
            if qual == "SU" and terms and (terms.iban or terms.bic):
                out.append(("FII", "BF", terms.iban or "", terms.bic or ""))
    out.append(("CUX", ("2", doc.currency, "4")))
    if terms and (terms.description or terms.due_date):
        out.append(("PAT", "1", ("", "", "", text(terms.description or ""))))
        if terms.due_date:
            out.append(dtm("13", terms.due_date))
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
