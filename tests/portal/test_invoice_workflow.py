"""The invoice workflow (issue #17.4, 17.5): review, disputes answered with credit notes, payments in
parts, and the dashboard tallies equal to their definitions after every step."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal import stats
from portal.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from portal.invoicing import service as invoicing
from portal.invoicing.queries import workflows
from portal.models import Event, Invoice, InvoiceStatus, MessageKind, Order, OrderLine, OrderStatus
from tests.builders import Scene, build_scene
from tests.portal.test_order_summaries import assert_facts_and_tallies_current

TODAY = date.today()


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def billed(scene: Scene, supplier: str = "supplier-a") -> Invoice:
    """An order routed to ``supplier``, confirmed, shipped and invoiced whole (net 250.00: 10 x
    12.50 + 5 x 25.00; gross 297.50)."""
    order = scene.order(scene.customer(), supplier=supplier)
    scene.fulfil(order, supplier)
    with scene.factory() as session:
        return session.scalars(select(Invoice).where(Invoice.order_id == order.id)).one()


def fresh(scene: Scene, invoice_id: int) -> Invoice:
    with scene.factory() as session:
        return session.get_one(Invoice, invoice_id)


def kinds(scene: Scene, invoice_id: int) -> list[str]:
    with scene.factory() as session:
        return list(
            session.scalars(
                select(Event.kind)
                .where(Event.entity == "invoice", Event.entity_id == invoice_id)
                .order_by(Event.id)
            )
        )


def test_dispute_answered_with_a_credit_note_then_approved_and_paid_in_two_parts(scene: Scene) -> None:
    invoice = billed(scene)
    assert (invoice.status, invoice.amount_owed) == (InvoiceStatus.RECEIVED, Decimal("297.50"))
    owner, supplier = scene.p("owner", "sales"), scene.p("supplier-a")
    open_before = stats.open_invoices
    with scene.factory() as session:
        assert open_before(session, owner, today=TODAY) == (1, Decimal("297.50"), 0)

    with scene.uow() as uow:
        invoicing.dispute_invoice(
            uow=uow,
            principal=owner,
            invoice_id=invoice.id,
            reason="5 Ventile kamen beschädigt an",
            expected_version=1,
        )
    assert fresh(scene, invoice.id).status is InvoiceStatus.DISPUTED
    assert_facts_and_tallies_current(scene.factory)

    with scene.uow() as uow:
        invoicing.answer_dispute(
            uow=uow,
            principal=supplier,
            invoice_id=invoice.id,
            message="Sorry, we credit the damaged valves.",
            credit=invoicing.Credit("GS-1", TODAY, Decimal("148.75")),
        )
    disputed = fresh(scene, invoice.id)
    assert (disputed.status, disputed.amount_credited, disputed.amount_owed) == (
        InvoiceStatus.DISPUTED,
        Decimal("148.75"),
        Decimal("148.75"),
    )
    with scene.factory() as session:
        flow = workflows(session, supplier, [invoice.id])[invoice.id]
        assert [m.kind for m in flow.messages] == [MessageKind.DISPUTE, MessageKind.ANSWER]
        assert flow.messages[1].credit_note_id == flow.credit_notes[0].id
        note = flow.credit_notes[0]
        assert (note.net_total, note.tax_total, note.gross_total) == (
            Decimal("125.00"),
            Decimal("23.75"),
            Decimal("148.75"),
        )
        assert stats.open_invoices(session, owner, today=TODAY) == (1, Decimal("148.75"), 0)
    assert_facts_and_tallies_current(scene.factory)

    with scene.uow() as uow:
        invoicing.approve_invoice(
            uow=uow, principal=owner, invoice_id=invoice.id, payment_scheduled_on=TODAY + timedelta(days=10)
        )
    with scene.uow() as uow:
        invoicing.record_payment(
            uow=uow, principal=owner, invoice_id=invoice.id, amount=Decimal("100"), paid_on=TODAY
        )
    part = fresh(scene, invoice.id)
    assert (part.status, part.amount_paid, part.amount_owed) == (
        InvoiceStatus.APPROVED,
        Decimal("100"),
        Decimal("48.75"),
    )
    assert_facts_and_tallies_current(scene.factory)
    with scene.uow() as uow:
        invoicing.record_payment(
            uow=uow,
            principal=owner,
            invoice_id=invoice.id,
            amount=Decimal("48.75"),
            paid_on=TODAY,
            reference="SEPA 42",
        )
    paid = fresh(scene, invoice.id)
    assert (paid.status, paid.amount_owed) == (InvoiceStatus.PAID, Decimal(0))
    with scene.factory() as session:
        assert stats.open_invoices(session, owner, today=TODAY) == (0, Decimal(0), 0)
        assert stats.open_invoices(session, supplier, today=TODAY) == (0, Decimal(0), 0)
    assert_facts_and_tallies_current(scene.factory)
    assert kinds(scene, invoice.id) == [
        "invoice.submitted",
        "invoice.disputed",
        "invoice.credited",
        "invoice.dispute_answered",
        "invoice.approved",
        "invoice.paid",
        "invoice.paid",
    ]


def test_a_rejected_invoice_is_no_longer_open_and_no_longer_bills_its_quantities(scene: Scene) -> None:
    invoice = billed(scene)
    with scene.uow() as uow:
        invoicing.reject_invoice(
            uow=uow, principal=scene.p("owner", "sales"), invoice_id=invoice.id, reason="wrong prices"
        )
    assert fresh(scene, invoice.id).status is InvoiceStatus.REJECTED
    with scene.factory() as session:
        assert stats.open_invoices(session, scene.p("owner"), today=TODAY)[0] == 0
        order = session.get_one(Order, invoice.order_id)
        assert order.current_status is OrderStatus.SHIPPED  # billable again
        assert {line.quantity_invoiced for line in session.scalars(select(OrderLine))} == {Decimal(0)}
    assert_facts_and_tallies_current(scene.factory)
    with scene.uow() as uow, pytest.raises(InvalidState):
        invoicing.approve_invoice(uow=uow, principal=scene.p("owner", "sales"), invoice_id=invoice.id)


def test_a_credit_note_larger_than_what_is_owed_is_refused_and_nothing_changes(scene: Scene) -> None:
    invoice = billed(scene)
    with scene.uow() as uow, pytest.raises(InvalidInput) as refused:
        invoicing.issue_credit_note(
            uow=uow,
            principal=scene.p("supplier-a"),
            invoice_id=invoice.id,
            credit=invoicing.Credit("GS-9", TODAY, Decimal("297.51")),
        )
    assert refused.value.field == "gross_total"
    assert (
        "larger than the 297.5000 EUR still owed" in refused.value.detail or "297.5" in refused.value.detail
    )
    after = fresh(scene, invoice.id)
    assert (after.amount_credited, after.amount_owed) == (Decimal(0), Decimal("297.50"))
    # The whole invoice may be credited: it is then settled ("credited"), not open.
    with scene.uow() as uow:
        invoicing.issue_credit_note(
            uow=uow,
            principal=scene.p("supplier-a"),
            invoice_id=invoice.id,
            credit=invoicing.Credit("GS-10", TODAY, Decimal("297.50"), reason="storniert"),
        )
    assert fresh(scene, invoice.id).status is InvoiceStatus.CREDITED
    assert_facts_and_tallies_current(scene.factory)


def test_a_payment_beyond_what_is_owed_or_before_approval_is_refused(scene: Scene) -> None:
    invoice = billed(scene)
    owner = scene.p("owner", "admin")
    with scene.uow() as uow, pytest.raises(InvalidState):
        invoicing.record_payment(
            uow=uow, principal=owner, invoice_id=invoice.id, amount=Decimal(1), paid_on=TODAY
        )
    with scene.uow() as uow:
        invoicing.approve_invoice(uow=uow, principal=owner, invoice_id=invoice.id)
    with scene.uow() as uow, pytest.raises(InvalidInput, match=r"more than the 297\.5"):
        invoicing.record_payment(
            uow=uow, principal=owner, invoice_id=invoice.id, amount=Decimal(300), paid_on=TODAY
        )
    with scene.uow() as uow, pytest.raises(InvalidInput, match="greater than zero"):
        invoicing.record_payment(
            uow=uow, principal=owner, invoice_id=invoice.id, amount=Decimal(0), paid_on=TODAY
        )
    assert fresh(scene, invoice.id).amount_paid == 0


def test_two_reviewers_at_once_one_wins_the_other_is_told(scene: Scene) -> None:
    invoice = billed(scene)
    seen = fresh(scene, invoice.id).version
    with scene.uow() as uow:
        invoicing.approve_invoice(
            uow=uow, principal=scene.p("owner", "sales"), invoice_id=invoice.id, expected_version=seen
        )
    with scene.uow() as uow, pytest.raises(Conflict, match="changed meanwhile"):
        invoicing.reject_invoice(
            uow=uow,
            principal=scene.p("owner", "admin"),
            invoice_id=invoice.id,
            reason="x",
            expected_version=seen,
        )
    assert fresh(scene, invoice.id).status is InvoiceStatus.APPROVED


def test_two_reviewers_in_the_same_moment_the_database_version_decides(scene: Scene) -> None:
    """Both read version 1 in their own transaction; the second flush finds the row moved on."""
    invoice = billed(scene)
    first, second = scene.factory(), scene.factory()
    try:
        a, b = first.get_one(Invoice, invoice.id), second.get_one(Invoice, invoice.id)
        a.status = InvoiceStatus.APPROVED
        first.commit()
        b.status = InvoiceStatus.REJECTED
        from portal.db import UnitOfWork

        with pytest.raises(Conflict):
            UnitOfWork(second).flush()
    finally:
        first.close()
        second.rollback()
        second.close()
    assert fresh(scene, invoice.id).status is InvoiceStatus.APPROVED


def test_only_the_owner_sales_staff_review_and_only_the_supplier_answers(scene: Scene) -> None:
    invoice = billed(scene)
    with scene.uow() as uow, pytest.raises(PermissionDenied):
        invoicing.approve_invoice(uow=uow, principal=scene.p("owner", "support"), invoice_id=invoice.id)
    with scene.uow() as uow, pytest.raises(PermissionDenied):
        invoicing.approve_invoice(uow=uow, principal=scene.p("supplier-a"), invoice_id=invoice.id)
    with scene.uow() as uow, pytest.raises(NotFound):  # another supplier's invoice: as if missing
        invoicing.issue_credit_note(
            uow=uow,
            principal=scene.p("supplier-b"),
            invoice_id=invoice.id,
            credit=invoicing.Credit("GS-1", TODAY, Decimal(1)),
        )
    with scene.uow() as uow, pytest.raises(NotFound):  # dealers never see supplier invoices
        invoicing.dispute_invoice(
            uow=uow, principal=scene.p("dealer-group"), invoice_id=invoice.id, reason="x"
        )
    with scene.uow() as uow, pytest.raises(InvalidState):  # nothing to answer before a dispute
        invoicing.answer_dispute(uow=uow, principal=scene.p("supplier-a"), invoice_id=invoice.id, message="?")
    with scene.uow() as uow, pytest.raises(InvalidInput, match="reason"):
        invoicing.dispute_invoice(
            uow=uow, principal=scene.p("owner", "sales"), invoice_id=invoice.id, reason="  "
        )
    assert fresh(scene, invoice.id).status is InvoiceStatus.RECEIVED


def test_a_credit_note_by_invoice_number_finds_only_the_suppliers_own(scene: Scene) -> None:
    mine = billed(scene, "supplier-a")
    with scene.uow() as uow, pytest.raises(NotFound):
        invoicing.credit_from_exchange(
            uow=uow,
            principal=scene.p("supplier-b"),
            invoice_number=mine.number,
            credit=invoicing.Credit("CN-1", TODAY, Decimal(1)),
            exchange_record_id=None,
        )
    with scene.uow() as uow:
        note = invoicing.credit_from_exchange(
            uow=uow,
            principal=scene.p("supplier-a"),
            invoice_number=mine.number,
            credit=invoicing.Credit("CN-1", TODAY, Decimal("11.90"), tax_total=Decimal("1.90")),
            exchange_record_id=None,
        )
        assert (note.net_total, note.invoice_id) == (Decimal("10.00"), mine.id)
    assert fresh(scene, mine.id).amount_owed == Decimal("285.60")
    assert_facts_and_tallies_current(scene.factory)


def test_the_payment_is_planned_on_an_approved_invoice_only(scene: Scene) -> None:
    invoice = billed(scene)
    owner = scene.p("owner", "sales")
    with scene.uow() as uow, pytest.raises(InvalidState):
        invoicing.schedule_payment(uow=uow, principal=owner, invoice_id=invoice.id, on=TODAY)
    with scene.uow() as uow:
        invoicing.approve_invoice(uow=uow, principal=owner, invoice_id=invoice.id)
    with scene.uow() as uow:
        invoicing.schedule_payment(
            uow=uow, principal=owner, invoice_id=invoice.id, on=TODAY + timedelta(days=3)
        )
    assert fresh(scene, invoice.id).payment_scheduled_on == TODAY + timedelta(days=3)
    assert kinds(scene, invoice.id)[-1] == "invoice.payment_scheduled"
    with scene.uow() as uow, pytest.raises(PermissionDenied):
        invoicing.schedule_payment(uow=uow, principal=scene.p("supplier-a"), invoice_id=invoice.id, on=TODAY)
