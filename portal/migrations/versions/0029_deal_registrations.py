"""deal registrations

Revision ID: 0029
Revises: 0028

Deal registrations (issue #18.3): a dealer registers a deal on a prospect (name, VAT id, address,
contact, description, expected amount and close), the owner's sales staff approve it (protected
until a day; an opportunity is opened for the dealer, ``opportunity_id``) or reject it with a
reason; the dealer may withdraw it while submitted; the worker marks lapsed protections expired.
``name_key`` and ``vat_id`` are the prospect as the duplicate check compares it (indexed for the
conflict check). One (sort column, id) index per sort of the list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.base import Amount, UTCDateTime
from portal.models.search import create_search_objects, drop_search_objects

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

STATUSES = ("submitted", "approved", "rejected", "withdrawn", "expired")
SORTS = (
    ("created_at",),
    ("updated_at",),
    ("expected_close",),
    ("amount",),
    ("dealer_id", "created_at"),
    ("status", "protected_until"),
)
SEARCHED = {"deal_registrations": ("number", "prospect_name", "city")}  # as portal.models.search.SEARCHED


def upgrade() -> None:
    op.create_table(
        "deal_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("dealer_id", sa.Integer(), nullable=False),
        sa.Column("registered_by_user_id", sa.Integer(), nullable=True),
        sa.Column("prospect_name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("vat_id", sa.String(length=32), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=16), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", Amount(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=False),
        sa.Column(
            "status", sa.Enum(*STATUSES, name="dealstatus", native_enum=False, length=24), nullable=False
        ),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("protected_until", sa.Date(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dealer_id"], ["organizations.id"], name="fk_deal_registrations_dealer_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_user_id"], ["users.id"], name="fk_deal_registrations_registered_by_user_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name="fk_deal_registrations_decided_by_user_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_deal_registrations_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name="fk_deal_registrations_opportunity_id_opportunities",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deal_registrations"),
        sa.UniqueConstraint("number", name="uq_deal_registrations_number"),
        sa.UniqueConstraint("opportunity_id", name="uq_deal_registrations_opportunity_id"),
    )
    for column in ("dealer_id", "name_key", "vat_id", "status", "customer_id"):
        op.create_index(f"ix_deal_registrations_{column}", "deal_registrations", [column])
    for columns in SORTS:
        op.create_index(
            f"ix_deal_registrations_{'_'.join(columns)}_id", "deal_registrations", [*columns, "id"]
        )
    create_search_objects(op.get_bind(), SEARCHED)


def downgrade() -> None:
    drop_search_objects(op.get_bind(), SEARCHED)
    op.drop_table("deal_registrations")
