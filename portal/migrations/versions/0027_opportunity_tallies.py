"""opportunity tallies: the pipeline board's column heads and the forecast without summing rows

Revision ID: 0027
Revises: 0026

``opportunity_tallies`` holds, per selling organization, stage and month of the expected close, how
many opportunities there are, their amounts and their probability-weighted amounts
(:mod:`portal.models.opportunity_tallies`); filled here from the existing opportunities, then kept by
the flush. Issue #15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.summaries import rebuild_opportunity_tallies

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opportunity_tallies",
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount_units", sa.BigInteger(), nullable=False),
        sa.Column("weighted_units", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seller_id", "stage", "month", name=op.f("pk_opportunity_tallies")),
    )
    rebuild_opportunity_tallies(op.get_bind())


def downgrade() -> None:
    op.drop_table("opportunity_tallies")
