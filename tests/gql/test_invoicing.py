"""The invoice workflow through the API: the owner disputes, the supplier answers with a credit
note, the owner approves and pays in parts; fields, errors and isolation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.models import Invoice
from tests.gql.conftest import World, gid

ERRORS = "userErrors { field message code }"
FIELDS = (
    "invoice { status version grossTotal amountCredited amountPaid amountOwed paymentScheduledOn "
    "payments { amount paidOn reference } messages { kind body fromSupplier creditNoteNumber } "
    "creditNotes { number netTotal taxTotal grossTotal reason } }"
)


def op(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {FIELDS} {ERRORS} }} }}"


DISPUTE = op("disputeInvoice", "DisputeInvoiceInput")
ANSWER = op("answerInvoiceDispute", "AnswerDisputeInput")
APPROVE = op("approveInvoice", "ReviewInvoiceInput")
REJECT = op("rejectInvoice", "RejectInvoiceInput")
PAY = op("recordPayment", "RecordPaymentInput")
SCHEDULE = op("schedulePayment", "SchedulePaymentInput")
CREDIT = op("issueCreditNote", "IssueCreditNoteInput")
TODAY = date.today().isoformat()


def invoice_of(world: World, order: str = "order_b") -> str:
    with world.api.scene.factory() as session:
        return gid(
            "Invoice", session.scalars(select(Invoice.id).where(Invoice.order_id == world.ids[order])).one()
        )


def test_dispute_answer_with_credit_note_approve_and_pay_in_parts(world: World) -> None:
    # order_b: 3 x 12.50 = 37.50 net, 7.125 VAT rounded half up, 44.63 gross
    api, invoice = world.api, invoice_of(world)
    got = api.ok(DISPUTE, {"input": {"invoice": invoice, "reason": "Preis falsch", "expectedVersion": 1}})
    assert got["disputeInvoice"]["userErrors"] == []
    assert got["disputeInvoice"]["invoice"]["status"] == "DISPUTED"
    credit = {"number": "GS-1", "issueDate": TODAY, "grossTotal": "4.63", "reason": "Preisdifferenz"}
    got = api.ok(
        ANSWER,
        {"input": {"invoice": invoice, "message": "Korrigiert", "creditNote": credit}},
        as_="supplier-b",
    )
    answered = got["answerInvoiceDispute"]["invoice"]
    assert got["answerInvoiceDispute"]["userErrors"] == []
    assert answered["amountOwed"] == "40"
    assert [(m["kind"], m["fromSupplier"], m["creditNoteNumber"]) for m in answered["messages"]] == [
        ("DISPUTE", False, None),
        ("ANSWER", True, "GS-1"),
    ]
    assert answered["creditNotes"][0]["number"] == "GS-1"
    got = api.ok(APPROVE, {"input": {"invoice": invoice, "paymentScheduledOn": TODAY}})
    assert got["approveInvoice"]["invoice"]["status"] == "APPROVED"
    got = api.ok(SCHEDULE, {"input": {"invoice": invoice, "paymentScheduledOn": "2030-01-31"}})
    assert got["schedulePayment"]["invoice"]["paymentScheduledOn"] == "2030-01-31"
    got = api.ok(PAY, {"input": {"invoice": invoice, "amount": "15", "paidOn": TODAY, "reference": "T1"}})
    assert got["recordPayment"]["invoice"]["status"] == "APPROVED"
    got = api.ok(PAY, {"input": {"invoice": invoice, "amount": "25", "paidOn": TODAY}})
    paid = got["recordPayment"]["invoice"]
    assert paid["status"] == "PAID"
    assert [p["reference"] for p in paid["payments"]] == ["T1", None]
    # The supplier reads the same invoice with its payments.
    query = "query($id: ID!) { node(id: $id) { ... on Invoice { status amountPaid payments { amount } } } }"
    seen = api.ok(query, {"id": invoice}, as_="supplier-b")["node"]
    assert seen["status"] == "PAID" and len(seen["payments"]) == 2


def test_bad_input_comes_back_as_user_errors(world: World) -> None:
    api, invoice = world.api, invoice_of(world)
    too_much = {"number": "GS-2", "issueDate": TODAY, "grossTotal": "1000"}
    got = api.ok(CREDIT, {"input": {"invoice": invoice, "creditNote": too_much}}, as_="supplier-b")
    (error,) = got["issueCreditNote"]["userErrors"]
    assert (error["field"], error["code"]) == (["grossTotal"], "INVALID_INPUT")
    assert "larger than the 44.63 EUR still owed" in error["message"]
    got = api.ok(PAY, {"input": {"invoice": invoice, "amount": "1", "paidOn": TODAY}})
    assert got["recordPayment"]["userErrors"][0]["code"] == "INVALID_STATE"  # not approved yet
    api.ok(APPROVE, {"input": {"invoice": invoice, "expectedVersion": 1}})
    stale = api.ok(REJECT, {"input": {"invoice": invoice, "reason": "x", "expectedVersion": 1}})
    assert stale["rejectInvoice"]["userErrors"][0]["code"] == "CONFLICT"


def test_another_supplier_and_a_dealer_see_no_invoice_and_may_not_touch_it(world: World) -> None:
    api, invoice = world.api, invoice_of(world)
    for who in ("supplier-a", "dealer-group"):
        credit = {"number": "GS-3", "issueDate": TODAY, "grossTotal": "1"}
        got = api.ok(CREDIT, {"input": {"invoice": invoice, "creditNote": credit}}, as_=who)
        assert got["issueCreditNote"]["userErrors"][0]["code"] == "NOT_FOUND"
        assert got["issueCreditNote"]["invoice"] is None
        query = "query($id: ID!) { node(id: $id) { id } }"
        assert api.ok(query, {"id": invoice}, as_=who)["node"] is None
        listed = api.ok("{ invoices(first: 10) { edges { node { id creditNotes { number } } } } }", as_=who)
        assert listed["invoices"]["edges"] == []
    got = api.ok(APPROVE, {"input": {"invoice": invoice}}, as_="supplier-b")
    assert got["approveInvoice"]["userErrors"][0]["code"] == "PERMISSION_DENIED"


def test_invoices_filter_by_status_supplier_and_due(world: World) -> None:
    api, invoice = world.api, invoice_of(world)
    api.ok(DISPUTE, {"input": {"invoice": invoice, "reason": "?"}})
    query = "query($f: InvoiceFilter) { invoices(first: 10, filter: $f) { edges { node { id status } } } }"

    def ids(f: dict[str, object]) -> list[str]:
        return [e["node"]["id"] for e in api.ok(query, {"f": f})["invoices"]["edges"]]

    supplier_b = gid("Organization", world.api.scene.orgs["supplier-b"].id)
    supplier_a = gid("Organization", world.api.scene.orgs["supplier-a"].id)
    assert ids({"status": ["DISPUTED"]}) == [invoice]
    assert ids({"status": ["RECEIVED", "APPROVED"]}) == []
    assert ids({"supplier": supplier_b}) == [invoice]
    assert ids({"supplier": supplier_a}) == []
    assert ids({"dueFrom": "2000-01-01"}) == []  # no due date on it
    assert ids({"openOn": TODAY}) == [invoice]
