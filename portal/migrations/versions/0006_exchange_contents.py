"""exchange records' raw bytes move into a table of their own

Revision ID: 0006
Revises: 0005

SQLite rewrites a whole row on every UPDATE: with the file's bytes in ``exchange_records``, each
change of a record's state, attempts or claim copied the stored file (a 50 MB file took the worker
about twice its size more). The bytes move, in one statement on the database side (never through
Python), into ``exchange_contents`` (record id, data); the record keeps size and sha256.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_contents",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["exchange_records.id"],
            name=op.f("fk_exchange_contents_record_id_exchange_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_exchange_contents")),
    )
    op.execute("INSERT INTO exchange_contents (record_id, data) SELECT id, content FROM exchange_records")
    # Plain DROP COLUMN (SQLite has it since 3.35): a batch copy of exchange_records would trip over
    # the foreign keys that point at it.
    op.drop_column("exchange_records", "content")


def downgrade() -> None:
    # NOT NULL needs a default for the rows already there; every row gets its bytes right after.
    op.add_column(
        "exchange_records", sa.Column("content", sa.LargeBinary(), nullable=False, server_default="")
    )
    op.execute(
        "UPDATE exchange_records SET content = "
        "(SELECT data FROM exchange_contents WHERE exchange_contents.record_id = exchange_records.id) "
        "WHERE id IN (SELECT record_id FROM exchange_contents)"
    )
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot drop a default in place
        op.alter_column("exchange_records", "content", server_default=None)
    op.drop_table("exchange_contents")
