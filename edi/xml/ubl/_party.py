"""UBL parties, addresses and item identification, shared by every UBL document mapping."""

from __future__ import annotations

from lxml import etree

from edi.documents import Address, Contact, Party
from edi.xml._tree import UBL_NS, Builder, Reader

R = Reader(UBL_NS)
GLN_SCHEME = "0088"
# UBL 2.1 examples predating Peppol name the scheme "GLN" (agency 9, GS1)
GLN_SCHEMES = frozenset({GLN_SCHEME, "GLN"})
GTIN_SCHEME = "0160"


def b(maindoc: str) -> Builder:
    """A builder for a UBL main document namespace (``"Invoice"``, ``"Order"``, ...)."""
    return Builder({**UBL_NS, "doc": f"urn:oasis:names:specification:ubl:schema:xsd:{maindoc}-2"})


def new_root(bld: Builder, maindoc: str) -> etree._Element:
    nsmap: dict[str | None, str] = {None: bld.ns["doc"], "cac": bld.ns["cac"], "cbc": bld.ns["cbc"]}
    return etree.Element(bld.qname(f"doc:{maindoc}"), nsmap=nsmap)


def read_address(el: etree._Element | None) -> Address | None:
    if el is None:
        return None
    address = Address(
        street=R.text(el, "cbc:StreetName"),
        city=R.text(el, "cbc:CityName"),
        postal_code=R.text(el, "cbc:PostalZone"),
        country_code=R.text(el, "cac:Country/cbc:IdentificationCode"),
        additional=R.text(el, "cbc:AdditionalStreetName") or R.text(el, "cac:AddressLine/cbc:Line"),
        region=R.text(el, "cbc:CountrySubentity") or R.text(el, "cbc:CountrySubentityCode"),
    )
    return None if address == Address() else address


def read_party(el: etree._Element | None) -> Party | None:
    """A ``cac:Party``: GLN from EndpointID or PartyIdentification with scheme 0088, other
    identification as ``party_id``, VAT from PartyTaxScheme (TaxScheme VAT)."""
    if el is None:
        return None
    gln: str | None = None
    endpoint = R.first(el, "cbc:EndpointID")
    if endpoint is not None and endpoint.get("schemeID") in GLN_SCHEMES and endpoint.text:
        gln = endpoint.text.strip()
    party_id: str | None = None
    for ident in R.all(el, "cac:PartyIdentification/cbc:ID"):
        value = (ident.text or "").strip()
        if not value:
            continue
        if ident.get("schemeID") in GLN_SCHEMES:
            gln = gln or value
        elif party_id is None:
            party_id = value
    vat_id = None
    for scheme in R.all(el, "cac:PartyTaxScheme"):
        if R.text(scheme, "cac:TaxScheme/cbc:ID") in (None, "VAT"):
            vat_id = R.text(scheme, "cbc:CompanyID")
            break
    contact_el = R.first(el, "cac:Contact")
    contact = None
    if contact_el is not None:
        contact = Contact(
            name=R.text(contact_el, "cbc:Name"),
            phone=R.text(contact_el, "cbc:Telephone"),
            email=R.text(contact_el, "cbc:ElectronicMail"),
        )
        contact = None if contact == Contact() else contact
    return Party(
        name=R.text(el, "cac:PartyName/cbc:Name") or R.text(el, "cac:PartyLegalEntity/cbc:RegistrationName"),
        gln=gln,
        party_id=party_id,
        vat_id=vat_id,
        address=read_address(R.first(el, "cac:PostalAddress")),
        contact=contact,
    )


def endpoint(el: etree._Element | None) -> str | None:
    """The party's electronic address (EndpointID) or, failing that, its GLN."""
    if el is None:
        return None
    value = R.text(el, "cbc:EndpointID")
    if value:
        return value
    party = read_party(el)
    return party.gln if party else None


def write_address(bld: Builder, parent: etree._Element, name: str, address: Address | None) -> None:
    if address is None:
        return
    el = bld.el(parent, name)
    bld.sub(el, "cbc:StreetName", address.street)
    bld.sub(el, "cbc:AdditionalStreetName", address.additional)
    bld.sub(el, "cbc:CityName", address.city)
    bld.sub(el, "cbc:PostalZone", address.postal_code)
    bld.sub(el, "cbc:CountrySubentity", address.region)
    if address.country_code:
        bld.sub(bld.el(el, "cac:Country"), "cbc:IdentificationCode", address.country_code)


def write_party(
    bld: Builder,
    parent: etree._Element,
    party: Party,
    *,
    legal: bool = True,
    tax: bool = True,
    endpoint_required: bool = False,
) -> etree._Element:
    """Write ``cac:Party`` below ``parent``. ``legal`` adds PartyLegalEntity (EN 16931 needs the
    registration name there); the name also goes to PartyName so both readers find it."""
    el = bld.el(parent, "cac:Party")
    if party.gln:
        bld.sub(el, "cbc:EndpointID", party.gln, schemeID=GLN_SCHEME)
    if party.party_id:
        bld.sub(bld.el(el, "cac:PartyIdentification"), "cbc:ID", party.party_id)
    elif party.gln:
        bld.sub(bld.el(el, "cac:PartyIdentification"), "cbc:ID", party.gln, schemeID=GLN_SCHEME)
    if party.name:
        bld.sub(bld.el(el, "cac:PartyName"), "cbc:Name", party.name)
    write_address(bld, el, "cac:PostalAddress", party.address)
    if tax and party.vat_id:
        scheme = bld.el(el, "cac:PartyTaxScheme")
        bld.sub(scheme, "cbc:CompanyID", party.vat_id)
        bld.sub(bld.el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    if legal and party.name:
        bld.sub(bld.el(el, "cac:PartyLegalEntity"), "cbc:RegistrationName", party.name)
    if party.contact is not None and party.contact != Contact():
        contact = bld.el(el, "cac:Contact")
        bld.sub(contact, "cbc:Name", party.contact.name)
        bld.sub(contact, "cbc:Telephone", party.contact.phone)
        bld.sub(contact, "cbc:ElectronicMail", party.contact.email)
    return el


def read_item_ids(item: etree._Element | None) -> tuple[str | None, str | None, str | None]:
    """(gtin, supplier_article, buyer_article) of a ``cac:Item``."""
    if item is None:
        return None, None, None
    gtin = None
    for ident in R.all(item, "cac:StandardItemIdentification/cbc:ID"):
        if ident.get("schemeID") in (None, GTIN_SCHEME) and ident.text and ident.text.strip():
            gtin = ident.text.strip()
            break
    return (
        gtin,
        R.text(item, "cac:SellersItemIdentification/cbc:ID"),
        R.text(item, "cac:BuyersItemIdentification/cbc:ID"),
    )


def write_item_ids(
    bld: Builder, item: etree._Element, gtin: str | None, supplier: str | None, buyer: str | None
) -> None:
    """BuyersItemIdentification, SellersItemIdentification, StandardItemIdentification (UBL order)."""
    if buyer:
        bld.sub(bld.el(item, "cac:BuyersItemIdentification"), "cbc:ID", buyer)
    if supplier:
        bld.sub(bld.el(item, "cac:SellersItemIdentification"), "cbc:ID", supplier)
    if gtin:
        bld.sub(bld.el(item, "cac:StandardItemIdentification"), "cbc:ID", gtin, schemeID=GTIN_SCHEME)
