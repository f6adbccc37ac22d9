"""Element values shared by the X12 mappings: numbers, dates, units, product ids and N1 parties.

Mapping errors carry a Position whose ``segment_index`` is relative to ST (ST = 1); the codec
shifts it to the interchange count. ``code`` is an X12 720 segment code when the fault is a whole
segment (``element`` is None) and an X12 723 element code when ``element`` is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import chain

from edi._construct import new_address, new_party
from edi._roles import Roles
from edi.documents import Contact, OtherParty, Party
from edi.errors import EncodeError, MappingError, Position
from edi.x12._syntax import Segment, Separators

__all__ = [
    "CACHE_LIMIT",
    "CACHE_TEXT",
    "DATES",
    "DECIMALS",
    "ID_SLOTS",
    "PARTY_LOOP",
    "ROLES",
    "UNITS",
    "PartyReader",
    "Writer",
    "ctt_warnings",
    "dec",
    "el",
    "fail",
    "fmt_date",
    "fmt_dec",
    "parse_date",
    "product_ids",
    "read_party",
    "unit_from_x12",
]

# X12 355 unit of measure -> UN/ECE Recommendation 20. The first code per target is the one written.
UNITS = {
    "EA": "C62",
    "PC": "H87",
    "CA": "CS",
    "BX": "BX",
    "CT": "CT",
    "DZ": "DZN",
    "KG": "KGM",
    "LB": "LBR",
    "GA": "GLL",
    "LT": "LTR",
    "FT": "FOT",
    "IN": "INH",
    "YD": "YRD",
    "MR": "MTR",
    "PK": "PK",
    "PL": "PF",
    "PR": "PR",
    "RL": "RO",
    "ST": "SET",
    "TN": "TNE",
    "HR": "HUR",
    "UN": "C62",
    "BG": "BG",
    "DR": "DR",
}
_UNITS_BACK: dict[str, str] = {}
for _x12, _rec20 in UNITS.items():
    _UNITS_BACK.setdefault(_rec20, _x12)


# X12 98 entity identifier code <-> party role (see edi.documents, "Parties").
ROLES = Roles(
    "x12",
    {
        "BT": "bill_to",
        "BY": "buyer",
        "CA": "carrier",
        "CN": "consignee",
        "EN": "end_user",
        "II": "invoice_issuer",
        "OB": "ordered_by",
        "PE": "payee",
        "PR": "payer",
        "RE": "remit_to",
        "SE": "seller",
        "SF": "ship_from",
        "ST": "ship_to",
        "SU": "supplier",
        "UC": "ultimate_consignee",
        "VN": "vendor",
    },
)


def el(seg: Segment, i: int) -> str:
    """Element ``i`` (1-based like the X12 reference numbers) or "" when absent."""
    return seg[i] if len(seg) > i else ""


def fail(message: str, index: int, seg: Segment | str, code: str, element: int | None = None) -> MappingError:
    tag = seg if isinstance(seg, str) else seg[0]
    return MappingError(
        message, position=Position(segment_index=index, segment_tag=tag, element=element), code=code
    )


# Decoded values by their element text. Orders repeat the same quantities, prices, dates and
# parties over and over, and Decimal, date and Party are immutable, so one object can serve every
# document. Only valid, short texts are stored, and a cache is emptied when full: memory stays
# bounded (entries x CACHE_TEXT characters) whatever the input.
CACHE_LIMIT = 4096
CACHE_TEXT = 1024
_NUMBER_TEXT = 40
DECIMALS: dict[str, Decimal] = {}
DATES: dict[str, date] = {}


def dec(value: str, index: int, seg: Segment, element: int) -> Decimal:
    """A numeric (R) element: digits with an optional sign and decimal point. Anything else (blanks,
    exponents, NaN) raises MappingError with X12 723 code 6."""
    number = DECIMALS.get(value)
    if number is not None:
        return number
    if value.isdigit() or value.replace(".", "", 1).lstrip("-").isdigit():
        try:
            number = Decimal(value)
        except InvalidOperation:
            pass
        else:
            if len(value) <= _NUMBER_TEXT:
                if len(DECIMALS) >= CACHE_LIMIT:
                    DECIMALS.clear()
                DECIMALS[value] = number
            return number
    raise fail(f"{seg[0]}{element:02d} {value!r} is not a number", index, seg, "6", element)


def parse_date(value: str, index: int, seg: Segment, element: int) -> date:
    """CCYYMMDD, or YYMMDD in older versions (years 70..99 are 19xx)."""
    day = DATES.get(value)
    if day is not None:
        return day
    try:
        if len(value) == 8 and value.isdigit():
            day = date(int(value[:4]), int(value[4:6]), int(value[6:]))
        elif len(value) == 6 and value.isdigit():
            year = int(value[:2])
            day = date(1900 + year if year >= 70 else 2000 + year, int(value[2:4]), int(value[4:]))
    except ValueError:
        pass
    if day is None:
        raise fail(f"{seg[0]}{element:02d} {value!r} is not a date (CCYYMMDD)", index, seg, "8", element)
    if len(DATES) >= CACHE_LIMIT:
        DATES.clear()
    DATES[value] = day
    return day


def ctt_warnings(segs: list[Segment], count: int, what: str) -> list[str]:
    """A warning when the CTT01 hash count near the end of the set disagrees with ``count``."""
    for seg in reversed(segs[-4:]):
        if seg[0] == "CTT":
            if len(seg) > 1 and seg[1] and seg[1] != str(count):
                return [f"CTT01 says {seg[1]} {what} but the transaction set has {count}"]
            break
    return []


def unit_from_x12(code: str) -> str:
    return UNITS.get(code, code) if code else "C62"


def fmt_date(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def fmt_dec(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Writer:
    """Collects segments for one transaction set body and checks every value it is given."""

    __slots__ = ("component", "forbidden", "segments")

    def __init__(self, separators: Separators) -> None:
        self.component = separators.component
        self.forbidden = separators.specials()
        self.segments: list[Segment] = []

    def text(self, value: str | None, field: str) -> str:
        """A free-text value; EncodeError when it contains a separator X12 cannot escape."""
        if not value:
            return ""
        for char in value:
            if char in self.forbidden:
                raise EncodeError(
                    f"{field} {value!r} contains {char!r}, a separator of this interchange; "
                    "X12 has no escape character, so the value cannot be written"
                )
        return value

    def unit(self, rec20: str, field: str) -> str:
        code = _UNITS_BACK.get(rec20)
        if code is None:
            if len(rec20) == 2 and rec20.isalnum() and rec20 not in UNITS:
                return rec20
            raise EncodeError(f"{field} {rec20!r} has no X12 unit of measure (355) equivalent")
        return code

    def add(self, *elements: str) -> None:
        items = list(elements)
        while len(items) > 1 and not items[-1]:
            items.pop()
        self.segments.append(tuple(items))

    def party(self, role: str, party: Party | None, field: str) -> None:
        """An N1 loop: N1, N3, N4 and PER."""
        if party is None:
            return
        qualifier, ident = (
            ("UL", party.gln) if party.gln else ("92", party.party_id) if party.party_id else ("", "")
        )
        if party.gln and party.party_id:
            raise EncodeError(f"{field} has both a GLN and a party id; X12 N1 carries one identifier")
        self.add(
            "N1",
            role,
            self.text(party.name, f"{field}.name"),
            qualifier,
            self.text(ident, f"{field}.gln" if party.gln else f"{field}.party_id"),
        )
        address = party.address
        if address is not None:
            if address.street or address.additional:
                self.add(
                    "N3",
                    self.text(address.street, f"{field}.address.street"),
                    self.text(address.additional, f"{field}.address.additional"),
                )
            if address.city or address.postal_code or address.country_code or address.region:
                self.add(
                    "N4",
                    self.text(address.city, f"{field}.address.city"),
                    self.text(address.region, f"{field}.address.region"),
                    self.text(address.postal_code, f"{field}.address.postal_code"),
                    self.text(address.country_code, f"{field}.address.country_code"),
                )
        contact = party.contact
        if contact is not None and (contact.name or contact.phone or contact.email):
            comms: list[str] = []
            if contact.phone:
                comms += ["TE", self.text(contact.phone, f"{field}.contact.phone")]
            if contact.email:
                comms += ["EM", self.text(contact.email, f"{field}.contact.email")]
            self.add("PER", "IC", self.text(contact.name, f"{field}.contact.name"), *comms)

    def others(self, others: Sequence[OtherParty], field: str = "other_parties") -> None:
        """An N1 loop per other party whose role has an X12 code."""
        for n, other in enumerate(others):
            code = ROLES.code(other.role)
            if code is not None:
                self.party(code, other.party, f"{field}[{n}].party")

    def product_ids(self, gtin: str | None, supplier: str | None, buyer: str | None, field: str) -> list[str]:
        """Qualifier/value pairs for PO1/IT1/LIN: GTIN by length (UP/EN/UK), VN, BP."""
        pairs: list[str] = []
        if gtin:
            qualifier = {12: "UP", 13: "EN", 14: "UK"}.get(len(gtin), "EN")
            pairs += [qualifier, self.text(gtin, f"{field}.gtin")]
        if supplier:
            pairs += ["VN", self.text(supplier, f"{field}.supplier_article")]
        if buyer:
            pairs += ["BP", self.text(buyer, f"{field}.buyer_article")]
        return pairs


GTIN_QUALIFIERS = frozenset(("UP", "UK", "EN", "UA", "EA", "UI", "UN"))
SUPPLIER_QUALIFIERS = frozenset(("VN", "VP", "VA", "SV"))
BUYER_QUALIFIERS = frozenset(("BP", "IN", "CB", "SK", "PI"))
# Product id qualifier -> slot in (gtin, supplier_article, buyer_article).
ID_SLOTS = {
    **dict.fromkeys(GTIN_QUALIFIERS, 0),
    **dict.fromkeys(SUPPLIER_QUALIFIERS, 1),
    **dict.fromkeys(BUYER_QUALIFIERS, 2),
}


def product_ids(seg: Segment, start: int) -> tuple[str | None, str | None, str | None]:
    """(gtin, supplier_article, buyer_article) from qualifier/value pairs starting at ``start``; the
    first value of each kind wins."""
    gtin = supplier = buyer = None
    slots = ID_SLOTS
    for i in range(start, len(seg) - 1, 2):
        value = seg[i + 1]
        if value:
            slot = slots.get(seg[i])
            if slot == 0:
                gtin = gtin or value
            elif slot == 1:
                supplier = supplier or value
            elif slot == 2:
                buyer = buyer or value
    return gtin, supplier, buyer


class PartyReader:
    """Accumulates one N1 loop (N1, N2, N3, N4, PER) into a :class:`Party`."""

    __slots__ = (
        "additional",
        "city",
        "code",
        "contact",
        "country",
        "gln",
        "name",
        "party_id",
        "postal",
        "region",
        "street",
    )

    def __init__(self, seg: Segment) -> None:
        self.code = el(seg, 1)
        self.name = el(seg, 2) or None
        qualifier, ident = el(seg, 3), el(seg, 4) or None
        self.gln = ident if qualifier == "UL" else None
        self.party_id = ident if qualifier != "UL" else None
        self.street: str | None = None
        self.additional: list[str] = []
        self.city: str | None = None
        self.postal: str | None = None
        self.country: str | None = None
        self.region: str | None = None
        self.contact: Contact | None = None

    def take(self, seg: Segment) -> bool:
        """Consume a segment of the loop; False when ``seg`` does not belong to it."""
        tag = seg[0]
        if tag == "N3":
            lines = [v for v in seg[1:3] if v]
            if self.street is None and lines:
                self.street = lines.pop(0)
            self.additional += lines
        elif tag == "N4":
            self.city = el(seg, 1) or None
            # N402 is a 2-character code (ID 2/2) in every version; anything else could not be written
            # back, and validation reports it (check_elements)
            region = el(seg, 2)
            self.region = region if len(region) == 2 else None
            self.postal = el(seg, 3) or None
            self.country = el(seg, 4) or None
        elif tag == "PER":
            phone = email = None
            for i in range(3, len(seg) - 1, 2):
                if seg[i] == "TE" and phone is None:
                    phone = seg[i + 1] or None
                elif seg[i] == "EM" and email is None:
                    email = seg[i + 1] or None
            if self.contact is None:
                self.contact = Contact(name=el(seg, 2) or None, phone=phone, email=email)
        elif tag not in ("N2", "REF"):
            return False
        return True

    def party(self) -> Party:
        address = None
        if self.street or self.additional or self.city or self.postal or self.country or self.region:
            address = new_address(
                self.street,
                self.city,
                self.postal,
                self.country,
                "; ".join(self.additional) or None,
                self.region,
            )
        return new_party(self.name, self.gln, self.party_id, None, address, self.contact)


PARTY_LOOP = frozenset(("N2", "N3", "N4", "PER", "REF"))
"""The segments :meth:`PartyReader.take` consumes after an N1."""
_PARTIES: dict[tuple[Segment, ...], tuple[str, Party]] = {}


def read_party(loop: tuple[Segment, ...]) -> tuple[str, Party]:
    """(N101 entity code, Party) of one whole N1 loop (N1 first, then only :data:`PARTY_LOOP`
    segments). The same loop text gives the same (immutable) Party, so repeats are looked up."""
    found = _PARTIES.get(loop)
    if found is None:
        reader = PartyReader(loop[0])
        for seg in loop[1:]:
            reader.take(seg)
        found = (reader.code, reader.party())
        if sum(map(len, chain.from_iterable(loop))) <= CACHE_TEXT:
            if len(_PARTIES) >= CACHE_LIMIT:
                _PARTIES.clear()
            _PARTIES[loop] = found
    return found
