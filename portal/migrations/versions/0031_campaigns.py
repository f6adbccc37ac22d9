"""campaigns: segments (saved customer filters), the campaign's own fields and its members

Revision ID: 0031
Revises: 0030

Issue #18.5: ``segments`` (a name and a saved filter of the customers list), ``campaign_members``
(the customers a campaign's segment holds, taken from its filter: what the access policy reads for
"the campaign touches a customer shared with this dealer"), and on ``campaigns`` the description,
the segment it targets (its name and filter copied), when its members were taken, and updated_at.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("filter", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        _fk("segments", "created_by_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_segments"),
        sa.UniqueConstraint("name", name="uq_segments_name"),
    )
    op.create_table(
        "campaign_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        _fk("campaign_members", "campaign_id", "campaigns", ondelete="CASCADE"),
        _fk("campaign_members", "customer_id", "customers", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_members"),
        sa.UniqueConstraint("campaign_id", "customer_id", name="uq_campaign_members_campaign_id_customer_id"),
    )
    op.create_index("ix_campaign_members_customer_id", "campaign_members", ["customer_id"])
    op.add_column("campaigns", sa.Column("description", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "campaigns", sa.Column("segment_name", sa.String(length=200), server_default="", nullable=False)
    )
    op.add_column("campaigns", sa.Column("members_counted_at", UTCDateTime(timezone=True), nullable=True))
    op.add_column("campaigns", sa.Column("updated_at", UTCDateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # ADD COLUMN with its reference: no table rebuild
        op.execute(
            "ALTER TABLE campaigns ADD COLUMN segment_id INTEGER "
            "CONSTRAINT fk_campaigns_segment_id_segments REFERENCES segments (id)"
        )
    else:
        op.add_column("campaigns", sa.Column("segment_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_campaigns_segment_id_segments",
            "campaigns",
            "segments",
            ["segment_id"],
            ["id"],
        )
    op.create_index("ix_campaigns_segment_id", "campaigns", ["segment_id"])
    op.create_index("ix_campaigns_created_at_id", "campaigns", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_campaigns_created_at_id", table_name="campaigns")
    op.drop_index("ix_campaigns_segment_id", table_name="campaigns")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE campaigns DROP COLUMN segment_id")  # SQLite 3.35+
    else:
        op.drop_constraint("fk_campaigns_segment_id_segments", "campaigns", type_="foreignkey")
        op.drop_column("campaigns", "segment_id")
    for column in ("updated_at", "members_counted_at", "segment_name", "description"):
        op.drop_column("campaigns", column)
    op.drop_index("ix_campaign_members_customer_id", table_name="campaign_members")
    op.drop_table("campaign_members")
    op.drop_table("segments")
