"""order lines keep their list price and a rejection reason

Revision ID: 0005
Revises: 0004

``list_price``: the catalogue price when the line was ordered; a line whose ``unit_price``
differs was priced by hand (owner sales or admin), and shows so. ``reject_reason``: why the
supplier rejected the line, shown to the buyer. Both stay empty on older lines.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.base import Amount

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite has both since 3.35): a batch copy of order_lines would trip
    # over the foreign keys that point at it.
    op.add_column("order_lines", sa.Column("list_price", Amount(precision=18, scale=4), nullable=True))
    op.add_column("order_lines", sa.Column("reject_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("order_lines", "reject_reason")
    op.drop_column("order_lines", "list_price")
