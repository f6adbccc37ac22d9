"""Write an Invoice as a UN/CEFACT Cross Industry Invoice D16B (EN 16931 / XRechnung CII)."""

from __future__ import annotations

from datetime import date

from lxml import etree

from edi.documents import Invoice, Party
from edi.errors import EncodeError
from edi.xml._tree import CII_NS, Builder, serialize
from edi.xml.cii._allowances import write_allowances, write_other_parties

B = Builder(CII_NS)
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"
XRECHNUNG_GUIDELINE = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def _date(parent: etree._Element, name: str, value: date | None) -> None:
    if value is None:
        return
    holder = B.el(parent, name)
    B.sub(holder, "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent: etree._Element, name: str, party: Party, *, tax: bool = True) -> None:
    el = B.el(parent, name)
    B.sub(el, "ram:ID", party.party_id)
    B.sub(el, "ram:GlobalID", party.gln, schemeID="0088")
    B.sub(el, "ram:Name", party.name)
    contact = party.contact
    if contact is not None and (contact.name or contact.phone or contact.email):
        contact_el = B.el(el, "ram:DefinedTradeContact")
        B.sub(contact_el, "ram:PersonName", contact.name)
        if contact.phone:
            B.sub(
                B.el(contact_el, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", contact.phone
            )
        if contact.email:
            B.sub(B.el(contact_el, "ram:EmailURIUniversalCommunication"), "ram:URIID", contact.email)
    address = party.address
    if address is not None:
        address_el = B.el(el, "ram:PostalTradeAddress")
        B.sub(address_el, "ram:PostcodeCode", address.postal_code)
        B.sub(address_el, "ram:LineOne", address.street)
        B.sub(address_el, "ram:LineTwo", address.additional)
        B.sub(address_el, "ram:CityName", address.city)
        B.sub(address_el, "ram:CountryID", address.country_code)
        B.sub(address_el, "ram:CountrySubDivisionName", address.region)
    if party.gln:
        B.sub(B.el(el, "ram:URIUniversalCommunication"), "ram:URIID", party.gln, schemeID="0088")
    if tax and party.vat_id:
        B.sub(B.el(el, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")


def write_invoice(invoice: Invoice, *, guideline: str = EN16931_GUIDELINE) -> bytes:
    if not invoice.lines:
        raise EncodeError(f"invoice {invoice.number} has no lines; EN 16931 (BR-16) needs at least one")
    cur = invoice.currency
    root = etree.Element(B.qname("rsm:CrossIndustryInvoice"), nsmap=CII_NS)
    context = B.el(root, "rsm:ExchangedDocumentContext")
    B.sub(B.el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", PEPPOL_PROCESS)
    B.sub(B.el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", guideline)
    doc = B.el(root, "rsm:ExchangedDocument")
    B.sub(doc, "ram:ID", invoice.number)
    B.sub(doc, "ram:TypeCode", invoice.type_code)
    _date(doc, "ram:IssueDateTime", invoice.issue_date)
    if invoice.note:
        B.sub(B.el(doc, "ram:IncludedNote"), "ram:Content", invoice.note)
    trade = B.el(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines:
        item = B.el(trade, "ram:IncludedSupplyChainTradeLineItem")
        B.sub(B.el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.line_id)
        product = B.el(item, "ram:SpecifiedTradeProduct")
        B.sub(product, "ram:GlobalID", line.gtin, schemeID="0160")
        B.sub(product, "ram:SellerAssignedID", line.supplier_article)
        B.sub(product, "ram:BuyerAssignedID", line.buyer_article)
        B.sub(product, "ram:Name", line.description or line.supplier_article or line.gtin or line.line_id)
        agreement = B.el(item, "ram:SpecifiedLineTradeAgreement")
        if line.order_line_id:
            B.sub(B.el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:LineID", line.order_line_id)
        B.sub(B.el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", line.net_price)
        B.sub(
            B.el(item, "ram:SpecifiedLineTradeDelivery"),
            "ram:BilledQuantity",
            line.quantity,
            unitCode=line.unit,
        )
        settlement = B.el(item, "ram:SpecifiedLineTradeSettlement")
        tax = B.el(settlement, "ram:ApplicableTradeTax")
        B.sub(tax, "ram:TypeCode", "VAT")
        B.sub(tax, "ram:CategoryCode", line.vat_category)
        B.sub(tax, "ram:RateApplicablePercent", line.vat_rate)
        write_allowances(settlement, line.allowances_charges, vat=False)
        B.sub(
            B.el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"),
            "ram:LineTotalAmount",
            line.net_amount,
        )
    agreement = B.el(trade, "ram:ApplicableHeaderTradeAgreement")
    B.sub(agreement, "ram:BuyerReference", invoice.buyer_reference)
    _party(agreement, "ram:SellerTradeParty", invoice.seller)
    _party(agreement, "ram:BuyerTradeParty", invoice.buyer)
    write_other_parties("agreement", agreement, invoice.other_parties, _party)
    if invoice.order_number:
        B.sub(
            B.el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", invoice.order_number
        )
    delivery = B.el(trade, "ram:ApplicableHeaderTradeDelivery")
    if invoice.ship_to is not None:
        _party(delivery, "ram:ShipToTradeParty", invoice.ship_to, tax=False)
    write_other_parties("delivery", delivery, invoice.other_parties, _party)
    if invoice.delivery_date is not None:
        _date(
            B.el(delivery, "ram:ActualDeliverySupplyChainEvent"),
            "ram:OccurrenceDateTime",
            invoice.delivery_date,
        )
    if invoice.despatch_number:
        B.sub(
            B.el(delivery, "ram:DespatchAdviceReferencedDocument"),
            "ram:IssuerAssignedID",
            invoice.despatch_number,
        )
    settlement = B.el(trade, "ram:ApplicableHeaderTradeSettlement")
    B.sub(settlement, "ram:InvoiceCurrencyCode", cur)
    before_payee = ("ram:InvoicerTradeParty", "ram:InvoiceeTradeParty")
    write_other_parties("settlement", settlement, invoice.other_parties, _party, only=before_payee)
    if invoice.payee is not None:
        _party(settlement, "ram:PayeeTradeParty", invoice.payee, tax=False)
    write_other_parties(
        "settlement", settlement, invoice.other_parties, _party, only=("ram:PayerTradeParty",)
    )
    terms = invoice.payment_terms
    if terms is not None and (terms.payment_means_code or terms.iban):
        means = B.el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        B.sub(means, "ram:TypeCode", terms.payment_means_code)
        if terms.iban:
            B.sub(B.el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", terms.iban)
        if terms.bic:
            B.sub(B.el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", terms.bic)
    for sub in invoice.tax_subtotals:
        tax = B.el(settlement, "ram:ApplicableTradeTax")
        B.sub(tax, "ram:CalculatedAmount", sub.tax_amount)
        B.sub(tax, "ram:TypeCode", "VAT")
        B.sub(tax, "ram:ExemptionReason", sub.exemption_reason)
        B.sub(tax, "ram:BasisAmount", sub.taxable_amount)
        B.sub(tax, "ram:CategoryCode", sub.category)
        B.sub(tax, "ram:RateApplicablePercent", sub.rate)
    write_allowances(settlement, invoice.allowances_charges, vat=True)
    if terms is not None and (terms.description or terms.due_date):
        terms_el = B.el(settlement, "ram:SpecifiedTradePaymentTerms")
        B.sub(terms_el, "ram:Description", terms.description)
        _date(terms_el, "ram:DueDateDateTime", terms.due_date)
    totals = B.el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    t = invoice.totals
    B.sub(totals, "ram:LineTotalAmount", t.line_total)
    B.sub(totals, "ram:ChargeTotalAmount", t.charge_total)
    B.sub(totals, "ram:AllowanceTotalAmount", t.allowance_total)
    B.sub(totals, "ram:TaxBasisTotalAmount", t.tax_exclusive)
    B.sub(totals, "ram:TaxTotalAmount", t.tax_total, currencyID=cur)
    B.sub(totals, "ram:GrandTotalAmount", t.tax_inclusive)
    B.sub(totals, "ram:TotalPrepaidAmount", t.prepaid)
    B.sub(totals, "ram:DuePayableAmount", t.payable)
    if invoice.invoice_reference:  # BT-25, after the totals in the settlement's sequence
        B.sub(
            B.el(settlement, "ram:InvoiceReferencedDocument"),
            "ram:IssuerAssignedID",
            invoice.invoice_reference,
        )
    return serialize(root)
