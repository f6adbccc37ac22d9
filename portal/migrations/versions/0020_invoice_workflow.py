"""invoice workflow: review status, payments, the dispute thread, credit notes

Revision ID: 0020
Revises: 0019

``invoices`` gains its workflow status (received, disputed, approved, rejected, paid, credited),
what credit notes and payments took off it and what is still owed (filled with the gross total for
existing invoices, which all stand at "received"), the payment's scheduled day and a version for
the optimistic check of two reviewers at once. ``invoice_payments`` (partial payments),
``invoice_messages`` (the dispute thread) and ``credit_notes`` are new. The dashboard tallies sum
what is still owed of the open invoices: equal to the gross totals on existing data, so they stand.
Issue #17.4 and #17.5.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from portal.models.base import Amount, UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

ZERO = f"{Decimal(0):019.4f}"  # Amount's text on SQLite; PostgreSQL reads it as a number


def _status(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade() -> None:
    # Plain ADD COLUMN with server defaults (a batch copy of invoices would trip over the foreign
    # keys that point at it).
    op.add_column(
        "invoices",
        sa.Column(
            "status",
            _status("invoicestatus", "received", "disputed", "approved", "rejected", "paid", "credited"),
            nullable=False,
            server_default="received",
        ),
    )
    for name in ("amount_credited", "amount_paid", "amount_owed"):
        op.add_column(
            "invoices",
            sa.Column(name, Amount(precision=18, scale=4), nullable=False, server_default=sa.text(f"'{ZERO}'")),
        )
    op.execute("UPDATE invoices SET amount_owed = gross_total")
    op.add_column("invoices", sa.Column("payment_scheduled_on", sa.Date(), nullable=True))
    op.add_column("invoices", sa.Column("reviewed_at", UTCDateTime(), nullable=True))
    op.add_column("invoices", sa.Column("updated_at", UTCDateTime(), nullable=True))
    op.add_column("invoices", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "invoice_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", Amount(precision=18, scale=4), nullable=False),
        sa.Column("reference", sa.String(length=140), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_payments_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"], ["users.id"], name=op.f("fk_invoice_payments_recorded_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_payments")),
    )
    op.create_index(op.f("ix_invoice_payments_invoice_id"), "invoice_payments", ["invoice_id"], unique=False)
    op.create_table(
        "credit_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_total", Amount(precision=18, scale=4), nullable=False),
        sa.Column("tax_total", Amount(precision=18, scale=4), nullable=False),
        sa.Column("gross_total", Amount(precision=18, scale=4), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("exchange_record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_credit_notes_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["organizations.id"], name=op.f("fk_credit_notes_supplier_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["exchange_record_id"],
            ["exchange_records.id"],
            name=op.f("fk_credit_notes_exchange_record_id_exchange_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notes")),
        sa.UniqueConstraint("supplier_id", "number", name=op.f("uq_credit_notes_supplier_id_number")),
    )
    op.create_index(op.f("ix_credit_notes_invoice_id"), "credit_notes", ["invoice_id"], unique=False)
    op.create_index(op.f("ix_credit_notes_supplier_id"), "credit_notes", ["supplier_id"], unique=False)
    op.create_table(
        "invoice_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("kind", _status("messagekind", "dispute", "answer", "rejection"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_org_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_messages_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_org_id"], ["organizations.id"], name=op.f("fk_invoice_messages_author_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_invoice_messages_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"], ["credit_notes.id"], name=op.f("fk_invoice_messages_credit_note_id_credit_notes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_messages")),
    )
    op.create_index(op.f("ix_invoice_messages_invoice_id"), "invoice_messages", ["invoice_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_invoice_messages_invoice_id"), table_name="invoice_messages")
    op.drop_table("invoice_messages")
    op.drop_index(op.f("ix_credit_notes_supplier_id"), table_name="credit_notes")
    op.drop_index(op.f("ix_credit_notes_invoice_id"), table_name="credit_notes")
    op.drop_table("credit_notes")
    op.drop_index(op.f("ix_invoice_payments_invoice_id"), table_name="invoice_payments")
    op.drop_table("invoice_payments")
    for name in (
        "version",
        "updated_at",
        "reviewed_at",
        "payment_scheduled_on",
        "amount_owed",
        "amount_paid",
        "amount_credited",
        "status",
    ):
        op.drop_column("invoices", name)
