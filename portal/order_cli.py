"""`portal order show NUMBER`: one order as the owner's staff see it, with the files it travelled in."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from portal.access import get_visible, visible
from portal.cli import Context, _stdout, main, pass_ctx
from portal.db import make_sessionmaker, unit_of_work
from portal.errors import NotFound
from portal.exchange import ledger
from portal.exchange_cli import record_rows
from portal.models import Order, Organization
from portal.orders import service as orders
from portal.partners.service import system_principal


@main.group()
def order() -> None:
    """Look up an order: status, lines, routed supplier, the files it travelled in."""


@order.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of tables")
@pass_ctx
def show(ctx: Context, number: str, as_json: bool) -> None:
    """Status, lines, routed supplier and the exchange records (EDI files) of order NUMBER."""
    with unit_of_work(make_sessionmaker(ctx.engine), read_only=True) as uow:
        principal = system_principal(uow.session)
        order_id = uow.session.scalar(
            visible(principal, Order).where(Order.number == number).with_only_columns(Order.id)
        )
        if order_id is None:
            raise NotFound("order", number)
        found = orders.load_order(uow, principal, order_id)
        supplier = (
            get_visible(uow.session, principal, Organization, found.supplier_id)
            if found.supplier_id
            else None
        )
        files = ledger.records_of(uow.session, principal, "order", found.id)
        data: dict[str, Any] = {
            "number": found.number,
            "status": found.status().value,
            "order_date": found.order_date.isoformat(),
            "currency": found.currency,
            "net_total": str(found.total),
            "supplier": {"slug": supplier.slug, "name": supplier.name} if supplier else None,
            "routed_at": found.routed_at.isoformat() if found.routed_at else None,
            "cancelled_at": found.cancelled_at.isoformat() if found.cancelled_at else None,
            "lines": [
                {
                    "line": line.line_no,
                    "sku": line.sku,
                    "description": line.description,
                    "ordered": str(line.quantity_ordered),
                    "confirmed": None if line.quantity_confirmed is None else str(line.quantity_confirmed),
                    "shipped": str(line.quantity_shipped),
                    "invoiced": str(line.quantity_invoiced),
                    "response": line.response.value,
                    "unit_price": str(line.unit_price),
                }
                for line in sorted(found.lines, key=lambda line: line.line_no)
            ],
            "exchange_records": record_rows(uow.session, principal, files),
        }
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    out = _stdout()
    supplier_text = (
        f"{data['supplier']['name']} ({data['supplier']['slug']})" if data["supplier"] else "not routed"
    )
    out.print(
        f"order {data['number']}: {data['status']}, {data['net_total']} {data['currency']}, "
        f"supplier: {supplier_text}"
    )
    lines = Table("line", "sku", "description", "ordered", "confirmed", "shipped", "invoiced", "response")
    for line in data["lines"]:
        lines.add_row(
            *(
                str(line[k] if line[k] is not None else "")
                for k in (
                    "line",
                    "sku",
                    "description",
                    "ordered",
                    "confirmed",
                    "shipped",
                    "invoiced",
                    "response",
                )
            )
        )
    out.print(lines)
    records = Table("record", "dir", "state", "file", "type", "answers", "error")
    for row in data["exchange_records"]:
        answers = row["answers"]
        records.add_row(
            str(row["id"]),
            row["direction"],
            row["state"],
            row["filename"],
            str(row["type"] or ""),
            f"{answers['id']} {answers['filename']}" if answers else "",
            str(row["error"] or "")[:60],
        )
    out.print(records if data["exchange_records"] else "no exchange records")
