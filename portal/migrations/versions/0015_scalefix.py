"""partial indexes for the dashboard's case tiles and the late filter

Revision ID: 0015
Revises: 0014

``ix_cases_open_sla_due_at_id``: the open cases by SLA end (the near-SLA list is an index range
and its count reads the index alone); ``ix_cases_resolved_at_sla_due_at``: the resolved cases by
resolution time with their SLA end (SLA compliance counted from the index alone);
``ix_orders[_dealer_id|_supplier_id]_created_at_due``: the orders with a due line by creation, the
due day included, for the late filter's newest-first list. Issue #15.
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


LATE_LISTS = {
    "ix_orders_created_at_due": ["created_at", "id"],
    "ix_orders_dealer_id_created_at_due": ["dealer_id", "created_at", "id"],
    "ix_orders_supplier_id_created_at_due": ["supplier_id", "created_at", "id"],
}
DUE_WHERE = "earliest_open_due IS NOT NULL"


def upgrade() -> None:
    for name, columns in LATE_LISTS.items():
        op.create_index(
            name,
            "orders",
            columns,
            postgresql_include=["earliest_open_due"],
            postgresql_where=sa.text(DUE_WHERE),
            sqlite_where=sa.text(DUE_WHERE),
        )
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
    for name in LATE_LISTS:
        op.drop_index(name, table_name="orders")
    op.drop_index("ix_cases_resolved_at_sla_due_at", table_name="cases")
    op.drop_index("ix_cases_open_sla_due_at_id", table_name="cases")
