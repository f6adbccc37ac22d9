"""exchange profiles say what becomes of inbound e-invoices that break their rules

Revision ID: 0007
Revises: 0006

``invalid_einvoices``: "reject" (the default: the file fails, the partner gets a negative
acknowledgement naming the broken rules) or "accept" (applied, the findings shown on the record).
Existing profiles reject, as a German public buyer's validator does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "exchange_profiles",
        sa.Column("invalid_einvoices", sa.String(length=8), nullable=False, server_default="reject"),
    )


def downgrade() -> None:
    op.drop_column("exchange_profiles", "invalid_einvoices")
