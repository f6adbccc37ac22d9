"""The duplicate warning on a new customer: the same VAT id, or a similar name at the same postal code.

"Similar" is the same name once case, accents and umlauts, punctuation, spacing and legal forms are
taken out: "Müller Haustechnik GmbH & Co. KG" and "mueller haustechnik" match, "Müller Heizung"
does not (:func:`name_key`). VAT ids compare without spaces, dots and dashes, upper-cased
(:func:`vat_key`; the service stores them that way). Only the customers the principal may see are
named; of the others it learns one thing at most (``portal.access.disclosure``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import Session

from portal.access import Principal, hidden_customer_has_vat_id, visible
from portal.models import Customer

# Legal forms and their parts, as words after name_key's folding ("e.K." -> "e", "k").
LEGAL_FORMS = frozenset(
    {
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "kgaa",
        "ohg",
        "gbr",
        "ug",
        "haftungsbeschrankt",
        "haftungsbeschraenkt",
        "ek",
        "e",
        "k",
        "ev",
        "v",
        "eg",
        "se",
        "co",
        "und",
        "partg",
        "partgmbb",
        "gesellschaft",
        "ltd",
        "limited",
        "llc",
        "inc",
        "plc",
        "corp",
        "sarl",
        "sas",
        "bv",
        "nv",
    }
)
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
_WORD = re.compile(r"[a-z0-9]+")
_VAT_NOISE = re.compile(r"[\s.\-/]+")
MAX_CANDIDATES = 5000  # customers at one postal code read for the name comparison


def name_key(name: str) -> str:
    """The name as the duplicate check compares it (see the module's docstring)."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_TRANSLITERATE))
    words = _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


def vat_key(vat_id: str | None) -> str | None:
    """A VAT id without spaces, dots, dashes and slashes, upper-cased; None when empty."""
    if vat_id is None:
        return None
    key = _VAT_NOISE.sub("", vat_id).upper()
    return key or None


@dataclass(frozen=True, slots=True)
class Duplicate:
    customer: Customer
    same_vat_id: bool
    similar_name: bool


@dataclass(frozen=True, slots=True)
class DuplicateReport:
    matches: list[Duplicate]
    hidden_vat_id: bool  # a customer the principal may not see has the VAT id

    def __bool__(self) -> bool:
        return bool(self.matches) or self.hidden_vat_id


def find_duplicates(
    session: Session,
    principal: Principal,
    *,
    name: str,
    postal_code: str | None,
    vat_id: str | None,
    exclude_id: int | None = None,
) -> DuplicateReport:
    """Customers that look like the one described, as far as the principal may see them."""
    vat = vat_key(vat_id)
    vats = {v for v in (vat, (vat_id or "").strip()) if v}
    code = (postal_code or "").strip()
    key = name_key(name)
    arms: list[ColumnElement[bool]] = []
    if vats:
        arms.append(Customer.vat_id.in_(sorted(vats)))
    if code and key:
        arms.append(Customer.postal_code == code)
    if not arms:
        return DuplicateReport([], hidden_vat_id=False)
    stmt = visible(principal, Customer).where(or_(*arms)).order_by(Customer.id).limit(MAX_CANDIDATES)
    matches = []
    for customer in session.scalars(stmt):
        if customer.id == exclude_id:
            continue
        same_vat = vat is not None and vat_key(customer.vat_id) == vat
        similar = bool(code) and customer.postal_code == code and name_key(customer.name) == key
        if same_vat or similar:
            matches.append(Duplicate(customer, same_vat, similar))
    hidden = bool(vats) and not any(m.same_vat_id for m in matches)
    hidden = hidden and hidden_customer_has_vat_id(session, principal, vats)
    return DuplicateReport(matches, hidden_vat_id=hidden)
