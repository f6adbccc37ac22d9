"""the editable customer master: version columns, contact consent and erasure, duplicate lookups

Revision ID: 0021
Revises: 0020

Customers and contacts get a version column (two editors at once: the second is told), contacts
their consent flags per channel (with date and source), ``erased_at`` and ``updated_at``; the
duplicate warning looks customers up by VAT id and by postal code, through two indexes. Plain
``ADD COLUMN`` with server defaults: contacts and customers are referenced by other tables, which a
SQLite batch copy would trip over. Issue #18.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_CONTACT_COLUMNS: tuple[sa.Column[Any], ...] = (
    sa.Column("email_consent", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("email_consent_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column("email_consent_source", sa.String(length=200), nullable=True),
    sa.Column("phone_consent", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("phone_consent_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column("phone_consent_source", sa.String(length=200), nullable=True),
    sa.Column("erased_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column("version", sa.Integer(), server_default="1", nullable=False),
)


def upgrade() -> None:
    for column in _CONTACT_COLUMNS:
        op.add_column("contacts", column)
    op.add_column("customers", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_index("ix_customers_postal_code", "customers", ["postal_code"])
    op.create_index("ix_customers_vat_id", "customers", ["vat_id"])


def downgrade() -> None:
    op.drop_index("ix_customers_vat_id", table_name="customers")
    op.drop_index("ix_customers_postal_code", table_name="customers")
    op.drop_column("customers", "version")
    for column in reversed(_CONTACT_COLUMNS):
        op.drop_column("contacts", column.name)
