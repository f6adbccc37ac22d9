"""the pipeline board's won and lost columns read an index

Revision ID: 0034
Revises: 0033

The board shows the latest won and lost opportunities (``stage = ... ORDER BY updated_at DESC, id
DESC LIMIT 9``); without ``(stage, updated_at, id)`` PostgreSQL walked every opportunity by
``updated_at`` filtering the stage: 90-116 ms per column at 626,721 opportunities (scale 2000),
13x the small demo. Issue #15.
"""

from __future__ import annotations

from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_opportunities_stage_updated_at_id", "opportunities", ["stage", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_opportunities_stage_updated_at_id", table_name="opportunities")
