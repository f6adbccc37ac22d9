"""schedule lines: a supplier splits an order line into several deliveries

Revision ID: 0028
Revises: 0027

``order_lines.schedule`` (the agreed deliveries of a split line, JSON: date, quantity and the
cumulative quantity per delivery; NULL when the line is not split) and
``order_lines.proposed_schedule`` (a split awaiting the buyer's review). No order's stored facts
change: no line is split before this revision. Issue #17.1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("order_lines", sa.Column("schedule", sa.JSON(none_as_null=True), nullable=True))
    op.add_column("order_lines", sa.Column("proposed_schedule", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    op.drop_column("order_lines", "proposed_schedule")
    op.drop_column("order_lines", "schedule")
