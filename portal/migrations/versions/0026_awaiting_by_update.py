"""the supplier's pull (``awaitingConfirmation`` oldest change first) from a partial index on
``(updated_at, id)``

Revision ID: 0026
Revises: 0025

PostgreSQL costs ``ix_orders_awaiting_supplier_updated`` (supplier first) above a walk of
``ix_orders_updated_at_id`` that filters for the flag: it assumes the waiting orders are spread over
all update times, while they are the newest, so the walk passes every answered order first (27,694
rows for page 1 at scale 10, 80 % of all orders at any scale). Over waiting orders only, in update
order, the walk reads about 1/share rows per row of the page. Issue #15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_awaiting_updated",
        "orders",
        ["updated_at", "id"],
        postgresql_where=sa.text("awaiting_confirmation"),
        sqlite_where=sa.text("awaiting_confirmation = 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_awaiting_updated", table_name="orders")
