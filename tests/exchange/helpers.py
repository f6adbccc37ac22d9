"""A supplier exchanging files with us through a folder, and documents it would send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import edi
import edi.documents as doc
from portal.exchange.profiles import create_profile
from portal.models import Order, Organization
from tests.builders import Scene, build_scene

OWNER_GLN = "4012345000016"
SUPPLIER_GLN = "4023456000017"


@dataclass
class Partner:
    scene: Scene
    root: Path
    fmt: str

    @property
    def inbox(self) -> Path:  # what we receive: the partner writes here
        return self.root / "out"

    @property
    def outbox(self) -> Path:  # what we send: the partner reads here
        return self.root / "in"

    def drop(self, name: str, data: bytes) -> Path:
        self.inbox.mkdir(parents=True, exist_ok=True)
        path = self.inbox / name
        path.write_bytes(data)
        return path

    def received(self, prefix: str = "") -> list[Path]:
        return sorted(p for p in self.outbox.glob(f"{prefix}*") if p.is_file())

    def envelope(self, control: str) -> doc.Envelope:
        return doc.Envelope(
            sender=SUPPLIER_GLN,
            recipient=OWNER_GLN,
            control_reference=control,
            sender_qualifier="14" if self.fmt == "edifact" else ("ZZ" if self.fmt == "x12" else None),
            recipient_qualifier="14" if self.fmt == "edifact" else ("ZZ" if self.fmt == "x12" else None),
        )

    def send(self, name: str, document: doc.Document, control: str) -> Path:
        return self.drop(name, edi.encode(document, format=self.fmt, envelope=self.envelope(control)))


def partner_scene(
    factory: object, root: Path, fmt: str = "edifact", *, invalid_einvoices: str = "reject"
) -> Partner:
    scene = build_scene(factory)  # type: ignore[arg-type]
    with scene.uow() as uow:
        owner = uow.session.get_one(Organization, scene.orgs["owner"].id)
        owner.gln = OWNER_GLN
        supplier = uow.session.get_one(Organization, scene.orgs["supplier-a"].id)
        supplier.gln = SUPPLIER_GLN
        create_profile(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=supplier.id,
            transport="folder",
            settings={"root": str(root)},
            partner_id=SUPPLIER_GLN,
            our_id=OWNER_GLN,
            format=fmt,
            invalid_einvoices=invalid_einvoices,
        )
    return Partner(scene, root, fmt)


def party(gln: str, name: str) -> doc.Party:
    return doc.Party(name=name, gln=gln)


def order_response(
    order: Order, *, quantities: dict[int, Decimal | None], number: str = "RSP-1"
) -> doc.OrderResponse:
    """Accept lines with None, change those with a quantity, reject those with 0."""
    lines = []
    for line_no, qty in quantities.items():
        if qty is None:
            lines.append(
                doc.OrderResponseLine(
                    line_id=str(line_no),
                    status=doc.LineStatus.ACCEPTED,
                    quantity=next(ol.quantity_ordered for ol in order.lines if ol.line_no == line_no),
                )
            )
        elif qty == 0:
            lines.append(
                doc.OrderResponseLine(
                    line_id=str(line_no), status=doc.LineStatus.REJECTED, quantity=Decimal(0)
                )
            )
        else:
            lines.append(
                doc.OrderResponseLine(
                    line_id=str(line_no),
                    status=doc.LineStatus.CHANGED,
                    quantity=qty,
                    promised_date=date(2030, 1, 15),
                )
            )
    return doc.OrderResponse(
        number=number,
        order_number=order.number,
        issue_date=date(2030, 1, 2),
        status=doc.ResponseStatus.CHANGED,
        buyer=party(OWNER_GLN, "Owner"),
        seller=party(SUPPLIER_GLN, "Supplier A"),
        lines=tuple(lines),
    )


def despatch(order: Order, quantities: dict[int, Decimal], *, number: str = "DN-1") -> doc.DespatchAdvice:
    lines = tuple(
        doc.DespatchLine(line_id=str(i), order_line_id=str(n), quantity=q, batch_number="L42")
        for i, (n, q) in enumerate(quantities.items(), start=1)
    )
    return doc.DespatchAdvice(
        number=number,
        order_number=order.number,
        issue_date=date(2030, 1, 3),
        buyer=party(OWNER_GLN, "Owner"),
        seller=party(SUPPLIER_GLN, "Supplier A"),
        packages=(doc.Package(lines=lines, sscc="340123450000000017"),),
        despatch_date=date(2030, 1, 3),
        carrier="DHL",
        tracking_number="JJD0001",
    )


def invoice(order: Order, quantities: dict[int, Decimal], *, number: str = "INV-1") -> doc.Invoice:
    lines = []
    net = Decimal(0)
    for i, (n, q) in enumerate(quantities.items(), start=1):
        price = next(ol.unit_price for ol in order.lines if ol.line_no == n)
        amount = (q * price).quantize(Decimal("0.01"))
        net += amount
        lines.append(
            doc.InvoiceLine(
                line_id=str(i),
                order_line_id=str(n),
                quantity=q,
                net_price=price,
                net_amount=amount,
                vat_rate=Decimal(19),
                description=f"line {n}",
            )
        )
    tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
    return doc.Invoice(
        number=number,
        issue_date=date(2030, 1, 5),
        currency="EUR",
        seller=party(SUPPLIER_GLN, "Supplier A"),
        buyer=party(OWNER_GLN, "Owner"),
        lines=tuple(lines),
        tax_subtotals=(doc.TaxSubtotal(category="S", rate=Decimal(19), taxable_amount=net, tax_amount=tax),),
        totals=doc.MonetaryTotals(
            line_total=net, tax_exclusive=net, tax_total=tax, tax_inclusive=net + tax, payable=net + tax
        ),
        order_number=order.number,
    )
