"""tasks and calendar feeds

Revision ID: 0022
Revises: 0021

``tasks``: an organization's tasks, each assigned to one of its users, due on a day, optionally on a
customer, done or not; a ``(sort column, id)`` index per sort of the list, per organization and per
assignee ("my day", the week, the calendar feed). ``calendar_feeds``: a user's secret iCalendar
address (the SHA-256 of its token). Issue #18, part 6.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_tasks_due_on_id": ["due_on", "id"],
    "ix_tasks_created_at_id": ["created_at", "id"],
    "ix_tasks_updated_at_id": ["updated_at", "id"],
    "ix_tasks_organization_id_due_on_id": ["organization_id", "due_on", "id"],
    "ix_tasks_assignee_id_due_on_id": ["assignee_id", "due_on", "id"],
    "ix_tasks_customer_id": ["customer_id"],
}


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_tasks_assignee_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_tasks_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_tasks_customer_id_customers"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_tasks_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "tasks", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="tasks")
    op.drop_table("tasks")
    op.drop_table("calendar_feeds")
