"""sales pipeline: opportunities and their product lines

Revision ID: 0023
Revises: 0022

Opportunities (issue #18.4): stage, amount, probability, expected close, owner, customer, selling
dealer; "won" makes an order of the lines (``order_id``). One (sort column, id) index per sort of
the list, and (dealer_id, created_at, id) for a dealer's list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.base import Amount, UTCDateTime
from portal.models.search import create_search_objects, drop_search_objects

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

STAGES = ("qualification", "proposal", "negotiation", "won", "lost")
SORTS = (
    ("created_at",),
    ("updated_at",),
    ("expected_close",),
    ("amount",),
    ("name",),
    ("dealer_id", "created_at"),
    ("stage", "expected_close"),
)

SEARCHED = {"opportunities": ("number", "name")}  # as portal.models.search.SEARCHED


def upgrade() -> None:
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("dealer_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "stage", sa.Enum(*STAGES, name="opportunitystage", native_enum=False, length=24), nullable=False
        ),
        sa.Column("amount", Amount(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=False),
        sa.Column("lost_reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_org_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("probability >= 0 AND probability <= 100", name="ck_opportunities_probability"),
        sa.ForeignKeyConstraint(
            ["created_by_org_id"],
            ["organizations.id"],
            name="fk_opportunities_created_by_org_id_organizations",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_opportunities_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["dealer_id"], ["organizations.id"], name="fk_opportunities_dealer_id_organizations"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_opportunities_order_id_orders"),
        sa.ForeignKeyConstraint(["owner_user_id"], ["users.id"], name="fk_opportunities_owner_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_opportunities"),
        sa.UniqueConstraint("number", name="uq_opportunities_number"),
    )
    for column in ("customer_id", "dealer_id", "owner_user_id", "stage", "order_id"):
        op.create_index(f"ix_opportunities_{column}", "opportunities", [column])
    for columns in SORTS:
        op.create_index(f"ix_opportunities_{'_'.join(columns)}_id", "opportunities", [*columns, "id"])
    op.create_table(
        "opportunity_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("quantity", Amount(precision=18, scale=4), nullable=False),
        sa.Column("unit_price", Amount(precision=18, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name="fk_opportunity_lines_opportunity_id_opportunities",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_opportunity_lines_product_id_products"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_opportunity_lines"),
        sa.UniqueConstraint("opportunity_id", "line_no", name="uq_opportunity_lines_opportunity_id_line_no"),
    )
    op.create_index("ix_opportunity_lines_opportunity_id", "opportunity_lines", ["opportunity_id"])
    create_search_objects(op.get_bind(), SEARCHED)


def downgrade() -> None:
    drop_search_objects(op.get_bind(), SEARCHED)
    op.drop_table("opportunity_lines")
    op.drop_table("opportunities")
