"""The invoice workflow's notifications (issue #17): approved, disputed, rejected and paid tell the
supplier; a dispute answered and a credit note received tell the owner's order staff. Never another
supplier, never a dealer, never the actor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.invoicing import service as invoicing
from portal.models import Invoice, Notification
from portal.notify.notifier import notify_once
from portal.notify.rules import Kind, link
from tests.builders import Scene, build_scene
from tests.notify.people import add_user, as_user


def told(factory: sessionmaker[Session], kind: Kind) -> set[tuple[int, int]]:
    with factory() as session:
        return {
            (n.user_id, n.entity_id)
            for n in session.scalars(select(Notification).where(Notification.kind == kind.value))
        }


def invoiced(scene: Scene) -> int:
    order = scene.order(
        scene.customer(shared_with=("dealer-group",)), dealer="dealer-group", supplier="supplier-a"
    )
    scene.fulfil(order, "supplier-a")
    with scene.factory() as session:
        return session.scalars(select(Invoice.id).where(Invoice.order_id == order.id)).one()


def test_the_owners_review_tells_the_supplier_and_its_answer_tells_the_owner(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    add_user(scene, "supplier-b", "admin")
    add_user(scene, "dealer-group", "admin")
    sales = add_user(scene, "owner", "sales")
    other_sales = add_user(scene, "owner", "sales")
    support = add_user(scene, "owner", "support")
    invoice_id = invoiced(scene)
    with scene.uow() as uow:
        invoicing.dispute_invoice(
            uow=uow, principal=as_user(scene, sales), invoice_id=invoice_id, reason="zu teuer"
        )
    with scene.uow() as uow:
        invoicing.answer_dispute(
            uow=uow,
            principal=as_user(scene, supplier),
            invoice_id=invoice_id,
            message="Gutschrift anbei",
            credit=invoicing.Credit("GS-7", date.today(), Decimal(10)),
        )
    with scene.uow() as uow:
        invoicing.approve_invoice(uow=uow, principal=as_user(scene, sales), invoice_id=invoice_id)
    with scene.uow() as uow:
        invoicing.record_payment(
            uow=uow,
            principal=as_user(scene, sales),
            invoice_id=invoice_id,
            amount=Decimal(5),
            paid_on=date.today(),
        )
    notify_once(factory)
    for kind in (Kind.INVOICE_DISPUTED, Kind.INVOICE_APPROVED, Kind.INVOICE_PAID):
        assert told(factory, kind) == {(supplier, invoice_id)}, kind
    # The owner's order staff, not the actor (sales answered nothing; its colleague is told too).
    assert told(factory, Kind.INVOICE_DISPUTE_ANSWERED) == {(sales, invoice_id), (other_sales, invoice_id)}
    assert told(factory, Kind.CREDIT_NOTE_RECEIVED) == {(sales, invoice_id), (other_sales, invoice_id)}
    assert support not in {u for u, _ in told(factory, Kind.INVOICE_DISPUTE_ANSWERED)}
    with factory() as session:
        note = session.scalars(
            select(Notification).where(Notification.kind == Kind.CREDIT_NOTE_RECEIVED.value)
        ).first()
        assert note is not None
        assert note.payload["credit_note"] == "GS-7"
        assert link(note.entity, note.entity_id, note.payload) == f"/invoices/{invoice_id}"


def test_a_rejection_tells_the_supplier_only(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "admin")
    add_user(scene, "supplier-b", "admin")
    admin = add_user(scene, "owner", "admin")
    invoice_id = invoiced(scene)
    with scene.uow() as uow:
        invoicing.reject_invoice(
            uow=uow, principal=as_user(scene, admin), invoice_id=invoice_id, reason="doppelt"
        )
    notify_once(factory)
    assert told(factory, Kind.INVOICE_REJECTED) == {(supplier, invoice_id)}
