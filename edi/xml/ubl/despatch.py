"""UBL 2.1 DespatchAdvice (Peppol BIS 3 Despatch Advice, T16) <-> DespatchAdvice.

Packages: a line belongs to the handling unit in its ``cac:Shipment/cac:TransportHandlingUnit``;
consecutive lines in the same unit form one :class:`~edi.documents.Package`. A unit ID with
``schemeID="SSCC"`` (or of 18 digits) is the SSCC. Lines without a unit form a package without
SSCC. Header handling units listing ``cac:HandlingUnitDespatchLine`` are read the same way.

Parties: seller = SellerSupplierParty (else DespatchSupplierParty), buyer = BuyerCustomerParty (else
DeliveryCustomerParty), ship_to = DeliveryCustomerParty unless it is the buyer. UBL requires an
order line reference on every line; ``NA`` (Peppol's "not applicable") stands for none.
"""

from __future__ import annotations

import re

from lxml import etree

from edi.documents import DespatchAdvice, DespatchLine, Package
from edi.errors import EncodeError, MappingError
from edi.xml._tree import position_of, serialize
from edi.xml.ubl._party import R, b, new_root, read_item_ids, read_party, write_item_ids, write_party

__all__ = ["decode_despatch_advice", "encode_despatch_advice"]

PEPPOL_DESPATCH = (
    "urn:fdc:peppol.eu:poacc:trns:despatch_advice:3",
    "urn:fdc:peppol.eu:poacc:bis:despatch_advice:3",
)
_NA = "NA"
_SSCC = re.compile(r"^\d{18}$")


def _line(el: etree._Element) -> DespatchLine:
    qty = R.first(el, "cbc:DeliveredQuantity")
    if qty is None:
        raise MappingError(
            "despatched quantity is missing: expected cbc:DeliveredQuantity", position=position_of(el)
        )
    item = R.first(el, "cac:Item")
    gtin, supplier, buyer = read_item_ids(item)
    instance = R.first(item, "cac:ItemInstance") if item is not None else None
    order_line = R.text(el, "cac:OrderLineReference/cbc:LineID")
    return DespatchLine(
        line_id=R.required(el, "cbc:ID", "despatch line number"),
        quantity=R.required_decimal(el, "cbc:DeliveredQuantity", "despatched quantity"),
        unit=qty.get("unitCode") or "C62",
        order_line_id=None if order_line == _NA else order_line,
        gtin=gtin,
        supplier_article=supplier,
        buyer_article=buyer,
        description=R.text(item, "cbc:Name") or R.text(item, "cbc:Description"),
        batch_number=R.text(instance, "cac:LotIdentification/cbc:LotNumberID"),
        best_before=R.date(instance, "cbc:BestBeforeDate"),
    )


def _unit_key(unit: etree._Element | None) -> tuple[str | None, str | None, str | None]:
    """(grouping id, sscc, package type) of a TransportHandlingUnit."""
    if unit is None:
        return None, None, None
    ident = R.first(unit, "cbc:ID")
    value = ident.text.strip() if ident is not None and ident.text else None
    sscc = (
        value
        if value and ((ident is not None and ident.get("schemeID") == "SSCC") or _SSCC.match(value))
        else None
    )
    return value, sscc, R.text(unit, "cbc:TransportHandlingUnitTypeCode")


def _packages(root: etree._Element) -> tuple[Package, ...]:
    groups: list[tuple[tuple[str | None, str | None, str | None], list[DespatchLine]]] = []
    for el in R.all(root, "cac:DespatchLine"):
        key = _unit_key(R.first(el, "cac:Shipment/cac:TransportHandlingUnit"))
        line = _line(el)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(line)
        else:
            groups.append((key, [line]))
    header_units = R.all(root, "cac:Shipment/cac:TransportHandlingUnit")
    if all(key == (None, None, None) for key, _ in groups) and any(
        R.first(u, "cac:HandlingUnitDespatchLine") is not None for u in header_units
    ):
        return tuple(
            Package(
                lines=tuple(_line(line) for line in R.all(unit, "cac:HandlingUnitDespatchLine")),
                sscc=_unit_key(unit)[1],
                package_type=_unit_key(unit)[2],
            )
            for unit in header_units
        )
    return tuple(Package(lines=tuple(lines), sscc=key[1], package_type=key[2]) for key, lines in groups)


def decode_despatch_advice(root: etree._Element) -> DespatchAdvice:
    """Map a UBL ``DespatchAdvice`` root element."""
    shipment = R.first(root, "cac:Shipment")
    delivery = R.first(shipment, "cac:Delivery") if shipment is not None else None
    period = R.first(delivery, "cac:EstimatedDeliveryPeriod") if delivery is not None else None
    order_number = R.text(root, "cac:OrderReference/cbc:ID") or R.text(
        root, "cac:DespatchLine/cac:OrderLineReference/cac:OrderReference/cbc:ID"
    )
    if order_number is None:
        raise MappingError(
            "the despatch advice names no order: expected cac:OrderReference/cbc:ID",
            position=position_of(root),
        )
    seller = read_party(R.first(root, "cac:SellerSupplierParty/cac:Party")) or read_party(
        R.first(root, "cac:DespatchSupplierParty/cac:Party")
    )
    delivery_customer = read_party(R.first(root, "cac:DeliveryCustomerParty/cac:Party"))
    buyer = read_party(R.first(root, "cac:BuyerCustomerParty/cac:Party")) or delivery_customer
    if seller is None or buyer is None:
        raise MappingError(
            "despatch advice parties are missing: expected DespatchSupplierParty and DeliveryCustomerParty",
            position=position_of(root),
        )
    issue = R.date(root, "cbc:IssueDate")
    if issue is None:
        raise MappingError("issue date is missing: expected cbc:IssueDate", position=position_of(root))
    return DespatchAdvice(
        number=R.required(root, "cbc:ID", "despatch advice number"),
        order_number=order_number,
        issue_date=issue,
        buyer=buyer,
        seller=seller,
        packages=_packages(root),
        ship_to=None if delivery_customer == buyer else delivery_customer,
        despatch_date=R.date(delivery, "cac:Despatch/cbc:ActualDespatchDate"),
        expected_delivery_date=R.date(period, "cbc:StartDate") or R.date(period, "cbc:EndDate"),
        carrier=R.text(shipment, "cac:Consignment/cac:CarrierParty/cac:PartyName/cbc:Name"),
        tracking_number=R.text(delivery, "cbc:TrackingID"),
    )


def encode_despatch_advice(advice: DespatchAdvice) -> bytes:
    """Write ``advice`` as a Peppol BIS 3 UBL DespatchAdvice, one handling unit per package."""
    if not advice.lines:
        raise EncodeError(
            f"despatch advice {advice.number} has no lines; UBL needs at least one DespatchLine"
        )
    bld = b("DespatchAdvice")
    root = new_root(bld, "DespatchAdvice")
    bld.sub(root, "cbc:CustomizationID", PEPPOL_DESPATCH[0])
    bld.sub(root, "cbc:ProfileID", PEPPOL_DESPATCH[1])
    bld.sub(root, "cbc:ID", advice.number)
    bld.sub(root, "cbc:IssueDate", advice.issue_date)
    bld.sub(bld.el(root, "cac:OrderReference"), "cbc:ID", advice.order_number)
    write_party(bld, bld.el(root, "cac:DespatchSupplierParty"), advice.seller)
    write_party(bld, bld.el(root, "cac:DeliveryCustomerParty"), advice.ship_to or advice.buyer)
    write_party(bld, bld.el(root, "cac:BuyerCustomerParty"), advice.buyer)
    write_party(bld, bld.el(root, "cac:SellerSupplierParty"), advice.seller)
    if any(
        v is not None
        for v in (advice.carrier, advice.tracking_number, advice.despatch_date, advice.expected_delivery_date)
    ):
        shipment = bld.el(root, "cac:Shipment")
        bld.sub(shipment, "cbc:ID", _NA)
        if advice.carrier is not None:
            consignment = bld.el(shipment, "cac:Consignment")
            bld.sub(consignment, "cbc:ID", _NA)
            bld.sub(
                bld.el(bld.el(consignment, "cac:CarrierParty"), "cac:PartyName"), "cbc:Name", advice.carrier
            )
        delivery = bld.el(shipment, "cac:Delivery")
        bld.sub(delivery, "cbc:TrackingID", advice.tracking_number)
        if advice.expected_delivery_date is not None:
            bld.sub(
                bld.el(delivery, "cac:EstimatedDeliveryPeriod"),
                "cbc:StartDate",
                advice.expected_delivery_date,
            )
        if advice.despatch_date is not None:
            bld.sub(bld.el(delivery, "cac:Despatch"), "cbc:ActualDespatchDate", advice.despatch_date)
    for number, package in enumerate(advice.packages, start=1):
        for line in package.lines:
            el = bld.el(root, "cac:DespatchLine")
            bld.sub(el, "cbc:ID", line.line_id)
            bld.sub(el, "cbc:DeliveredQuantity", line.quantity, unitCode=line.unit)
            bld.sub(bld.el(el, "cac:OrderLineReference"), "cbc:LineID", line.order_line_id or _NA)
            item = bld.el(el, "cac:Item")
            bld.sub(item, "cbc:Name", line.description)
            write_item_ids(bld, item, line.gtin, line.supplier_article, line.buyer_article)
            if line.batch_number is not None or line.best_before is not None:
                instance = bld.el(item, "cac:ItemInstance")
                bld.sub(instance, "cbc:BestBeforeDate", line.best_before)
                if line.batch_number is not None:
                    bld.sub(bld.el(instance, "cac:LotIdentification"), "cbc:LotNumberID", line.batch_number)
            shipment = bld.el(el, "cac:Shipment")
            bld.sub(shipment, "cbc:ID", _NA)
            unit = bld.el(shipment, "cac:TransportHandlingUnit")
            # Without an SSCC a per-document package number keeps neighbouring packages apart.
            bld.sub(
                unit, "cbc:ID", package.sscc or f"PKG-{number}", schemeID="SSCC" if package.sscc else None
            )
            bld.sub(unit, "cbc:TransportHandlingUnitTypeCode", package.package_type)
    return serialize(root)
