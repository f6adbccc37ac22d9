"""Quick builders for test data: organizations and principals straight through the ORM (no password
hashing), business objects through the real services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from portal.access import Principal, organization_kinds
from portal.customers import service as customers
from portal.db import UnitOfWork, unit_of_work
from portal.models import Customer, LineResponse, Order, Organization, OrgKind, Product
from portal.orders import review
from portal.orders import service as orders
from portal.orders.fulfilment import BillLine, ShipLine, record_shipment, submit_invoice
from portal.seed.plan import gtin13


def principal_of(session: Session, org: Organization, *roles: str, user_id: int | None = None) -> Principal:
    default = ("admin",)
    org_ids, supplier_ids = organization_kinds(session, org.id)
    return Principal(
        org_id=org.id,
        org_kind=org.kind,
        org_ids=org_ids,
        supplier_ids=supplier_ids,
        roles=frozenset(roles or default),
        user_id=user_id,
        name=f"{org.slug} user",
    )


@dataclass
class Scene:
    """A small, fixed world: the owner, two dealers (one a branch of a group), two suppliers, a partner."""

    factory: sessionmaker[Session]
    orgs: dict[str, Organization] = field(default_factory=dict)
    products: list[Product] = field(default_factory=list)

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        with unit_of_work(self.factory) as uow:
            yield uow

    def p(self, slug: str, *roles: str) -> Principal:
        with self.factory() as session:
            return principal_of(session, self.orgs[slug], *roles)

    def customer(self, name: str = "Müller GmbH", *, shared_with: tuple[str, ...] = ()) -> Customer:
        with self.uow() as uow:
            owner = self.p("owner")
            customer = customers.create_customer(
                uow=uow,
                principal=owner,
                name=name,
                street="Hauptstr. 1",
                postal_code="10115",
                city="Berlin",
                gln="4012345000009",
                allow_duplicates=True,  # scenes reuse the name and address
            )
            customers.add_contact(
                uow=uow,
                principal=owner,
                customer_id=customer.id,
                first_name="Anna",
                last_name="Schmidt",
                email="anna@example.de",
                phone="+49 30 1234",
            )
            for slug in shared_with:
                customers.share_customer(
                    uow=uow, principal=owner, customer_id=customer.id, organization_id=self.orgs[slug].id
                )
            return customer

    def order(
        self,
        customer: Customer,
        *,
        by: str = "owner",
        dealer: str | None = None,
        supplier: str | None = None,
        quantities: tuple[int, ...] = (10, 5),
    ) -> Order:
        with self.uow() as uow:
            lines = [
                orders.NewOrderLine(product_id=self.products[i % len(self.products)].id, quantity=Decimal(q))
                for i, q in enumerate(quantities)
            ]
            order = orders.create_order(
                uow=uow,
                principal=self.p(by),
                customer_id=customer.id,
                lines=lines,
                dealer_id=self.orgs[dealer].id if dealer else None,
            )
            if supplier:
                orders.route_order(
                    uow=uow, principal=self.p("owner"), order_id=order.id, supplier_id=self.orgs[supplier].id
                )
            return order

    def accept_changes(self, order: Order, by: str = "owner") -> None:
        """The buyer accepts every supplier change awaiting review on ``order`` (issue #17)."""
        with self.uow() as uow:
            current = orders.load_order(uow, self.p(by), order.id)
            decisions = [
                review.LineDecision(line.line_no, accept=True)
                for line in current.lines
                if line.awaiting_review
            ]
            review.review_line_changes(uow=uow, principal=self.p(by), order_id=order.id, decisions=decisions)

    def fulfil(self, order: Order, supplier: str) -> None:
        """Confirm every line, ship it whole, invoice it whole."""
        with self.uow() as uow:
            sp = self.p(supplier)
            current = orders.load_order(uow, sp, order.id)
            answers = [
                orders.LineAnswer(line_no=line.line_no, action=LineResponse.ACCEPTED)
                for line in current.lines
            ]
            orders.respond_to_order(uow=uow, principal=sp, order_id=order.id, answers=answers)
            quantities = [(line.line_no, line.quantity_ordered) for line in current.lines]
        with self.uow() as uow:
            record_shipment(
                uow=uow,
                principal=self.p(supplier),
                order_id=order.id,
                number=f"DN-{order.id}",
                shipped_on=date.today(),
                lines=[ShipLine(n, q) for n, q in quantities],
            )
        with self.uow() as uow:
            submit_invoice(
                uow=uow,
                principal=self.p(supplier),
                order_id=order.id,
                number=f"INV-{order.id}",
                issue_date=date.today(),
                lines=[BillLine(n, q) for n, q in quantities],
            )


def build_scene(factory: sessionmaker[Session]) -> Scene:
    scene = Scene(factory)
    with unit_of_work(factory) as uow:

        def org(slug: str, kind: OrgKind, parent: str | None = None) -> None:
            o = Organization(
                slug=slug,
                name=slug.replace("-", " ").title(),
                kind=kind,
                parent_id=scene.orgs[parent].id if parent else None,
            )
            uow.session.add(o)
            uow.session.flush()
            scene.orgs[slug] = o

        org("owner", OrgKind.OWNER)
        org("dealer-group", OrgKind.DEALER)
        org("dealer-branch", OrgKind.DEALER, "dealer-group")
        org("dealer-other", OrgKind.DEALER)
        org("supplier-a", OrgKind.SUPPLIER)
        org("supplier-b", OrgKind.SUPPLIER)
        org("partner", OrgKind.PARTNER)
        for i, (sku, name) in enumerate(
            [("P-100", "Pumpe 100"), ("P-200", "Ventil 200"), ("P-300", "Filter")]
        ):
            price = Decimal("12.50") * (i + 1)
            product = Product(sku=sku, name=name, gtin=gtin13(400000000010 + i), unit="C62", price=price)
            uow.session.add(product)
            scene.products.append(product)
    return scene
