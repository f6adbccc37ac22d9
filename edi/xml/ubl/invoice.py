"""UBL 2.1 Invoice and CreditNote (EN 16931 / Peppol BIS Billing 3 / XRechnung UBL) <-> Invoice.

Not carried by :class:`~edi.documents.Invoice` and so dropped on decode: price discounts (the
AllowanceCharge inside Price), price base quantity, invoice period, attachments, and any second
TaxTotal in the tax currency. Allowances and charges (BG-20/21 on the invoice, BG-27/28 on a line,
without VAT there as EN 16931 has none) are read and written; the tax representative (BG-11) is the
other party in role ``tax_representative``; PaymentTerms carries the description only (its
discount elements are not part of EN 16931).

Encoding notes: type codes 381, 396 and 532 are written as a CreditNote, everything else as an
Invoice. EN 16931 needs an item name (BT-153): a line without description gets its article number,
GTIN or line ID as name. UBL requires a payment means code whenever PaymentMeans is written (an
IBAN, or a credit note's due date): without one, ``1`` (instrument not defined) is written. The
payee's VAT ID and the delivery party's GLN, VAT ID and contact have no place in UBL's invoice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from edi.documents import (
    AllowanceCharge,
    Invoice,
    InvoiceLine,
    MonetaryTotals,
    OtherParty,
    Party,
    PaymentTerms,
    TaxSubtotal,
)
from edi.errors import EncodeError, MappingError
from edi.xml._tree import Builder, position_of, serialize
from edi.xml.ubl._party import (
    R,
    b,
    new_root,
    read_address,
    read_item_ids,
    read_party,
    write_address,
    write_party,
)

__all__ = ["EN16931_CUSTOMIZATION", "XRECHNUNG_CUSTOMIZATION", "decode_invoice", "encode_invoice"]

EN16931_CUSTOMIZATION = "urn:cen.eu:en16931:2017"
XRECHNUNG_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def _party(root: etree._Element, path: str, what: str) -> Party:
    party = read_party(R.first(root, path))
    if party is None:
        raise MappingError(f"{what} is missing: expected {path}", position=position_of(root))
    return party


def _allowances(parent: etree._Element, *, vat: bool) -> tuple[AllowanceCharge, ...]:
    """The ``cac:AllowanceCharge`` children of ``parent`` (not those inside its Price)."""
    out = []
    for el in R.all(parent, "cac:AllowanceCharge"):
        indicator = (R.text(el, "cbc:ChargeIndicator") or "").lower()
        if indicator not in ("true", "false", "1", "0"):  # xsd:boolean
            raise MappingError(
                f"AllowanceCharge/ChargeIndicator {indicator!r} is neither true nor false",
                position=position_of(el),
            )
        category = R.first(el, "cac:TaxCategory") if vat else None
        out.append(
            AllowanceCharge(
                charge=indicator in ("true", "1"),
                amount=R.decimal(el, "cbc:Amount"),
                base_amount=R.decimal(el, "cbc:BaseAmount"),
                percentage=R.decimal(el, "cbc:MultiplierFactorNumeric"),
                reason_code=R.text(el, "cbc:AllowanceChargeReasonCode"),
                reason=R.text(el, "cbc:AllowanceChargeReason"),
                vat_category=R.text(category, "cbc:ID"),
                vat_rate=R.decimal(category, "cbc:Percent"),
            )
        )
    return tuple(out)


def _write_allowances(
    bld: Builder, parent: etree._Element, acs: tuple[AllowanceCharge, ...], cur: str, *, vat: bool
) -> None:
    for ac in acs:
        el = bld.el(parent, "cac:AllowanceCharge")
        bld.sub(el, "cbc:ChargeIndicator", "true" if ac.charge else "false")
        bld.sub(el, "cbc:AllowanceChargeReasonCode", ac.reason_code)
        bld.sub(el, "cbc:AllowanceChargeReason", ac.reason)
        bld.sub(el, "cbc:MultiplierFactorNumeric", ac.percentage)
        bld.sub(el, "cbc:Amount", ac.amount, currencyID=cur)
        bld.sub(el, "cbc:BaseAmount", ac.base_amount, currencyID=cur)
        if vat and (ac.vat_category is not None or ac.vat_rate is not None):
            category = bld.el(el, "cac:TaxCategory")
            bld.sub(category, "cbc:ID", ac.vat_category)
            bld.sub(category, "cbc:Percent", ac.vat_rate)
            bld.sub(bld.el(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def _line(el: etree._Element, credit: bool) -> InvoiceLine:
    qty_el = R.first(el, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity")
    if qty_el is None:
        raise MappingError("invoice line quantity (BT-129) is missing", position=position_of(el))
    item = R.first(el, "cac:Item")
    gtin, supplier, buyer = read_item_ids(item)
    category = R.first(item, "cac:ClassifiedTaxCategory") if item is not None else None
    quantity = R.required_decimal(
        el, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", "invoice line quantity (BT-129)"
    )
    return InvoiceLine(
        line_id=R.required(el, "cbc:ID", "invoice line identifier (BT-126)"),
        quantity=quantity,
        net_price=R.required_decimal(el, "cac:Price/cbc:PriceAmount", "item net price (BT-146)"),
        net_amount=R.required_decimal(el, "cbc:LineExtensionAmount", "invoice line net amount (BT-131)"),
        unit=qty_el.get("unitCode") or "C62",
        order_line_id=R.text(el, "cac:OrderLineReference/cbc:LineID"),
        gtin=gtin,
        supplier_article=supplier,
        buyer_article=buyer,
        description=R.text(item, "cbc:Name") or R.text(item, "cbc:Description"),
        vat_category=R.text(category, "cbc:ID") or "S",
        vat_rate=R.decimal(category, "cbc:Percent"),
        allowances_charges=_allowances(el, vat=False),
    )


def decode_invoice(root: etree._Element) -> Invoice:
    """Map a UBL ``Invoice`` or ``CreditNote`` root element."""
    credit = root.tag.endswith("}CreditNote")
    currency = R.required(root, "cbc:DocumentCurrencyCode", "invoice currency code (BT-5)")
    subtotals: list[TaxSubtotal] = []
    tax_total: Decimal | None = None
    for total in R.all(root, "cac:TaxTotal"):
        amount = R.first(total, "cbc:TaxAmount")
        if amount is not None and amount.get("currencyID", currency) != currency:
            continue  # BT-111: VAT in accounting currency, not part of the document totals
        tax_total = R.decimal(total, "cbc:TaxAmount") if tax_total is None else tax_total
        for sub in R.all(total, "cac:TaxSubtotal"):
            category = R.first(sub, "cac:TaxCategory")
            subtotals.append(
                TaxSubtotal(
                    category=R.required(sub, "cac:TaxCategory/cbc:ID", "VAT category code (BT-118)"),
                    rate=R.decimal(category, "cbc:Percent"),
                    taxable_amount=R.required_decimal(
                        sub, "cbc:TaxableAmount", "VAT category taxable amount (BT-116)"
                    ),
                    tax_amount=R.required_decimal(sub, "cbc:TaxAmount", "VAT category tax amount (BT-117)"),
                    exemption_reason=R.text(category, "cbc:TaxExemptionReason"),
                )
            )
    monetary = R.first(root, "cac:LegalMonetaryTotal")
    if monetary is None:
        raise MappingError(
            "document totals (BG-22) are missing: expected cac:LegalMonetaryTotal", position=position_of(root)
        )
    line_total = R.required_decimal(monetary, "cbc:LineExtensionAmount", "sum of line net amounts (BT-106)")
    tax_exclusive = R.required_decimal(monetary, "cbc:TaxExclusiveAmount", "total without VAT (BT-109)")
    totals = MonetaryTotals(
        line_total=line_total,
        tax_exclusive=tax_exclusive,
        tax_total=tax_total if tax_total is not None else Decimal("0"),
        tax_inclusive=R.required_decimal(monetary, "cbc:TaxInclusiveAmount", "total with VAT (BT-112)"),
        payable=R.required_decimal(monetary, "cbc:PayableAmount", "amount due (BT-115)"),
        allowance_total=R.decimal(monetary, "cbc:AllowanceTotalAmount"),
        charge_total=R.decimal(monetary, "cbc:ChargeTotalAmount"),
        prepaid=R.decimal(monetary, "cbc:PrepaidAmount"),
    )
    means = R.first(root, "cac:PaymentMeans")
    terms_text = R.text(root, "cac:PaymentTerms/cbc:Note")
    due = R.date(root, "cbc:DueDate") or R.date(means, "cbc:PaymentDueDate")
    payment = PaymentTerms(
        description=terms_text,
        due_date=due,
        iban=R.text(means, "cac:PayeeFinancialAccount/cbc:ID"),
        bic=R.text(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
        payment_means_code=R.text(means, "cbc:PaymentMeansCode"),
    )
    delivery = R.first(root, "cac:Delivery")
    ship_to = None
    if delivery is not None:
        location = R.first(delivery, "cac:DeliveryLocation")
        ship_to = Party(
            name=R.text(delivery, "cac:DeliveryParty/cac:PartyName/cbc:Name"),
            party_id=R.text(location, "cbc:ID"),
            address=read_address(R.first(location, "cac:Address")) if location is not None else None,
        )
        ship_to = None if ship_to == Party() else ship_to
    line_path = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    notes = [n.text.strip() for n in R.all(root, "cbc:Note") if n.text and n.text.strip()]
    representative = read_party(R.first(root, "cac:TaxRepresentativeParty"))
    return Invoice(
        number=R.required(root, "cbc:ID", "invoice number (BT-1)"),
        issue_date=_required_date(root),
        currency=currency,
        seller=_party(root, "cac:AccountingSupplierParty/cac:Party", "seller (BG-4)"),
        buyer=_party(root, "cac:AccountingCustomerParty/cac:Party", "buyer (BG-7)"),
        lines=tuple(_line(el, credit) for el in R.all(root, line_path)),
        tax_subtotals=tuple(subtotals),
        totals=totals,
        type_code=R.text(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode")
        or ("381" if credit else "380"),
        order_number=R.text(root, "cac:OrderReference/cbc:ID"),
        despatch_number=R.text(root, "cac:DespatchDocumentReference/cbc:ID"),
        invoice_reference=R.text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        buyer_reference=R.text(root, "cbc:BuyerReference"),
        delivery_date=R.date(delivery, "cbc:ActualDeliveryDate"),
        payee=read_party(R.first(root, "cac:PayeeParty")),
        ship_to=ship_to,
        payment_terms=None if payment == PaymentTerms() else payment,
        note="\n".join(notes) or None,
        allowances_charges=_allowances(root, vat=True),
        other_parties=(OtherParty("tax_representative", representative),) if representative else (),
    )


def _required_date(root: etree._Element) -> date:
    value = R.date(root, "cbc:IssueDate")
    if value is None:
        raise MappingError("invoice issue date (BT-2) is missing", position=position_of(root))
    return value


def encode_invoice(invoice: Invoice, *, customization: str = EN16931_CUSTOMIZATION) -> bytes:
    """Write ``invoice`` as UBL: a CreditNote for type code 381 (and 396, 532), else an Invoice."""
    credit = invoice.type_code in ("381", "396", "532")
    maindoc = "CreditNote" if credit else "Invoice"
    bld = b(maindoc)
    cur = invoice.currency
    root = new_root(bld, maindoc)
    bld.sub(root, "cbc:CustomizationID", customization)
    bld.sub(root, "cbc:ProfileID", PEPPOL_PROFILE)
    bld.sub(root, "cbc:ID", invoice.number)
    bld.sub(root, "cbc:IssueDate", invoice.issue_date)
    terms = invoice.payment_terms
    if not credit:
        bld.sub(root, "cbc:DueDate", terms.due_date if terms else None)
    bld.sub(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", invoice.type_code)
    bld.sub(root, "cbc:Note", invoice.note)
    bld.sub(root, "cbc:DocumentCurrencyCode", cur)
    bld.sub(root, "cbc:BuyerReference", invoice.buyer_reference)
    if invoice.order_number:
        bld.sub(bld.el(root, "cac:OrderReference"), "cbc:ID", invoice.order_number)
    if invoice.invoice_reference:  # BT-25: UBL's BillingReference sits between the two
        billing = bld.el(bld.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        bld.sub(billing, "cbc:ID", invoice.invoice_reference)
    if invoice.despatch_number:
        bld.sub(bld.el(root, "cac:DespatchDocumentReference"), "cbc:ID", invoice.despatch_number)
    write_party(bld, bld.el(root, "cac:AccountingSupplierParty"), invoice.seller)
    write_party(bld, bld.el(root, "cac:AccountingCustomerParty"), invoice.buyer)
    if invoice.payee is not None:
        payee = write_party(bld, root, invoice.payee, legal=False, tax=False)
        payee.tag = bld.qname("cac:PayeeParty")
    representative = next((o.party for o in invoice.other_parties if o.role == "tax_representative"), None)
    if representative is not None:  # UBL has one; the other roles have no place in a UBL invoice
        write_party(bld, root, representative, legal=False).tag = bld.qname("cac:TaxRepresentativeParty")
    if invoice.ship_to is not None or invoice.delivery_date is not None:
        delivery = bld.el(root, "cac:Delivery")
        bld.sub(delivery, "cbc:ActualDeliveryDate", invoice.delivery_date)
        ship_to = invoice.ship_to
        if ship_to is not None and (ship_to.party_id or ship_to.address):
            location = bld.el(delivery, "cac:DeliveryLocation")
            bld.sub(location, "cbc:ID", ship_to.party_id)
            write_address(bld, location, "cac:Address", ship_to.address)
        if ship_to is not None and ship_to.name:
            bld.sub(bld.el(bld.el(delivery, "cac:DeliveryParty"), "cac:PartyName"), "cbc:Name", ship_to.name)
    if terms is not None and (terms.payment_means_code or terms.iban or (credit and terms.due_date)):
        means = bld.el(root, "cac:PaymentMeans")
        bld.sub(means, "cbc:PaymentMeansCode", terms.payment_means_code or "1")
        if credit:
            bld.sub(means, "cbc:PaymentDueDate", terms.due_date)
        if terms.iban:
            account = bld.el(means, "cac:PayeeFinancialAccount")
            bld.sub(account, "cbc:ID", terms.iban)
            if terms.bic:
                bld.sub(bld.el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", terms.bic)
    if terms is not None and terms.description:
        bld.sub(bld.el(root, "cac:PaymentTerms"), "cbc:Note", terms.description)
    _write_allowances(bld, root, invoice.allowances_charges, cur, vat=True)
    tax_total = bld.el(root, "cac:TaxTotal")
    bld.sub(tax_total, "cbc:TaxAmount", invoice.totals.tax_total, currencyID=cur)
    for sub in invoice.tax_subtotals:
        sub_el = bld.el(tax_total, "cac:TaxSubtotal")
        bld.sub(sub_el, "cbc:TaxableAmount", sub.taxable_amount, currencyID=cur)
        bld.sub(sub_el, "cbc:TaxAmount", sub.tax_amount, currencyID=cur)
        category = bld.el(sub_el, "cac:TaxCategory")
        bld.sub(category, "cbc:ID", sub.category)
        bld.sub(category, "cbc:Percent", sub.rate)
        bld.sub(category, "cbc:TaxExemptionReason", sub.exemption_reason)
        bld.sub(bld.el(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    totals = bld.el(root, "cac:LegalMonetaryTotal")
    t = invoice.totals
    bld.sub(totals, "cbc:LineExtensionAmount", t.line_total, currencyID=cur)
    bld.sub(totals, "cbc:TaxExclusiveAmount", t.tax_exclusive, currencyID=cur)
    bld.sub(totals, "cbc:TaxInclusiveAmount", t.tax_inclusive, currencyID=cur)
    bld.sub(totals, "cbc:AllowanceTotalAmount", t.allowance_total, currencyID=cur)
    bld.sub(totals, "cbc:ChargeTotalAmount", t.charge_total, currencyID=cur)
    bld.sub(totals, "cbc:PrepaidAmount", t.prepaid, currencyID=cur)
    bld.sub(totals, "cbc:PayableAmount", t.payable, currencyID=cur)
    if not invoice.lines:
        raise EncodeError(f"invoice {invoice.number} has no lines; EN 16931 (BR-16) needs at least one")
    for line in invoice.lines:
        el = bld.el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        bld.sub(el, "cbc:ID", line.line_id)
        bld.sub(
            el,
            "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
            line.quantity,
            unitCode=line.unit,
        )
        bld.sub(el, "cbc:LineExtensionAmount", line.net_amount, currencyID=cur)
        if line.order_line_id:
            bld.sub(bld.el(el, "cac:OrderLineReference"), "cbc:LineID", line.order_line_id)
        _write_allowances(bld, el, line.allowances_charges, cur, vat=False)
        item = bld.el(el, "cac:Item")
        bld.sub(item, "cbc:Name", line.description or line.supplier_article or line.gtin or line.line_id)
        if line.buyer_article:
            bld.sub(bld.el(item, "cac:BuyersItemIdentification"), "cbc:ID", line.buyer_article)
        if line.supplier_article:
            bld.sub(bld.el(item, "cac:SellersItemIdentification"), "cbc:ID", line.supplier_article)
        if line.gtin:
            bld.sub(bld.el(item, "cac:StandardItemIdentification"), "cbc:ID", line.gtin, schemeID="0160")
        category = bld.el(item, "cac:ClassifiedTaxCategory")
        bld.sub(category, "cbc:ID", line.vat_category)
        bld.sub(category, "cbc:Percent", line.vat_rate)
        bld.sub(bld.el(category, "cac:TaxScheme"), "cbc:ID", "VAT")
        bld.sub(bld.el(el, "cac:Price"), "cbc:PriceAmount", line.net_price, currencyID=cur)
    return serialize(root)
