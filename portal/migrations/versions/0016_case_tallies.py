"""case tallies: the dashboards' case figures without counting case rows

Revision ID: 0016
Revises: 0015

``case_tallies`` counts cases per pair (routed to, opened by) by status, open cases by the day their
SLA ends, and resolved cases by day, in time or late (:mod:`portal.models.case_tallies`); filled
here from the existing cases, then kept by the flush. Issue #15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.summaries import rebuild_case_tallies

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_tallies",
        sa.Column("routed_to_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "routed_to_id", "opened_by_org_id", "kind", "day", "key", name=op.f("pk_case_tallies")
        ),
    )
    rebuild_case_tallies(op.get_bind())


def downgrade() -> None:
    op.drop_table("case_tallies")
