"""stored order facts and dashboard tallies

Revision ID: 0009
Revises: 0008

Orders get two more stored facts, kept by the flush hook in ``portal.models.orders`` like the
status: ``earliest_open_due`` (the late tile, filter and ``lateOn`` read it through an index) and
``awaiting_confirmation`` (partial indexes for the waiting list and the supplier's pull). Two tally
tables hold the dashboard figures per organization (``portal.models.tallies``). Existing data is
filled in by ``portal.summaries.rebuild``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.summaries import rebuild

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# PostgreSQL plans `WHERE awaiting_confirmation` with these; SQLite, which renders the condition as
# `awaiting_confirmation = 1`, needs that very term in the index.
AWAITING = sa.text("awaiting_confirmation")
AWAITING_SQLITE = sa.text("awaiting_confirmation = 1")


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place (a batch copy of orders would trip over the
    # foreign keys that point at it).
    op.add_column("orders", sa.Column("earliest_open_due", sa.Date(), nullable=True))
    op.add_column(
        "orders", sa.Column("awaiting_confirmation", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "order_tallies",
        sa.Column("org_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "role", "key", name=op.f("pk_order_tallies")),
    )
    op.create_table(
        "day_tallies",
        sa.Column("org_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("flagged", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "role", "kind", "day", name=op.f("pk_day_tallies")),
    )
    rebuild(op.get_bind(), cases=False, opportunities=False)
    op.create_index("ix_orders_earliest_open_due", "orders", ["earliest_open_due"])
    op.create_index("ix_orders_dealer_id_earliest_open_due", "orders", ["dealer_id", "earliest_open_due"])
    op.create_index("ix_orders_supplier_id_earliest_open_due", "orders", ["supplier_id", "earliest_open_due"])
    op.create_index("ix_orders_awaiting_supplier_updated", "orders", ["supplier_id", "updated_at", "id"], postgresql_where=AWAITING, sqlite_where=AWAITING_SQLITE)
    op.create_index("ix_orders_awaiting_supplier_created", "orders", ["supplier_id", "created_at", "id"], postgresql_where=AWAITING, sqlite_where=AWAITING_SQLITE)
    op.create_index("ix_orders_awaiting_created", "orders", ["created_at", "id"], postgresql_where=AWAITING, sqlite_where=AWAITING_SQLITE)


def downgrade() -> None:
    for name in (
        "ix_orders_awaiting_created",
        "ix_orders_awaiting_supplier_created",
        "ix_orders_awaiting_supplier_updated",
        "ix_orders_supplier_id_earliest_open_due",
        "ix_orders_dealer_id_earliest_open_due",
        "ix_orders_earliest_open_due",
    ):
        op.drop_index(name, table_name="orders")
    op.drop_table("day_tallies")
    op.drop_table("order_tallies")
    op.drop_column("orders", "awaiting_confirmation")
    op.drop_column("orders", "earliest_open_due")
