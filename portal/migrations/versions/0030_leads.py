"""leads, their distribution to dealers, territories, and the campaigns table

Revision ID: 0030
Revises: 0029

Issue #18.2: ``campaigns`` (name, period, channel, budget, segment filter; its pages come with
#18.5), ``leads`` (the lead, its status and the dealer it is offered to, accepted or converted by,
with its answer deadline; after conversion the customer and opportunity it became),
``lead_offers`` (the assignment history: each dealer, when, and how it ended), and
``lead_territories`` (per dealer: postal-code ranges, regions, capacity). ``opportunities`` gains
``campaign_id`` (the campaign of the lead it came from).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from portal.models.base import Amount, UTCDateTime
from portal.models.search import create_search_objects, drop_search_objects

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

LEAD_STATUSES = ("new", "offered", "accepted", "declined", "converted", "disqualified")
OUTCOMES = ("accepted", "declined", "expired", "withdrawn")
SORTS = (
    ("created_at",),
    ("updated_at",),
    ("company",),
    ("dealer_id", "created_at"),
    ("status", "created_at"),
)
SEARCHED = {"leads": ("number", "company", "contact_name", "email", "city")}  # as portal.models.search


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("budget", Amount(precision=18, scale=4), nullable=False),
        sa.Column("segment_filter", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("campaigns", "created_by", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        sa.UniqueConstraint("name", name="uq_campaigns_name"),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=16), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.Enum(*LEAD_STATUSES, name="leadstatus", native_enum=False, length=24), nullable=False
        ),
        sa.Column("dealer_id", sa.Integer(), nullable=True),
        sa.Column("offered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("answer_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("disqualified_reason", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("converted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("leads", "campaign_id", "campaigns"),
        _fk("leads", "dealer_id", "organizations"),
        _fk("leads", "customer_id", "customers"),
        _fk("leads", "opportunity_id", "opportunities"),
        _fk("leads", "created_by_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
        sa.UniqueConstraint("number", name="uq_leads_number"),
    )
    for column in ("campaign_id", "status", "dealer_id", "customer_id", "opportunity_id"):
        op.create_index(f"ix_leads_{column}", "leads", [column])
    for columns in SORTS:
        op.create_index(f"ix_leads_{'_'.join(columns)}_id", "leads", [*columns, "id"])
    op.create_table(
        "lead_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("dealer_id", sa.Integer(), nullable=False),
        sa.Column("offered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer_due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_hand", sa.Boolean(), nullable=False),
        sa.Column(
            "outcome", sa.Enum(*OUTCOMES, name="offeroutcome", native_enum=False, length=24), nullable=True
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_user_id", sa.Integer(), nullable=True),
        _fk("lead_offers", "lead_id", "leads", ondelete="CASCADE"),
        _fk("lead_offers", "dealer_id", "organizations"),
        _fk("lead_offers", "answered_by_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_lead_offers"),
    )
    op.create_index("ix_lead_offers_lead_id", "lead_offers", ["lead_id"])
    op.create_index("ix_lead_offers_dealer_id", "lead_offers", ["dealer_id"])
    op.create_table(
        "lead_territories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("postal_ranges", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("lead_territories", "organization_id", "organizations"),
        sa.PrimaryKeyConstraint("id", name="pk_lead_territories"),
        sa.UniqueConstraint("organization_id", name="uq_lead_territories_organization_id"),
    )
    if op.get_bind().dialect.name == "sqlite":  # ADD COLUMN with its reference: no table rebuild
        op.execute(
            "ALTER TABLE opportunities ADD COLUMN campaign_id INTEGER "
            "CONSTRAINT fk_opportunities_campaign_id_campaigns REFERENCES campaigns (id)"
        )
    else:
        op.add_column("opportunities", sa.Column("campaign_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_opportunities_campaign_id_campaigns", "opportunities", "campaigns", ["campaign_id"], ["id"]
        )
    op.create_index("ix_opportunities_campaign_id", "opportunities", ["campaign_id"])
    create_search_objects(op.get_bind(), SEARCHED)


def downgrade() -> None:
    drop_search_objects(op.get_bind(), SEARCHED)
    op.drop_index("ix_opportunities_campaign_id", table_name="opportunities")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE opportunities DROP COLUMN campaign_id")  # SQLite 3.35+
    else:
        op.drop_constraint("fk_opportunities_campaign_id_campaigns", "opportunities", type_="foreignkey")
        op.drop_column("opportunities", "campaign_id")
    op.drop_table("lead_territories")
    op.drop_table("lead_offers")
    op.drop_table("leads")
    op.drop_table("campaigns")
