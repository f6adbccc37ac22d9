"""The invoice page (issue #17.4, 17.5): the owner disputes, the supplier answers with a credit note,
the owner approves and records payments; refused input keeps what was typed; isolation; German."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from portal.models import Invoice, InvoiceStatus
from tests.web.conftest import WebWorld, post_form


def _invoice(world: WebWorld, supplier: str = "supplier-a") -> Invoice:
    order = world.scene.order(world.scene.customer(), supplier=supplier)
    world.scene.fulfil(order, supplier)  # net 250.00, gross 297.50
    with world.scene.factory() as session:
        return session.scalars(select(Invoice).where(Invoice.order_id == order.id)).one()


def _fresh(world: WebWorld, invoice_id: int) -> Invoice:
    with world.scene.factory() as session:
        return session.get_one(Invoice, invoice_id)


def test_dispute_answer_with_credit_note_approve_and_pay(world: WebWorld) -> None:
    invoice = _invoice(world)
    url = f"/invoices/{invoice.id}"
    owner, supplier = world.client("owner"), world.client("supplier-a")
    # The list leads to the page.
    assert f'href="{url}"' in owner.get("/invoices").text
    page = owner.get(url)
    assert (
        page.status_code == 200 and 'id="approve-form"' in page.text and 'id="answer-form"' not in page.text
    )
    response = post_form(
        owner, url, f"{url}/review", {"action": "dispute", "reason": "Ventile beschädigt", "version": "1"}
    )
    assert response.status_code == 303, response.text
    assert _fresh(world, invoice.id).status is InvoiceStatus.DISPUTED

    page = supplier.get(url)
    assert (
        "Ventile beschädigt" in page.text
        and 'id="answer-form"' in page.text
        and 'id="approve-form"' not in page.text
    )
    response = post_form(
        supplier,
        url,
        f"{url}/answer",
        {
            "message": "Wir schreiben gut.",
            "number": "GS-1",
            "issue_date": "2026-12-01",
            "gross_total": "97.50",
        },
    )
    assert response.status_code == 303, response.text
    assert _fresh(world, invoice.id).amount_owed == Decimal("200.00")

    page = owner.get(url)
    assert "Wir schreiben gut." in page.text and "GS-1" in page.text
    response = post_form(
        owner, url, f"{url}/review", {"action": "approve", "payment_scheduled_on": "2026-12-24"}
    )
    assert response.status_code == 303, response.text
    response = post_form(
        owner, url, f"{url}/payments", {"amount": "150", "paid_on": "2026-12-24", "reference": "T-1"}
    )
    assert response.status_code == 303, response.text
    page = owner.get(url).text
    assert "The payment of €150.00 has been recorded." in page  # money as the reader writes it
    assert "At most" not in page or "At most €" in page
    response = post_form(owner, url, f"{url}/payments", {"amount": "50", "paid_on": "2026-12-28"})
    assert response.status_code == 303
    paid = _fresh(world, invoice.id)
    assert (paid.status, paid.amount_paid, paid.amount_owed) == (InvoiceStatus.PAID, Decimal(200), Decimal(0))
    assert re.search(r'id="invoice-status"><span class="badge s-paid">', owner.get(url).text)


def test_a_refused_credit_note_says_why_and_keeps_what_was_typed(world: WebWorld) -> None:
    invoice = _invoice(world)
    url = f"/invoices/{invoice.id}"
    client = world.client("supplier-a")
    response = post_form(
        client,
        url,
        f"{url}/credit-notes",
        {"number": "GS-9", "issue_date": "2026-12-01", "gross_total": "300"},
    )
    assert response.status_code == 400
    assert "is larger than the €297.50 still owed" in response.text
    assert 'value="GS-9"' in response.text and 'value="300"' in response.text
    response = post_form(
        client, url, f"{url}/credit-notes", {"number": "", "issue_date": "", "gross_total": "x"}
    )
    assert response.status_code == 400
    assert response.text.count('aria-invalid="true"') == 3  # every wrong field at once
    assert _fresh(world, invoice.id).amount_credited == 0


def test_a_dispute_needs_a_reason_and_a_stale_form_is_told(world: WebWorld) -> None:
    invoice = _invoice(world)
    url = f"/invoices/{invoice.id}"
    owner = world.client("owner")
    response = post_form(owner, url, f"{url}/review", {"action": "dispute", "reason": " ", "version": "1"})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.text
    post_form(owner, url, f"{url}/review", {"action": "approve", "version": "1"})
    stale = post_form(owner, url, f"{url}/review", {"action": "approve", "version": "1"})
    assert stale.status_code in (400, 409)
    assert _fresh(world, invoice.id).status is InvoiceStatus.APPROVED


def test_another_supplier_a_dealer_and_a_partner_get_a_404(world: WebWorld) -> None:
    invoice = _invoice(world)
    url = f"/invoices/{invoice.id}"
    for who in ("supplier-b", "dealer-group", "partner"):
        client = world.client(who)
        assert client.get(url).status_code == 404
        page = client.get("/orders")  # any page for a CSRF token
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token
        data = {"csrf": token.group(1), "number": "GS-X", "issue_date": "2026-12-01", "gross_total": "1"}
        assert client.post(f"{url}/credit-notes", data=data, follow_redirects=False).status_code == 404
    assert _fresh(world, invoice.id).amount_credited == 0


def test_the_page_and_the_list_in_german(world: WebWorld) -> None:
    invoice = _invoice(world)
    client = world.client("owner")
    page = client.get(f"/invoices/{invoice.id}", params={"lang": "de"})
    assert (
        f"Rechnung {invoice.number}" in page.text
        and "Noch offen" in page.text
        and "Zur Zahlung freigeben" in page.text
    )
    listed = client.get("/invoices", params={"status": "received"})
    assert "Empfangen" in listed.text and invoice.number in listed.text
    assert invoice.number not in client.get("/invoices", params={"status": "paid"}).text


def test_the_owner_plans_the_payment_of_an_approved_invoice(world: WebWorld) -> None:
    invoice = _invoice(world)
    url = f"/invoices/{invoice.id}"
    owner = world.client("owner")
    assert 'id="schedule-form"' not in owner.get(url).text  # not before approval
    post_form(owner, url, f"{url}/review", {"action": "approve"})
    refused = post_form(owner, url, f"{url}/schedule", {"payment_scheduled_on": "morgen"})
    assert refused.status_code == 400 and 'value="morgen"' in refused.text
    response = post_form(owner, url, f"{url}/schedule", {"payment_scheduled_on": "2026-12-30"})
    assert response.status_code == 303, response.text
    assert str(_fresh(world, invoice.id).payment_scheduled_on) == "2026-12-30"


def test_a_credit_note_larger_than_owed_is_refused_in_german_with_the_amounts(world: WebWorld) -> None:
    invoice = _invoice(world)  # gross 297.50
    url = f"/invoices/{invoice.id}"
    supplier = world.client("supplier-a")
    supplier.get(url, params={"lang": "de"})
    response = post_form(
        supplier,
        url,
        f"{url}/credit-notes",
        {"number": "GS-9", "issue_date": "2026-12-01", "gross_total": "9.999,00", "reason": "zu viel"},
    )
    assert response.status_code == 400, response.text
    assert "Dieser Wert wird nicht angenommen." not in response.text
    assert "die Gutschrift über 9.999,00\xa0€ ist höher als die 297,50\xa0€" in response.text
    assert 'value="9.999,00"' in response.text  # what was typed stays
    assert "Höchstens 297,50\xa0€" in response.text  # the hint: money, not a bare number
