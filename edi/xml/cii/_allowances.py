"""Cross Industry Invoice allowances and charges (SpecifiedTradeAllowanceCharge: BG-20/21 in the header
settlement, BG-27/28 in a line settlement) and the trade parties beyond seller, buyer, payee and
ship-to, as :class:`~edi.documents.OtherParty`.

Allowances: ChargeIndicator, CalculationPercent, BasisAmount, ActualAmount, ReasonCode, Reason and,
on the header only (EN 16931 has no VAT on a line allowance), CategoryTradeTax. Those inside a price
(AppliedTradeAllowanceCharge, BT-147) are not allowances of the line and are not read.

Other parties, one element each: SellerTaxRepresentativeTradeParty (``tax_representative``, BG-11),
ProductEndUserTradeParty (``end_user``), ShipFromTradeParty (``ship_from``), InvoicerTradeParty
(``invoice_issuer``), InvoiceeTradeParty (``bill_to``) and PayerTradeParty (``payer``); all but
the first are Factur-X EXTENDED elements, written only when the document has such a party.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from edi.documents import AllowanceCharge, OtherParty, Party
from edi.errors import MappingError
from edi.xml._tree import CII_NS, Builder, Reader, position_of

__all__ = [
    "OTHER_PARTIES",
    "read_allowances",
    "read_other_parties",
    "write_allowances",
    "write_other_parties",
]

B = Builder(CII_NS)

# (section, element, role) in the order the D16B schema has them
OTHER_PARTIES = (
    ("agreement", "ram:SellerTaxRepresentativeTradeParty", "tax_representative"),
    ("agreement", "ram:ProductEndUserTradeParty", "end_user"),
    ("delivery", "ram:ShipFromTradeParty", "ship_from"),
    ("settlement", "ram:InvoicerTradeParty", "invoice_issuer"),
    ("settlement", "ram:InvoiceeTradeParty", "bill_to"),
    ("settlement", "ram:PayerTradeParty", "payer"),
)


def read_allowances(
    reader: Reader, parent: etree._Element | None, rate: str, *, vat: bool
) -> tuple[AllowanceCharge, ...]:
    """The SpecifiedTradeAllowanceCharge children of a header or line settlement; ``rate`` is the
    dialect's name of the rate element."""
    if parent is None:
        return ()
    out = []
    for el in reader.all(parent, "ram:SpecifiedTradeAllowanceCharge"):
        indicator = (reader.text(el, "ram:ChargeIndicator/udt:Indicator") or "").lower()
        if indicator not in ("true", "false"):
            raise MappingError(
                f"SpecifiedTradeAllowanceCharge/ChargeIndicator {indicator!r} is neither true nor false",
                position=position_of(el),
            )
        tax = reader.first(el, "ram:CategoryTradeTax") if vat else None
        out.append(
            AllowanceCharge(
                charge=indicator == "true",
                amount=reader.decimal(el, "ram:ActualAmount"),
                base_amount=reader.decimal(el, "ram:BasisAmount"),
                percentage=reader.decimal(el, "ram:CalculationPercent"),
                reason_code=reader.text(el, "ram:ReasonCode"),
                reason=reader.text(el, "ram:Reason"),
                vat_category=reader.text(tax, "ram:CategoryCode"),
                vat_rate=reader.decimal(tax, rate),
            )
        )
    return tuple(out)


def write_allowances(parent: etree._Element, acs: tuple[AllowanceCharge, ...], *, vat: bool) -> None:
    for ac in acs:
        el = B.el(parent, "ram:SpecifiedTradeAllowanceCharge")
        B.sub(B.el(el, "ram:ChargeIndicator"), "udt:Indicator", "true" if ac.charge else "false")
        B.sub(el, "ram:CalculationPercent", ac.percentage)
        B.sub(el, "ram:BasisAmount", ac.base_amount)
        B.sub(el, "ram:ActualAmount", ac.amount)
        B.sub(el, "ram:ReasonCode", ac.reason_code)
        B.sub(el, "ram:Reason", ac.reason)
        if vat and (ac.vat_category is not None or ac.vat_rate is not None):
            tax = B.el(el, "ram:CategoryTradeTax")
            B.sub(tax, "ram:TypeCode", "VAT")
            B.sub(tax, "ram:CategoryCode", ac.vat_category)
            B.sub(tax, "ram:RateApplicablePercent", ac.vat_rate)


def read_other_parties(
    sections: dict[str, etree._Element | None],
    reader: Reader,
    read_party: Callable[[etree._Element | None], Party | None],
) -> tuple[OtherParty, ...]:
    out = []
    for section, name, role in OTHER_PARTIES:
        parent = sections.get(section)
        party = read_party(reader.first(parent, name)) if parent is not None else None
        if party is not None:
            out.append(OtherParty(role, party))
    return tuple(out)


def write_other_parties(
    section: str,
    parent: etree._Element,
    others: tuple[OtherParty, ...],
    write_party: Callable[[etree._Element, str, Party], None],
    *,
    only: tuple[str, ...] | None = None,
) -> None:
    """The other parties of ``section`` below ``parent`` (the first party of each role; ``only``
    limits the elements, for sections whose parties are not written in one place)."""
    for where, name, role in OTHER_PARTIES:
        if where != section or (only is not None and name not in only):
            continue
        party = next((o.party for o in others if o.role == role), None)
        if party is not None:
            write_party(parent, name, party)
