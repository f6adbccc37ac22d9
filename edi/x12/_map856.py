"""856 Ship Notice/Manifest <-> :class:`DespatchAdvice`.

Hierarchy: S (shipment) > O (order) > P or T (pack, tare) > I (item). Items directly below O, or
below a pack without MAN, go into a package without SSCC.

Line numbers: LIN01 is ``line_id``; items without one are numbered by their position in the set.
``order_line_id`` is the purchaser's order line number (LIN qualifier PL) or, when there is no PL
pair, LIN01 (most senders put the order line number there). On writing, an item whose line id is
its position and which names no order line gets an empty LIN01 (unless the LIN would be empty), so
that reading it back does not invent an order line; an order line different from the line id is
written as a PL pair.
"""

from __future__ import annotations

from datetime import date

from edi._roles import split_parties
from edi.documents import DespatchAdvice, DespatchLine, Package, Party
from edi.x12._map850 import BUYER_ROLES
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

__all__ = ["decode_856", "encode_856"]

SELLER_ROLES_856 = ("SE", "VN", "SU", "SF", "SH")
LEVELS = frozenset(("S", "O", "P", "T", "I", "Q"))
BATCH_QUALIFIERS = frozenset(("LT", "B8"))


class _Pack:
    __slots__ = ("lines", "sscc")

    def __init__(self, sscc: str | None) -> None:
        self.sscc = sscc
        self.lines: list[DespatchLine] = []


def _sscc(value: str) -> str:
    # MAN GM carries the application identifier (00) in front of the 18 digits.
    return value[2:] if len(value) == 20 and value.startswith("00") else value


def decode_856(segs: list[Segment]) -> tuple[DespatchAdvice, list[str]]:
    """Map an 856 to a DespatchAdvice."""
    bsn: Segment | None = None
    bsn_index = 0
    parties: list[tuple[str, Party]] = []
    party: PartyReader | None = None
    order_number = None
    shipped: date | None = None
    expected: date | None = None
    carrier = tracking = None
    loose = _Pack(None)
    packs: list[_Pack] = []
    pack: _Pack | None = None
    packs_by_id: dict[str, _Pack] = {}
    levels = 0
    level = ""
    item: dict[str, object] | None = None
    warnings: list[str] = []

    def close_item() -> None:
        nonlocal item
        if item is None:
            return
        if "quantity" not in item:
            raise fail("item level (HL I) has no SN1 with the quantity shipped", bsn_index, "SN1", "3")
        (pack or loose).lines.append(DespatchLine(**item))  # type: ignore[arg-type]
        item = None

    for i, seg in enumerate(segs, 1):
        tag = seg[0]
        if party is not None:
            if party.take(seg):
                continue
            parties.append((party.code, party.party()))
            party = None
        if tag == "HL":
            close_item()
            levels += 1
            level = el(seg, 3)
            if level not in LEVELS:
                raise fail(f"HL03 level code {level!r} is not S, O, T, P or I", i, seg, "7", 3)
            if level in ("P", "T"):
                pack = _Pack(None)
                packs.append(pack)
                packs_by_id[el(seg, 1)] = pack
            elif level in ("S", "O"):
                pack = None
            elif level == "I":
                pack = packs_by_id.get(el(seg, 2))
                item = {}
        elif tag == "LIN" and item is not None:
            gtin, supplier, buyer = product_ids(seg, 2)
            line_no = el(seg, 1)
            order_line = next((seg[q + 1] for q in range(2, len(seg) - 1, 2) if seg[q] == "PL"), "")
            item.update(
                line_id=line_no or str(sum(len(p.lines) for p in packs) + len(loose.lines) + 1),
                order_line_id=order_line or line_no or None,
                gtin=gtin,
                supplier_article=supplier,
                buyer_article=buyer,
            )
            for q in range(2, len(seg) - 1, 2):
                if seg[q] in BATCH_QUALIFIERS and seg[q + 1]:
                    item["batch_number"] = seg[q + 1]
        elif tag == "SN1" and item is not None:
            if not el(seg, 2):
                raise fail("SN102 number of units shipped is missing", i, seg, "1", 2)
            item["quantity"] = dec(el(seg, 2), i, seg, 2)
            item["unit"] = unit_from_x12(el(seg, 3))
        elif tag == "PID" and item is not None:
            item.setdefault("description", el(seg, 5) or None)
        elif tag == "REF":
            if el(seg, 1) == "LT" and item is not None:
                item["batch_number"] = el(seg, 2) or None
            elif el(seg, 1) == "CN" and tracking is None:
                tracking = el(seg, 2) or None
        elif tag == "DTM":
            qualifier, value = el(seg, 1), el(seg, 2)
            if value and item is not None and qualifier in ("036", "511"):
                item["best_before"] = parse_date(value, i, seg, 2)
            elif value and qualifier == "011":
                shipped = parse_date(value, i, seg, 2)
            elif value and qualifier in ("017", "067", "002"):
                expected = parse_date(value, i, seg, 2)
        elif tag == "MAN" and pack is not None:
            if el(seg, 1) == "GM" and el(seg, 2):
                pack.sscc = _sscc(el(seg, 2))
        elif tag == "PRF":
            if order_number is None:
                order_number = el(seg, 1) or None
            elif el(seg, 1) and el(seg, 1) != order_number:
                warnings.append(
                    f"shipment covers several orders; order_number keeps {order_number}, "
                    f"PRF {el(seg, 1)} is not carried"
                )
        elif tag == "TD5" and carrier is None:
            carrier = el(seg, 3) or el(seg, 5) or None
        elif tag == "N1":
            party = PartyReader(seg)
        elif tag == "BSN":
            bsn, bsn_index = seg, i
    close_item()
    if party is not None:
        parties.append((party.code, party.party()))
    if bsn is None:
        raise fail("mandatory segment BSN (beginning segment for ship notice) is missing", 2, "BSN", "3")
    if not el(bsn, 2):
        raise fail("BSN02 shipment identification is missing", bsn_index, bsn, "1", 2)
    if order_number is None:
        raise fail("no PRF segment names the purchase order of this shipment", bsn_index, "PRF", "3")
    packages = [Package(lines=tuple(p.lines), sscc=p.sscc) for p in packs]
    # Guides disagree whether CTT01 counts HL segments or items: either is accepted.
    items = sum(len(p.lines) for p in packages) + len(loose.lines)
    if loose.lines:
        packages.insert(0, Package(lines=tuple(loose.lines)))
    (buyer_party, seller_party, ship_to), others = split_parties(
        parties, (BUYER_ROLES, SELLER_ROLES_856, ("ST",)), ROLES
    )
    return DespatchAdvice(
        number=bsn[2],
        order_number=order_number,
        issue_date=parse_date(el(bsn, 3), bsn_index, bsn, 3),
        buyer=buyer_party or Party(),
        seller=seller_party or Party(),
        packages=tuple(packages),
        ship_to=ship_to,
        despatch_date=shipped,
        expected_delivery_date=expected,
        carrier=carrier,
        tracking_number=tracking,
        other_parties=others,
    ), warnings + (ctt_warnings(segs, levels, "HL levels") and ctt_warnings(segs, items, "items"))


def encode_856(doc: DespatchAdvice, w: Writer) -> None:
    """Write the body of an 856: S > O > P (one per package) > I."""
    w.add("BSN", "00", w.text(doc.number, "number"), fmt_date(doc.issue_date), "0000", "0001")
    w.add("HL", "1", "", "S")
    if doc.carrier:
        w.add("TD5", "", "2", w.text(doc.carrier, "carrier"))
    if doc.tracking_number:
        w.add("REF", "CN", w.text(doc.tracking_number, "tracking_number"))
    if doc.despatch_date:
        w.add("DTM", "011", fmt_date(doc.despatch_date))
    if doc.expected_delivery_date:
        w.add("DTM", "017", fmt_date(doc.expected_delivery_date))
    w.party("BY", doc.buyer, "buyer")
    w.party("SE", doc.seller, "seller")
    w.party("ST", doc.ship_to, "ship_to")
    w.others(doc.other_parties)
    w.add("HL", "2", "1", "O")
    w.add("PRF", w.text(doc.order_number, "order_number"))
    number = 2
    position = 0  # the item's place in the set: its line id when LIN01 is empty
    for p, package in enumerate(doc.packages):
        number += 1
        pack_number = number
        w.add("HL", str(pack_number), "2", "P")
        if package.sscc:
            w.add(
                "MAN",
                "GM",
                "00" + w.text(package.sscc, f"packages[{p}].sscc")
                if len(package.sscc) == 18
                else w.text(package.sscc, f"packages[{p}].sscc"),
            )
        for n, line in enumerate(package.lines):
            field = f"packages[{p}].lines[{n}]"
            position += 1
            number += 1
            w.add("HL", str(number), str(pack_number), "I")
            pairs = w.product_ids(line.gtin, line.supplier_article, line.buyer_article, field)
            if line.batch_number:
                pairs += ["LT", w.text(line.batch_number, f"{field}.batch_number")]
            line_no = w.text(line.line_id, f"{field}.line_id")
            if line.order_line_id is None and line_no == str(position) and pairs:
                line_no = ""  # LIN02/LIN03 are mandatory: a LIN never goes out empty
            elif line.order_line_id not in (None, line.line_id):
                pairs += ["PL", w.text(line.order_line_id, f"{field}.order_line_id")]
            w.add("LIN", line_no, *pairs)
            w.add("SN1", "", fmt_dec(line.quantity), w.unit(line.unit, f"{field}.unit"))
            if line.description:
                w.add("PID", "F", "", "", "", w.text(line.description, f"{field}.description"))
            if line.best_before:
                w.add("DTM", "036", fmt_date(line.best_before))
    w.add("CTT", str(number))
