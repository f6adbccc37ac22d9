"""order versions: the buyer's changes and cancellations after routing

Revision ID: 0024
Revises: 0023

Each change or cancellation of a routed order keeps the order's version (``order_versions``: the
lines as the buyer asked for them and what changed against the version before). Version 1 is
written when the first change comes, so existing orders need no rows. Issue #17, part 2.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

KINDS = ("original", "changed", "cancelled")


def upgrade() -> None:
    op.create_table(
        "order_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="versionkind", native_enum=False, length=24), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_org_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "number"),
    )
    op.create_index("ix_order_versions_order_id", "order_versions", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_order_versions_order_id", table_name="order_versions")
    op.drop_table("order_versions")
