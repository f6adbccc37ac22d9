"""partial indexes for the dashboard's case tiles

Revision ID: 0015
Revises: 0014

``ix_cases_open_sla_due_at_id``: the open cases by SLA end (the near-SLA list is an index range
and its count reads the index alone); ``ix_cases_resolved_at_sla_due_at``: the resolved cases by
resolution time with their SLA end (SLA compliance counted from the index alone). Issue #15.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OPEN_CASES_WHERE = "status IN ('open', 'in_progress', 'waiting')"
RESOLVED_WHERE = "resolved_at IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_cases_open_sla_due_at_id",
        "cases",
        ["sla_due_at", "id"],
        postgresql_where=sa.text(OPEN_CASES_WHERE),
        sqlite_where=sa.text(OPEN_CASES_WHERE),
    )
    op.create_index(
        "ix_cases_resolved_at_sla_due_at",
        "cases",
        ["resolved_at", "sla_due_at"],
        postgresql_where=sa.text(RESOLVED_WHERE),
        sqlite_where=sa.text(RESOLVED_WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_resolved_at_sla_due_at", table_name="cases")
    op.drop_index("ix_cases_open_sla_due_at_id", table_name="cases")
