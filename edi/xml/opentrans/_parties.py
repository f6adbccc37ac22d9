"""PARTIES/PARTY <-> :class:`~edi.documents.Party`, and the *_IDREF references between them.

openTRANS declares every party once under PARTIES (PARTY_ID, PARTY_ROLE, ADDRESS) and names it from
elsewhere by an IDREF (BUYER_IDREF, SUPPLIER_IDREF, DELIVERY_IDREF, INVOICE_ISSUER_IDREF, ...).
An IDREF matches a PARTY by the PARTY_ID value; several PARTY elements may share one id (the buyer
also declared as delivery and invoice_recipient), so the party whose PARTY_ROLE fits wins. The
``type`` attributes are not compared: real files disagree between a PARTY_ID and its IDREF.

Every declared PARTY that no named field of the document took is an
:class:`~edi.documents.OtherParty`, its role the first PARTY_ROLE (``invoice_recipient`` ->
``bill_to``, ``deliverer`` -> ``ship_from``, ``remittee`` -> ``payee``, ``final_delivery`` ->
``ultimate_consignee``, ...; other roles as ``opentrans:<role>``). A PARTY without a role is not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from edi._roles import Roles
from edi.documents import Address, Contact, OtherParty, Party
from edi.errors import EncodeError, MappingError
from edi.xml.opentrans._codes import COUNTRIES, gs1_check_digit_ok
from edi.xml.opentrans._read import children, find, local_name, position_of, text_of
from edi.xml.opentrans._write import put, sub

__all__ = [
    "ROLES",
    "DeclaredParty",
    "PartyIndex",
    "other_parties",
    "party_element",
    "party_key",
    "write_idref",
    "write_other_parties",
]

# PARTY_ROLE <-> party role (see edi.documents, "Parties")
ROLES = Roles(
    "opentrans",
    {
        "buyer": "buyer",
        "supplier": "supplier",
        "delivery": "ship_to",
        "deliverer": "ship_from",
        "final_delivery": "ultimate_consignee",
        "invoice_issuer": "invoice_issuer",
        "invoice_recipient": "bill_to",
        "payer": "payer",
        "remittee": "payee",
    },
)

_GLN_TYPES = frozenset({"gln", "iln"})
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True, slots=True)
class DeclaredParty:
    element: etree._Element
    ids: tuple[str, ...]
    id_type: str | None
    roles: tuple[str, ...]
    party: Party


class PartyIndex:
    """Every PARTY of a PARTIES element, decoded once, resolvable by IDREF."""

    def __init__(self, parties: etree._Element) -> None:
        self.declared = tuple(_declared(element) for element in children(parties, "PARTY"))

    def resolve(self, reference: etree._Element, *roles: str) -> DeclaredParty:
        """The PARTY named by ``reference``; among several with that id, the first whose PARTY_ROLE is
        the earliest of ``roles``, else the first declared."""
        value = text_of(reference)
        candidates = [declared for declared in self.declared if value in declared.ids]
        if not candidates:
            known = ", ".join(repr(i) for declared in self.declared for i in declared.ids) or "none"
            raise MappingError(
                f"{local_name(reference)} {value!r} names no PARTY declared in PARTIES "
                f"(declared PARTY_IDs: {known})",
                position=position_of(reference),
            )
        for role in roles:
            for declared in candidates:
                if role in declared.roles:
                    return declared
        return candidates[0]

    def optional(self, reference: etree._Element | None, *roles: str) -> DeclaredParty | None:
        return None if reference is None else self.resolve(reference, *roles)

    def declared_or_none(self, reference: etree._Element | None, *roles: str) -> DeclaredParty | None:
        """Like :meth:`optional`, but None for a reference that names no declared PARTY (a delivery
        reference, which :func:`~edi.xml.opentrans._items.check_references` warns about)."""
        if reference is None or not any(text_of(reference) in d.ids for d in self.declared):
            return None
        return self.resolve(reference, *roles)


def other_parties(index: PartyIndex, *used: DeclaredParty | None) -> tuple[OtherParty, ...]:
    """The declared parties none of ``used`` (the parties the named fields took) is."""
    taken = {id(declared.element) for declared in used if declared is not None}
    return tuple(
        OtherParty(ROLES.role(declared.roles[0]), declared.party)
        for declared in index.declared
        if id(declared.element) not in taken and declared.roles
    )


def write_other_parties(parties: etree._Element, others: tuple[OtherParty, ...]) -> None:
    """A PARTY per other party whose role openTRANS has."""
    for n, (role, party) in enumerate(ROLES.written(others)):
        party_element(parties, party, role, "buyer_specific", f"other party {n + 1} ({role})")


def _declared(element: etree._Element) -> DeclaredParty:
    gln: str | None = None
    party_id: str | None = None
    id_type: str | None = None
    ids: list[str] = []
    for id_element in children(element, "bme:PARTY_ID"):
        value = text_of(id_element)
        if value is None:
            continue
        ids.append(value)
        kind = (id_element.get("type") or "").lower()
        if kind in _GLN_TYPES:
            if len(value) != 13 or not gs1_check_digit_ok(value):
                raise MappingError(
                    f"PARTY_ID {value!r} of type {kind!r} is not a GLN "
                    "(13 digits with a valid GS1 check digit)",
                    position=position_of(id_element),
                )
            gln = gln or value
        elif party_id is None:
            party_id, id_type = value, id_element.get("type")
    if gln is not None and party_id is None:
        id_type = "gln"
    roles = tuple(text for role in children(element, "PARTY_ROLE") if (text := text_of(role)))
    address = find(element, "ADDRESS")
    party = Party(
        name=text_of(find(address, "bme:NAME")) if address is not None else None,
        gln=gln,
        party_id=party_id,
        vat_id=text_of(find(address, "bme:VAT_ID")) if address is not None else None,
        address=_address(address),
        contact=_contact(address),
    )
    return DeclaredParty(element=element, ids=tuple(ids), id_type=id_type, roles=roles, party=party)


def _address(address: etree._Element | None) -> Address | None:
    if address is None:
        return None
    country = text_of(find(address, "bme:COUNTRY_CODED"))
    if country is not None:
        country = country[:2]
    else:
        free = text_of(find(address, "bme:COUNTRY"))
        country = free if free is not None and _COUNTRY_CODE.fullmatch(free) else None
    result = Address(
        street=text_of(find(address, "bme:STREET")),
        city=text_of(find(address, "bme:CITY")),
        postal_code=text_of(find(address, "bme:ZIP")),
        country_code=country,
        additional=text_of(find(address, "bme:NAME2")),
        region=text_of(find(address, "bme:STATE")),
    )
    return None if result == Address() else result


def _contact(address: etree._Element | None) -> Contact | None:
    if address is None:
        return None
    details = find(address, "CONTACT_DETAILS")
    name: str | None = None
    phone = email = None
    if details is not None:
        parts = [text_of(find(details, "bme:FIRST_NAME")), text_of(find(details, "bme:CONTACT_NAME"))]
        name = " ".join(part for part in parts if part) or None
        phone = text_of(find(details, "bme:PHONE"))
        email = text_of(find(details, "bme:EMAILS", "bme:EMAIL"))
    result = Contact(
        name=name,
        phone=phone or text_of(find(address, "bme:PHONE")),
        email=email or text_of(find(address, "bme:EMAIL")),
    )
    return None if result == Contact() else result


def party_key(party: Party, what: str) -> tuple[str, str | None]:
    """The PARTY_ID an IDREF uses for ``party``: its GLN, else its party id."""
    if party.gln:
        return party.gln, "gln"
    if party.party_id:
        return party.party_id, None
    raise EncodeError(f"the {what} has neither a GLN nor a party id; openTRANS names every party by PARTY_ID")


def write_idref(parent: etree._Element, name: str, party: Party, what: str) -> None:
    value, kind = party_key(party, what)
    if kind:
        sub(parent, name, value, type=kind)
    else:
        sub(parent, name, value)


def party_element(parent: etree._Element, party: Party, role: str, id_type: str, what: str) -> None:
    """Append a PARTY for ``party`` in ``role``; ``id_type`` types its own (non-GLN) id."""
    party_key(party, what)
    element = sub(parent, "PARTY")
    if party.gln:
        sub(element, "bme:PARTY_ID", party.gln, type="gln")
    if party.party_id:
        sub(element, "bme:PARTY_ID", party.party_id, type=id_type)
    sub(element, "PARTY_ROLE", role)
    contact = party.contact or Contact()
    address = party.address or Address()
    if party.name is None and party.vat_id is None and address == Address() and contact == Contact():
        return
    node = sub(element, "ADDRESS")
    put(node, "bme:NAME", party.name)
    put(node, "bme:NAME2", address.additional)
    if contact.name is not None:
        details = sub(node, "CONTACT_DETAILS")
        sub(details, "bme:CONTACT_NAME", contact.name)
        put(details, "bme:PHONE", contact.phone)
        if contact.email is not None:
            sub(sub(details, "bme:EMAILS"), "bme:EMAIL", contact.email)
    put(node, "bme:STREET", address.street)
    put(node, "bme:ZIP", address.postal_code)
    put(node, "bme:CITY", address.city)
    put(node, "bme:STATE", address.region)
    if address.country_code is not None:
        if address.country_code in COUNTRIES:
            sub(node, "bme:COUNTRY_CODED", address.country_code)
        else:  # newer than BMEcat 2005's list (RS, ME, ...): the free-text COUNTRY still carries it
            sub(node, "bme:COUNTRY", address.country_code)
    put(node, "bme:VAT_ID", party.vat_id)
    if contact.name is None:
        put(node, "bme:PHONE", contact.phone)
        put(node, "bme:EMAIL", contact.email)
