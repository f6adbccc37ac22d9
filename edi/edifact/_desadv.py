"""DESADV <-> DespatchAdvice (EANCOM EAN005/EAN007): CPS hierarchy, PAC, GIN+BJ SSCC, batches."""

from __future__ import annotations

from dataclasses import dataclass, field

from edi._roles import split_parties
from edi.documents import DespatchAdvice, DespatchLine, Package, Party
from edi.edifact._lines import ItemState, item_segments, qty, read_item_segment, start_item
from edi.edifact._syntax import Segment
from edi.edifact._values import ROLES, Ctx, comp, dtm, elem, other_party_segments, party_segments, text

__all__ = ["decode_desadv", "encode_desadv"]


@dataclass(slots=True)
class _Pack:
    sscc: str | None = None
    package_type: str | None = None
    items: list[ItemState] = field(default_factory=list)


def decode_desadv(ctx: Ctx) -> DespatchAdvice:
    segs = ctx.segments
    number, number_k = "", 0
    dates: dict[str, int] = {}  # DTM 2005 -> k (see Ctx.note_date)
    parties: list[tuple[str, Party]] = []
    refs: dict[str, str] = {}
    carrier: str | None = None
    packs: list[_Pack] = []
    pack: _Pack | None = None
    item: ItemState | None = None
    n_items = 0
    k = 1
    end = len(segs) - 1
    while k < end:
        seg = segs[k]
        tag = seg[0]
        if tag == "CPS":
            pack = _Pack()
            packs.append(pack)
            item = None
        elif tag == "LIN":
            if pack is None:
                pack = _Pack()
                packs.append(pack)
            n_items += 1
            item = start_item(ctx, k, n_items)
            pack.items.append(item)
        elif tag == "UNS":
            item = None
            pack = None
        elif item is not None:
            if tag == "GIN" and comp(elem(seg, 1)) == "BX":
                item.batch_number = item.batch_number or comp(elem(seg, 2)) or None
            else:
                read_item_segment(ctx, item, k, tag)
        elif pack is not None:
            if tag == "PAC":
                pack.package_type = pack.package_type or comp(elem(seg, 3)) or None
            elif tag == "GIN" and comp(elem(seg, 1)) == "BJ":
                sscc = comp(elem(seg, 2))
                if ctx.strict and not (len(sscc) == 18 and sscc.isdigit()):
                    raise ctx.error(f"GIN+BJ SSCC {sscc!r} is not 18 digits", k, 2, "12")
                pack.sscc = pack.sscc or sscc or None
        elif tag == "BGM":
            number, number_k = comp(elem(seg, 2)), k
        elif tag == "DTM":
            ctx.note_date(dates, k)
        elif tag == "RFF":
            c506 = elem(seg, 1)
            refs.setdefault(comp(c506), comp(c506, 1))
        elif tag == "NAD":
            qual, party, nxt = ctx.party(k)
            parties.append((qual, party))
            k = nxt
            continue
        elif tag == "TDT":
            c040 = elem(seg, 5)
            carrier = carrier or comp(c040, 3) or comp(c040, 0) or None
        k += 1
    if not number:
        raise ctx.missing("BGM despatch advice number (C106 1004)", number_k)
    issue = ctx.date_of(dates, "137")
    if issue is None:
        issue = ctx.date_of(dates, "11")
        if issue is None:
            raise ctx.missing("DTM+137 document date")
        ctx.warnings.append("DTM+137 is missing; the despatch date DTM+11 is used as the document date")
    if "ON" not in refs:
        raise ctx.missing("RFF+ON order number")
    (buyer, seller, ship_to), others = split_parties(parties, (("BY",), ("SU",), ("DP", "ST")), ROLES)
    if buyer is None:
        raise ctx.missing("NAD+BY party")
    if seller is None:
        raise ctx.missing("NAD+SU party")
    packages: list[Package] = []
    for p in packs:
        lines: list[DespatchLine] = []
        for it in p.items:
            q = it.qty.get("12")
            if q is None:
                raise ctx.error(
                    f"despatch line {it.line_id!r} has no QTY+12 despatched quantity", it.k, None, "13"
                )
            lines.append(
                DespatchLine(
                    it.line_id,
                    q[0],
                    q[1],
                    it.refs.get("LI"),
                    it.gtin,
                    it.supplier_article,
                    it.buyer_article,
                    it.description,
                    it.batch_number,
                    ctx.date_of(it.dates, "361"),
                )
            )
        if lines or p.sscc:
            packages.append(Package(tuple(lines), p.sscc, p.package_type))
    return DespatchAdvice(
        number=number,
        order_number=refs["ON"],
        issue_date=issue,
        buyer=buyer,
        seller=seller,
        packages=tuple(packages),
        ship_to=ship_to,
        despatch_date=ctx.date_of(dates, "11"),
        expected_delivery_date=ctx.date_of(dates, "17", "132"),
        carrier=carrier,
        tracking_number=refs.get("CN"),
        other_parties=others,
    )


def encode_desadv(doc: DespatchAdvice, version: str) -> list[Segment]:
    out: list[Segment] = [("BGM", "351", text(doc.number), "9"), dtm("137", doc.issue_date)]
    if doc.despatch_date:
        out.append(dtm("11", doc.despatch_date))
    if doc.expected_delivery_date:
        out.append(dtm("17", doc.expected_delivery_date))
    out.append(("RFF", ("ON", text(doc.order_number))))
    if doc.tracking_number:
        out.append(("RFF", ("CN", text(doc.tracking_number))))
    for qual, party in (("BY", doc.buyer), ("SU", doc.seller), ("DP", doc.ship_to)):
        if party is not None:
            out.extend(party_segments(qual, party, version))
    out.extend(other_party_segments(doc.other_parties, version))
    if doc.carrier:
        out.append(("TDT", "20", "", "", "", ("", "", "", text(doc.carrier))))
    out.append(("CPS", "1"))
    for n, package in enumerate(doc.packages, start=2):
        out.append(("CPS", str(n), "1"))
        out.append(("PAC", "1", "", package.package_type or ""))
        if package.sscc:
            out.append(("PCI", "33E"))
            out.append(("GIN", "BJ", package.sscc))
        for line in package.lines:
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
            out.append(qty("12", line.quantity, line.unit))
            if line.order_line_id:
                out.append(("RFF", ("LI", text(line.order_line_id))))
            if line.batch_number or line.best_before:
                out.append(("PCI", "36E"))
                if line.best_before:
                    out.append(dtm("361", line.best_before))
                if line.batch_number:
                    out.append(("GIN", "BX", text(line.batch_number)))
    out.append(("CNT", ("2", str(sum(len(p.lines) for p in doc.packages)))))
    return out
