"""buyer review of supplier changes: proposed line answers, review outcome, supplier tolerances

Revision ID: 0019
Revises: 0018

A supplier's change beyond its tolerance no longer becomes the line's answer at once: it is kept
as a proposal (``order_lines.proposed_*``) until the owner's staff accept or reject it
(``review_outcome``, ``review_reason``, ``reviewed_at``). ``orders.awaiting_review`` is a stored
summary like ``awaiting_confirmation`` (kept by the flush hook), with a partial index for the review
inbox; every existing order starts at false (no proposal exists before this revision). Each
organization gets a tolerance (``tolerance_days``, ``tolerance_quantity_percent``), zero: every
change is reviewed until an owner admin agrees a tolerance. Issue #17.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.base import Amount, UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

RESPONSES = ("pending", "accepted", "changed", "rejected")
OUTCOMES = ("accepted", "rejected")
REVIEW_WHERE = "awaiting_review"
REVIEW_WHERE_SQLITE = "awaiting_review = 1"


def upgrade() -> None:
    # Plain ADD COLUMN (nullable or with a server default): SQLite does it in place.
    line_columns: list[sa.Column[object]] = [
        sa.Column(
            "proposed_response",
            sa.Enum(*RESPONSES, name="lineresponse", native_enum=False, length=24),
            nullable=True,
        ),
        sa.Column("proposed_quantity", Amount(precision=18, scale=4), nullable=True),
        sa.Column("proposed_price", Amount(precision=18, scale=4), nullable=True),
        sa.Column("proposed_date", sa.Date(), nullable=True),
        sa.Column("proposed_reason", sa.String(length=500), nullable=True),
        sa.Column("proposed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "review_outcome",
            sa.Enum(*OUTCOMES, name="reviewoutcome", native_enum=False, length=24),
            nullable=True,
        ),
        sa.Column("review_reason", sa.String(length=500), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(timezone=True), nullable=True),
    ]
    for column in line_columns:
        op.add_column("order_lines", column)
    op.add_column(
        "orders", sa.Column("awaiting_review", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index(
        "ix_orders_awaiting_review_created",
        "orders",
        ["created_at", "id"],
        postgresql_where=sa.text(REVIEW_WHERE),
        sqlite_where=sa.text(REVIEW_WHERE_SQLITE),
    )
    op.add_column(
        "organizations",
        sa.Column("tolerance_days", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        "organizations",
        sa.Column(
            "tolerance_quantity_percent",
            sa.Numeric(precision=5, scale=2),
            nullable=False,
            server_default=sa.text("0"),
        ),
    )


def downgrade() -> None:
    op.drop_column("organizations", "tolerance_quantity_percent")
    op.drop_column("organizations", "tolerance_days")
    op.drop_index("ix_orders_awaiting_review_created", table_name="orders")
    op.drop_column("orders", "awaiting_review")
    for name in (
        "reviewed_at",
        "review_reason",
        "review_outcome",
        "proposed_at",
        "proposed_reason",
        "proposed_date",
        "proposed_price",
        "proposed_quantity",
        "proposed_response",
    ):
        op.drop_column("order_lines", name)
