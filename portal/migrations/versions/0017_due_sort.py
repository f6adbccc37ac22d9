"""the orders' due-day sort: the late list, most overdue first, as an index walk

Revision ID: 0017
Revises: 0016

``coalesce(earliest_open_due, '9999-12-31')`` (`portal.models.orders.due_sort_key`) with the id: for
everyone (carrying the organization columns and the due day on PostgreSQL, so a dealer group's or a
supplier's late list is read from the index alone), and per dealer and per supplier. Issue #15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

DUE = sa.text("coalesce(earliest_open_due, '9999-12-31')")


def upgrade() -> None:
    op.create_index(
        "ix_orders_due_id",
        "orders",
        [DUE, "id"],
        postgresql_include=["dealer_id", "supplier_id", "earliest_open_due"],
    )
    op.create_index("ix_orders_dealer_id_due_id", "orders", ["dealer_id", DUE, "id"])
    op.create_index("ix_orders_supplier_id_due_id", "orders", ["supplier_id", DUE, "id"])


def downgrade() -> None:
    for name in ("ix_orders_supplier_id_due_id", "ix_orders_dealer_id_due_id", "ix_orders_due_id"):
        op.drop_index(name, table_name="orders")
