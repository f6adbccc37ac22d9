"""the change feed follows commit order: events carry the id of the transaction that wrote them

Revision ID: 0035
Revises: 0034

Event ids come from a sequence at insert, but transactions commit in another order, so a feed
reader paging by id could pass an event that became visible a moment later (docs/deploy.md). On
PostgreSQL ``events.txid`` defaults to the writing transaction's 64-bit id
(``pg_current_xact_id()``, :data:`portal.models.events.TXID_DEFAULT`), and the feed reads by
``(txid, id)`` only below the oldest transaction still running (``portal.changes``). On SQLite the
column is 0. The events written before read 0 as well: position ``(0, id)``, which is where the
cursors issued before this migration point.

The column is added with the constant default 0 (PostgreSQL keeps it in the catalog: no table
rewrite, existing rows read 0) and only then given the transaction id as its default: a volatile
default in ``ADD COLUMN`` would rewrite the table and give every existing event the migrating
transaction's id. 0 rather than NULL: the feed's order is the plain index ``(txid, id)``
(``coalesce(txid, 0)`` would need an index on the expression).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.events import TXID_DEFAULT

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("txid", sa.BigInteger(), nullable=False, server_default=sa.text("0")))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE events ALTER COLUMN txid SET DEFAULT {TXID_DEFAULT}")
    op.create_index("ix_events_txid_id", "events", ["txid", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_txid_id", table_name="events")
    op.drop_column("events", "txid")
