"""a line without a date of its own is due on the order's requested date

Revision ID: 0018
Revises: 0017

``earliest_open_due`` took the promised date, else the line's requested date: an open line with
neither (every line of the demo, and of any order whose requested date is given only on the header)
never counted as late, so an order past its requested date with no promise was missing from the
late tile, the late list and ``lateOn`` while the notifier called it late. The rule now falls back
to the order's requested date (`portal.models.orders.earliest_open_due`); this recomputes the
stored day of the orders it changes: one statement on PostgreSQL, the facts rebuild on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.summaries import rebuild

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

FALL_BACK = """
UPDATE orders SET earliest_open_due = requested_date
WHERE supplier_id IS NOT NULL AND cancelled_at IS NULL AND requested_date IS NOT NULL
  AND (earliest_open_due IS NULL OR requested_date < earliest_open_due)
  AND EXISTS (
    SELECT 1 FROM order_lines l
    WHERE l.order_id = orders.id AND NOT l.cancelled AND l.response <> 'rejected'
      AND l.promised_date IS NULL AND l.requested_date IS NULL
      AND l.quantity_shipped < coalesce(l.quantity_confirmed, l.quantity_ordered)
  )
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(FALL_BACK))
    else:  # amounts are text on SQLite: compared as numbers in Python
        rebuild(bind, opportunities=False)


def downgrade() -> None:
    """The stored day of the old rule is not recomputed: it only ever counted fewer orders late."""
