"""order summaries (current_status, net_total) and shared login state

Revision ID: 0002
Revises: 0001

Orders get their derived status and net total as columns (kept current by the flush hook in
``portal.models.orders``); existing orders are filled in here from their lines. Logged-out session
ids and failed logins move from process memory into two small tables, so several server processes
share them.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

import portal.models.base
from portal.models.base import Amount, UTCDateTime
from portal.models.orders import LineFigures, LineResponse, derive_status, order_total

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ORDER_STATUSES = (
    "draft",
    "awaiting_confirmation",
    "partially_confirmed",
    "confirmed",
    "rejected",
    "partially_shipped",
    "shipped",
    "partially_invoiced",
    "invoiced",
    "cancelled",
)
BATCH = 2000


def upgrade() -> None:
    # Plain ADD COLUMN with a server default: SQLite does it in place (a batch "move and copy"
    # would drop the referenced orders table, which its foreign keys forbid).
    op.add_column(
        "orders",
        sa.Column(
            "current_status",
            sa.Enum(*ORDER_STATUSES, name="orderstatus", native_enum=False, length=24),
            nullable=False,
            server_default="draft",
        ),
    )
    op.add_column(
        "orders",
        sa.Column(
            "net_total", portal.models.base.Amount(precision=18, scale=4), nullable=False, server_default="0"
        ),
    )
    _backfill_order_summaries()
    op.create_index(op.f("ix_orders_current_status"), "orders", ["current_status"], unique=False)

    op.create_table(
        "revoked_sessions",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("expires_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_revoked_sessions")),
    )
    with op.batch_alter_table("revoked_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revoked_sessions_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failed_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_failed_at"), ["failed_at"], unique=False)
        batch_op.create_index(
            "ix_login_failures_scope_key_failed_at", ["scope", "key", "failed_at"], unique=False
        )


def _backfill_order_summaries() -> None:
    """Every existing order's status and total from its lines, by the model's own rules."""
    orders = sa.table(
        "orders",
        sa.column("id", sa.Integer()),
        sa.column("cancelled_at", UTCDateTime()),
        sa.column("supplier_id", sa.Integer()),
        sa.column("current_status", sa.String()),
        sa.column("net_total", Amount()),
    )
    lines = sa.table(
        "order_lines",
        sa.column("order_id", sa.Integer()),
        *(sa.column(name, Amount()) for name in AMOUNTS),
        sa.column("cancelled", sa.Boolean()),
        sa.column("response", sa.String()),
    )
    bind = op.get_bind()
    last = 0
    while True:
        batch = bind.execute(
            sa.select(orders.c.id, orders.c.cancelled_at, orders.c.supplier_id)
            .where(orders.c.id > last)
            .order_by(orders.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        figures: dict[int, list[LineFigures]] = defaultdict(list)
        for row in bind.execute(
            sa.select(lines).where(lines.c.order_id.in_([order.id for order in batch]))
        ).mappings():
            figures[row["order_id"]].append(
                LineFigures(
                    cancelled=bool(row["cancelled"]),
                    response=LineResponse(row["response"]),
                    **{name: row[name] for name in AMOUNTS},
                )
            )
        for order in batch:
            mine = figures[order.id]
            facts = SimpleNamespace(cancelled_at=order.cancelled_at, supplier_id=order.supplier_id)
            bind.execute(
                orders.update()
                .where(orders.c.id == order.id)
                .values(current_status=derive_status(facts, mine).value, net_total=order_total(mine))
            )
        last = batch[-1].id


AMOUNTS = (
    "quantity_ordered",
    "quantity_confirmed",
    "quantity_shipped",
    "quantity_invoiced",
    "unit_price",
    "confirmed_price",
)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_scope_key_failed_at")
        batch_op.drop_index(batch_op.f("ix_login_failures_failed_at"))
    op.drop_table("login_failures")
    with op.batch_alter_table("revoked_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revoked_sessions_expires_at"))
    op.drop_table("revoked_sessions")
    op.drop_index(op.f("ix_orders_current_status"), table_name="orders")
    op.drop_column("orders", "net_total")
    op.drop_column("orders", "current_status")
