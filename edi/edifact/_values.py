"""Reading values out of message segments: numbers, dates, parties; and the mapping-error helper."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from edi._construct import new_address, new_party
from edi._roles import Roles
from edi.documents import Address, Contact, OtherParty, Party
from edi.edifact._envelope import comp, elem, parts
from edi.edifact._syntax import Element, Segment
from edi.errors import EdiSyntaxError, MappingError, Position

__all__ = ["ROLES", "Ctx", "comp", "elem", "fmt_decimal", "other_party_segments", "parts"]

# NAD 3035 party function code qualifier <-> party role (see edi.documents, "Parties"). DP is the
# ship-to written; ST is read as one too.
ROLES = Roles(
    "edifact",
    {
        "IV": "bill_to",
        "BY": "buyer",
        "CA": "carrier",
        "CN": "consignee",
        "II": "invoice_issuer",
        "OB": "ordered_by",
        "PE": "payee",
        "PR": "payer",
        "SE": "seller",
        "SF": "ship_from",
        "DP": "ship_to",
        "ST": "ship_to",
        "SU": "supplier",
        "LC": "tax_representative",
        "UC": "ultimate_consignee",
    },
)

_NUMBER = re.compile(r"-?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_QUALIFIER = re.compile(r"[A-Za-z0-9]{1,3}")

# DTM 2379 format -> (slice of the value that holds CCYYMMDD-like digits, strptime-free parser)
_DATE_FORMATS = {"102": 8, "203": 12, "204": 14, "718": 17, "101": 6, "201": 10, "2": 6, "205": 15}

_NO_ADDRESS = Address()


# Segment directory limits (D96A..D01B) for the segments the mappings read: the most data elements,
# and the most components per composite. An unreleased ':' or '+' in free text shows up here.
LIMITS: dict[str, tuple[int, dict[int, int]]] = {
    "BGM": (4, {1: 4, 2: 3}),
    "DTM": (1, {1: 3}),
    "NAD": (9, {2: 3, 3: 5, 4: 6, 5: 4}),
    "LIN": (6, {3: 4, 4: 2}),
    "PIA": (6, {2: 4, 3: 4, 4: 4, 5: 4, 6: 4}),
    "IMD": (4, {2: 4, 3: 6}),
    "QTY": (1, {1: 3}),
    "PRI": (2, {1: 6}),
    "MOA": (1, {1: 5}),
    "RFF": (1, {1: 5}),
    "FTX": (6, {3: 3, 4: 5}),
    "CUX": (4, {1: 4, 2: 4}),
    "DOC": (5, {1: 4, 2: 6}),
}


# per tag: (1 + the most data elements, ((element, most components), ...))
_CHECKS: dict[str, tuple[int, tuple[tuple[int, int], ...]]] = {
    tag: (most + 1, tuple(comps.items())) for tag, (most, comps) in LIMITS.items()
}


def _filled(parts: tuple[Element, ...]) -> int:
    """Length of a segment or composite without its empty trailing elements or components."""
    n = len(parts)
    while n > 1 and not any(parts[n - 1]):
        n -= 1
    return n


def fmt_decimal(value: Decimal) -> str:
    """Plain notation (no exponent): ``1E+2`` becomes ``100``; EDIFACT numbers carry no exponent."""
    text = format(value, "f")
    return text


class Ctx:
    """One message being mapped: its segments, where it sits in the interchange, and warnings."""

    def __init__(
        self,
        segments: list[Segment],
        start_index: int,
        locate: Callable[[int], Position] | None = None,
        *,
        strict: bool = False,
    ) -> None:
        self.segments = segments
        self.start_index = start_index
        self.locate = locate
        self.strict = strict
        self.warnings: list[str] = []
        self._dtms: list[int] = []  # every DTM registered with note_date
        self._dates_read: set[int] = set()

    def check_structure(self) -> None:
        """Too many data elements or components in a mapped segment: ISO 9735 0085 code 16. Empty
        trailing elements and components (``BGM+380+X++++``) are not counted: other parsers read
        them, and strict mode refuses them in the tokenizer (code 45)."""
        checks = _CHECKS
        for k, seg in enumerate(self.segments):
            rule = checks.get(seg[0])  # type: ignore[arg-type]
            if rule is None:
                continue
            most, caps = rule
            n = len(seg)
            if n > most:
                n = _filled(seg)
                if n > most:
                    raise self._syntax(
                        f"{seg[0]} has {n - 1} data elements, at most {most - 1} allowed "
                        "(unreleased separator in the data?)",
                        k,
                        most,
                    )
            for i, cap in caps:
                if i < n:
                    el = seg[i]
                    if el.__class__ is tuple and len(el) > cap and (filled := _filled(el)) > cap:
                        raise self._syntax(
                            f"{seg[0]} element {i} has {filled} components, at most {cap} allowed "
                            "(unreleased ':' in the data? write '?:')",
                            k,
                            i,
                        )

    def _syntax(self, message: str, k: int, element: int) -> EdiSyntaxError:
        err = self.error(message, k, element, "16")
        return EdiSyntaxError(message, position=err.position, code="16")

    def error(self, message: str, k: int, element: int | None = None, code: str = "12") -> MappingError:
        seg = self.segments[k] if 0 <= k < len(self.segments) else None
        tag = comp(seg[0]) if seg else None
        pos = self.locate(k) if self.locate else Position()
        pos = replace(pos, segment_index=self.start_index + k, segment_tag=tag, element=element)
        return MappingError(message, position=pos, code=code)

    def missing(self, what: str, k: int = 0) -> MappingError:
        return self.error(f"mandatory {what} is missing", k, None, "13")

    def dec(self, text: str, k: int, element: int, what: str) -> Decimal:
        if not _NUMBER.fullmatch(text):
            # 0085 code 37: invalid type of character(s) in a numeric element
            raise self.error(f"{what} {text!r} is not a number", k, element, "37")
        return Decimal(text.replace(",", "."))

    def opt_dec(self, text: str, k: int, element: int, what: str) -> Decimal | None:
        return self.dec(text, k, element, what) if text else None

    def qualifier(self, seg: Segment, k: int, element: int = 1) -> str:
        value = comp(elem(seg, element))
        name = comp(seg[0])
        if not _QUALIFIER.fullmatch(value):
            raise self.error(
                f"{name} qualifier {value!r} is not a valid code (1-3 letters/digits)", k, element, "12"
            )
        if not value.isupper() and not value.isdigit():
            if self.strict:
                raise self.error(
                    f"{name} qualifier {value!r} is not upper case (code values are)", k, element, "12"
                )
            self.warnings.append(
                f"{name} qualifier {value!r} at segment {self.start_index + k} is not upper case"
            )
        return value

    def note_date(self, dates: dict[str, int], k: int) -> str:
        """Register the DTM at ``k`` in ``dates`` (2005 qualifier -> segment; the first of a qualifier
        counts) without reading its value: :meth:`date_of` reads the ones the mapping uses, and
        :meth:`unused_dates` checks the rest, so an unreadable date the document does not need costs
        a warning, not the message. Returns the qualifier."""
        qual = comp(elem(self.segments[k], 1))
        dates.setdefault(qual, k)
        self._dtms.append(k)
        return qual

    def date_of(self, dates: dict[str, int], *quals: str) -> date | None:
        """The date of the first of ``quals`` registered in ``dates``; a value that cannot be read
        is a :class:`MappingError` here, where the document needs it."""
        for qual in quals:
            k = dates.get(qual)
            if k is not None:
                return self.dtm(k)[1]
        return None

    def unused_dates(self) -> None:
        """Every registered DTM the mapping did not read must still be readable: a warning when it is
        not (an unsupported format, an empty value), an error in strict mode."""
        for k in self._dtms:
            if k in self._dates_read:
                continue
            try:
                self.dtm(k)
            except MappingError as exc:
                if self.strict:
                    raise
                self.warnings.append(f"{exc}; the date is not used by the mapping and was ignored")

    def dtm(self, k: int) -> tuple[str, date]:
        """DTM C507 -> (2005 qualifier, date). Formats 102, 203, 204, 718 (start), 101, 201, 2, 205."""
        self._dates_read.add(k)
        seg = self.segments[k]
        c507 = elem(seg, 1)
        qual, value, fmt = comp(c507, 0), comp(c507, 1), comp(c507, 2)
        if not fmt:
            fmt = {8: "102", 12: "203", 14: "204", 6: "101"}.get(len(value), "")
        try:
            if fmt in ("102", "203", "204", "718", "205") and len(value) >= 8:
                return qual, date(int(value[:4]), int(value[4:6]), int(value[6:8]))
            if fmt in ("101", "201") and len(value) >= 6:
                return qual, date(
                    2000 + int(value[:2]) if int(value[:2]) < 70 else 1900 + int(value[:2]),
                    int(value[2:4]),
                    int(value[4:6]),
                )
            if fmt == "2" and len(value) == 6:
                return qual, date(2000 + int(value[4:6]), int(value[2:4]), int(value[:2]))
        except ValueError:
            pass
        if fmt and fmt not in _DATE_FORMATS:
            raise self.error(f"DTM format {fmt!r} is not supported (use 102, 203, 204 or 718)", k, 1, "12")
        raise self.error(f"DTM {qual} value {value!r} is not a valid date in format {fmt or '?'}", k, 1, "12")

    def party(self, k: int) -> tuple[str, Party, int]:
        """NAD at ``k`` with its following RFF+VA / CTA / COM; returns (qualifier, party, next k)."""
        seg = self.segments[k]
        qual = self.qualifier(seg, k)
        c082 = elem(seg, 2)
        ident, agency = comp(c082, 0), comp(c082, 2)
        if ident and agency == "9" and not (len(ident) == 13 and ident.isdigit()):
            if self.strict:
                raise self.error(f"NAD {qual} GLN {ident!r} is not 13 digits", k, 2, "12")
            self.warnings.append(f"NAD {qual}: identifier {ident!r} with code list 9 is not a 13-digit GLN")
        c080 = elem(seg, 4)
        name = " ".join(x for x in (comp(c080, i) for i in range(5)) if x) or comp(elem(seg, 3)) or None
        street = " ".join(x for x in (comp(elem(seg, 5), i) for i in range(4)) if x) or None
        city = comp(elem(seg, 6)) or None
        c819 = elem(seg, 7)  # 3229 code (D96A..D04B: the whole element), later also 3228 name
        region = (comp(c819) or comp(c819, 3) or None) if c819 else None
        postal = comp(elem(seg, 8)) or None
        country = comp(elem(seg, 9)) or None
        address = new_address(street, city, postal, country, None, region)
        vat_id = None
        contact_name = phone = email = None
        j = k + 1
        segs = self.segments
        while j < len(segs):
            tag = segs[j][0]
            if tag == "RFF":
                c506 = elem(segs[j], 1)
                if comp(c506) == "VA":
                    vat_id = comp(c506, 1) or None
            elif tag == "CTA":
                contact_name = comp(elem(segs[j], 2), 1) or contact_name
            elif tag == "COM":
                c076 = elem(segs[j], 1)
                if comp(c076, 1) == "TE":
                    phone = comp(c076) or None
                elif comp(c076, 1) == "EM":
                    email = comp(c076) or None
            elif tag not in ("LOC", "DTM"):
                break
            j += 1
        contact = Contact(contact_name, phone, email) if (contact_name or phone or email) else None
        party = new_party(
            name=name,
            gln=ident if ident and agency == "9" else None,
            party_id=ident if ident and agency != "9" else None,
            vat_id=vat_id,
            address=address if address != _NO_ADDRESS else None,
            contact=contact,
        )
        return qual, party, j


def party_segments(qual: str, party: Party, version: str = "D96A") -> list[Segment]:
    """NAD (+ RFF+VA, CTA, COM) for ``party``. The region is 3229 (an..9, a code); from D01B on,
    where NAD has the composite C819, a longer region or one with blanks is its name, 3228."""
    ident = party.gln or party.party_id or ""
    c082: tuple[str, ...] | str = (ident, "", "9") if party.gln else (ident, "", "91") if ident else ""
    addr = party.address or Address()
    name = addr.region or ""
    region: str | tuple[str, ...] = name
    if "D01B" <= version < "D90" and (len(name) > 9 or " " in name):
        region = ("", "", "", name)
    nad = trim(
        (
            "NAD",
            qual,
            c082,
            "",
            party.name or "",
            addr.street or "",
            addr.city or "",
            region,
            addr.postal_code or "",
            addr.country_code or "",
        )
    )
    out: list[Segment] = [nad]
    if party.vat_id:
        out.append(("RFF", ("VA", party.vat_id)))
    if party.contact:
        c = party.contact
        if c.name:
            out.append(("CTA", "IC", ("", c.name)))
        if c.phone:
            out.append(("COM", (c.phone, "TE")))
        if c.email:
            out.append(("COM", (c.email, "EM")))
    return out


def other_party_segments(others: tuple[OtherParty, ...], version: str) -> list[Segment]:
    """NAD groups for the other parties whose role has an EDIFACT code."""
    out: list[Segment] = []
    for qual, party in ROLES.written(others):
        out.extend(party_segments(qual, party, version))
    return out


def trim(seg: tuple[str | tuple[str, ...], ...]) -> Segment:
    """Drop trailing empty components and elements (ISO 9735 forbids trailing separators)."""
    out: list[str | tuple[str, ...]] = []
    for el in seg:
        if isinstance(el, tuple):
            comps = list(el)
            while comps and not comps[-1]:
                comps.pop()
            el = comps[0] if len(comps) == 1 else tuple(comps) if comps else ""
        out.append(el)
    while len(out) > 1 and not out[-1]:
        out.pop()
    return tuple(out)


def dtm(qual: str, value: date) -> Segment:
    return ("DTM", (qual, value.strftime("%Y%m%d"), "102"))


def text(value: str) -> str:
    """Line breaks cannot be carried (they are not data in EDIFACT): they become spaces."""
    return value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
