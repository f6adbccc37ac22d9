"""prepared CSV exports

Revision ID: 0011
Revises: 0010

``exports``: a CSV export of a long list, prepared by the worker for the user who asked for it
(list, filter parameters, dialect, language, status, rows, bytes, error, times, expiry);
``export_contents``: its file, the same shape as ``exchange_contents``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "done", "failed")


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("dialect", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="exportstatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_exports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    op.create_index("ix_exports_user_id_created_at_id", "exports", ["user_id", "created_at", "id"])
    op.create_index("ix_exports_status_id", "exports", ["status", "id"])
    op.create_index(op.f("ix_exports_expires_at"), "exports", ["expires_at"])
    op.create_table(
        "export_contents",
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["exports.id"],
            name=op.f("fk_export_contents_export_id_exports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export_id", name=op.f("pk_export_contents")),
    )


def downgrade() -> None:
    op.drop_table("export_contents")
    op.drop_index(op.f("ix_exports_expires_at"), table_name="exports")
    op.drop_index("ix_exports_status_id", table_name="exports")
    op.drop_index("ix_exports_user_id_created_at_id", table_name="exports")
    op.drop_table("exports")
