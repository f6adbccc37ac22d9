"""notifications: the in-app inbox, per-user preferences

Revision ID: 0013
Revises: 0012

``notifications``: one row per user, channel and event (or time-based occasion), written by the
notifier (portal.notify) in the worker; ``notification_preferences``: a user's choice per kind.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("occasion", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("email_state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_notifications_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("event_id", "user_id", "channel", name="uq_notifications_event_user_channel"),
        sa.UniqueConstraint("occasion", "user_id", "channel", name="uq_notifications_occasion_user_channel"),
    )
    # The notifier starts after the history a database already holds: nobody is told of old events.
    op.execute(
        "INSERT INTO counters (name, value) SELECT 'notify.events', COALESCE(MAX(id), 0) FROM events"
    )
    op.create_index("ix_notifications_user_id_read_at", "notifications", ["user_id", "read_at"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("inbox", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=16), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),
    )


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'notify.events'")
    op.drop_table("notification_preferences")
    op.drop_index("ix_notifications_user_id_read_at", table_name="notifications")
    op.drop_table("notifications")
