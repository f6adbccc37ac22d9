"""the forecast counts a won opportunity in the month it was won

Revision ID: 0033
Revises: 0032

``opportunity_tallies`` key a won opportunity by the month of the day it was won (its ``closed_at``
as a Berlin calendar day) instead of the month of its expected close: the forecast shows what was
won in each month (docs/sales.md). No new column: the rows are rebuilt with the new key, and kept
that way by the flush from now on (:mod:`portal.models.opportunity_tallies`). Issue #18.
"""

from __future__ import annotations

from alembic import op

from portal.summaries import rebuild_opportunity_tallies

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rebuild_opportunity_tallies(op.get_bind())


def downgrade() -> None:
    rebuild_opportunity_tallies(op.get_bind(), won_by_day_won=False)
