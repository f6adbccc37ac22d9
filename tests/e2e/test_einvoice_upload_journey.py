"""A supplier without EDI uploads its XRechnung (issue #17.6) against a real `portal serve`: in
Chromium on /invoices (German at 1366 px, English at 375 px, or the other way round on PostgreSQL,
see `Live.full_lang`), landing on the invoice with its readable view (#17.4); and through the API as a
multipart request (the GraphQL multipart request spec) over a real socket."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import httpx2
import pytest

import edi.documents as doc
from edi.xml import codec
from tests.e2e.conftest import DESKTOP, PHONE, Browsing, Live, http_client, small_targets, translator

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TOKEN = "ptk_demo_nordtec_supplier"  # the demo's NordTec token (portal.seed.plan)
ORDERS = (
    "{ orders(first: 100) { nodes { number currency "
    "lines { lineNo unitPrice quantityConfirmed quantityShipped quantityInvoiced } } } }"
)
ADDRESS = doc.Address(street="Industriestr. 4", city="Hamburg", postal_code="20095", country_code="DE")
_taken: set[tuple[str, int]] = set()


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def xrechnung(live: Live, number: str) -> bytes:
    """An XRechnung of NordTec for one piece of a line it has not billed yet (each call another
    line), with what XRechnung requires of seller, buyer and payment."""
    with http_client(live, "supplier", lang="en") as client:
        orders = client.post("/graphql", json={"query": ORDERS}).json()["data"]["orders"]["nodes"]
    # shipped and not billed; else confirmed and not billed (accepted, flagged as over-billed)
    order, line = next(
        (o, ln)
        for field in ("quantityShipped", "quantityConfirmed")
        for o in orders
        for ln in o["lines"]
        if Decimal(ln[field] or 0) - Decimal(ln["quantityInvoiced"]) >= 1
        and (o["number"], ln["lineNo"]) not in _taken
    )
    _taken.add((order["number"], line["lineNo"]))
    price = Decimal(line["unitPrice"])
    tax = (price * Decimal("0.19")).quantize(Decimal("0.01"))
    seller = doc.Party(
        name="NordTec Komponenten GmbH",
        vat_id="DE123456789",
        address=ADDRESS,
        contact=doc.Contact(name="Anna Nord", phone="+49 40 1234567", email="rechnung@nordtec.example"),
    )
    invoice = doc.Invoice(
        number=number,
        issue_date=date.today(),
        currency=order["currency"],
        seller=seller,
        buyer=doc.Party(name="Wärmewerk AG", address=replace(ADDRESS, city="Köln", postal_code="50667")),
        lines=(
            doc.InvoiceLine(
                line_id="1",
                order_line_id=str(line["lineNo"]),
                quantity=Decimal(1),
                net_price=price,
                net_amount=price,
                vat_rate=Decimal(19),
                description=f"Position {line['lineNo']}",
            ),
        ),
        tax_subtotals=(
            doc.TaxSubtotal(category="S", rate=Decimal(19), taxable_amount=price, tax_amount=tax),
        ),
        totals=doc.MonetaryTotals(
            line_total=price,
            tax_exclusive=price,
            tax_total=tax,
            tax_inclusive=price + tax,
            payable=price + tax,
        ),
        order_number=order["number"],
        buyer_reference="04011000-12345-34",
        delivery_date=date.today(),
        payment_terms=doc.PaymentTerms(iban="DE02120300000000202051", payment_means_code="58"),
    )
    return codec.encode(invoice, syntax="ubl", profile="xrechnung")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_supplier_uploads_an_xrechnung_on_the_invoice_list_and_reads_it(
    browsing: Browsing, live: Live, size: str
) -> None:
    lang = ("de" if live.full_lang == "en" else "en") if size == "desktop" else live.full_lang
    viewport = DESKTOP if size == "desktop" else PHONE
    t = translator(lang)
    number = f"XR-E2E-{size}"
    data = xrechnung(live, number)

    page = browsing.open("supplier", lang=lang, viewport=viewport)
    page.goto("/invoices")
    form = page.locator("#invoice-upload-form")
    _expect()(page.locator("#h-invoice-upload")).to_have_text(t("Upload an e-invoice"))
    form.locator("input[type=file]").set_input_files(
        {"name": f"{number}.xml", "mimeType": "application/xml", "buffer": data}
    )
    form.locator("button[type=submit]").click()
    _expect()(page.locator("main [role=status]")).to_contain_text(t("The e-invoice has been accepted."))
    _expect()(page.locator("h1")).to_contain_text(number)

    view = page.locator("section.einvoice")
    _expect()(view.locator("h2")).to_have_text(t("The e-invoice as sent"))
    _expect()(view).to_contain_text("NordTec Komponenten GmbH")
    _expect()(view).to_contain_text("DE02120300000000202051")
    _expect()(view).to_contain_text(t("SEPA credit transfer"))
    _expect()(view).to_contain_text(t("VAT breakdown"))
    download = view.locator("a[download]")
    href = download.get_attribute("href")
    assert href and href.startswith("/invoices/")
    original = page.request.get(href)
    assert original.status == 200 and original.body() == data
    assert original.headers["content-type"] == "application/xml"
    if size == "phone":  # nothing wider than the phone; the lines stack, every target 44 px
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert [s for s in small_targets(page) if "einvoice" in s or "Download" in s] == []
        assert download.bounding_box()["height"] >= 44
    assert [f for f in browsing.failures if not f.endswith("/favicon.ico")] == []


def test_an_integrator_uploads_through_graphql_as_a_multipart_request(live: Live) -> None:
    data = xrechnung(live, "XR-E2E-API")
    operations = {
        "query": "mutation($input: UploadInvoiceInput!) { uploadInvoice(input: $input) "
        "{ invoice { number } exchangeRecord { state } userErrors { field message code } } }",
        "variables": {"input": {"file": None}},
    }
    with httpx2.Client(base_url=live.base, timeout=30) as client:
        response = client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
            files={"0": ("XR-E2E-API.xml", data, "application/xml")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 200, response.text
        result = response.json()["data"]["uploadInvoice"]
        assert result == {
            "invoice": {"number": "XR-E2E-API"},
            "exchangeRecord": {"state": "APPLIED"},
            "userErrors": [],
        }
        # the same request without a header a form cannot send: refused before anything is read
        refused = client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
            files={"0": ("again.xml", data, "application/xml")},
        )
        assert (
            refused.status_code == 400
            and refused.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"
        )
