"""goods receipts and the received quantity of order lines

Revision ID: 0025
Revises: 0024

``goods_receipts`` (a receipt per order, optionally per ship notice, by the organization that counted
the goods; flagged when some line has damages or a shortfall, or counts more than was shipped) and
``goods_receipt_lines`` (counted, damaged, beyond shipped, short of the ship notice, a reason code
and a note). ``order_lines.quantity_received`` sums what was accepted (0 on existing lines: nothing
was received through the portal before). ``invoices.match_status`` gains "above_received" (a
VARCHAR: no schema change). Issue #17.3.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from portal.models.base import Amount, UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

ZERO = f"{Decimal(0):019.4f}"  # Amount's text on SQLite; PostgreSQL reads it as a number


def _amount(name: str, *, default: bool = False) -> sa.Column[Decimal]:
    if default:
        return sa.Column(name, Amount(precision=18, scale=4), nullable=False, server_default=sa.text(f"'{ZERO}'"))
    return sa.Column(name, Amount(precision=18, scale=4), nullable=False)


def upgrade() -> None:
    op.add_column("order_lines", _amount("quantity_received", default=True))
    op.create_table(
        "goods_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("received_by_org_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("has_discrepancy", sa.Boolean(), nullable=False),
        sa.Column("over_received", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_goods_receipts_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["organizations.id"], name=op.f("fk_goods_receipts_supplier_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_goods_receipts_shipment_id_shipments")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_org_id"],
            ["organizations.id"],
            name=op.f("fk_goods_receipts_received_by_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_receipts")),
    )
    for column in ("order_id", "supplier_id", "shipment_id", "created_at"):
        op.create_index(op.f(f"ix_goods_receipts_{column}"), "goods_receipts", [column], unique=False)
    op.create_table(
        "goods_receipt_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        _amount("quantity"),
        _amount("quantity_damaged"),
        _amount("excess_quantity"),
        _amount("shortfall_quantity"),
        sa.Column(
            "reason",
            sa.Enum("short", "damaged", "wrong_item", "other", name="receiptreason", native_enum=False, length=24),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["goods_receipts.id"],
            name=op.f("fk_goods_receipt_lines_receipt_id_goods_receipts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_goods_receipt_lines_order_line_id_order_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_receipt_lines")),
    )
    for column in ("receipt_id", "order_line_id"):
        op.create_index(op.f(f"ix_goods_receipt_lines_{column}"), "goods_receipt_lines", [column], unique=False)


def downgrade() -> None:
    for column in ("receipt_id", "order_line_id"):
        op.drop_index(op.f(f"ix_goods_receipt_lines_{column}"), table_name="goods_receipt_lines")
    op.drop_table("goods_receipt_lines")
    for column in ("order_id", "supplier_id", "shipment_id", "created_at"):
        op.drop_index(op.f(f"ix_goods_receipts_{column}"), table_name="goods_receipts")
    op.drop_table("goods_receipts")
    op.drop_column("order_lines", "quantity_received")
