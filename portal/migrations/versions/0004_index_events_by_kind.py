"""index events by kind

Revision ID: 0004
Revises: 0003

The exchange worker turns only ``order.routed`` and ``order.cancelled`` events into files. It read
the whole event log after its cursor (500 events of any supplier per pass, oldest first), so on the
demo database a newly routed order left only after nine passes. With this index it reads the
events of those kinds after its cursor and nothing else.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_kind_id", "events", ["kind", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_kind_id", table_name="events")
