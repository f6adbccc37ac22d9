"""Opportunities (the sales pipeline, issue #18.4) and their product lines."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Amount, Base, UTCDateTime, enum_type, sort_indexes, utcnow


class OpportunityStage(enum.StrEnum):
    QUALIFICATION = "qualification"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"


OPEN_STAGES = (OpportunityStage.QUALIFICATION, OpportunityStage.PROPOSAL, OpportunityStage.NEGOTIATION)
CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)

# The probability an opportunity takes when it enters a stage (its owner may set another one).
DEFAULT_PROBABILITY = {
    OpportunityStage.QUALIFICATION: 10,
    OpportunityStage.PROPOSAL: 40,
    OpportunityStage.NEGOTIATION: 70,
    OpportunityStage.WON: 100,
    OpportunityStage.LOST: 0,
}


class Opportunity(Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        # The lists' sorts; a dealer's list walks (dealer_id, sort, id).
        *sort_indexes(
            "opportunities",
            "created_at",
            "updated_at",
            "expected_close",
            "amount",
            "name",
            ("dealer_id", "created_at"),
            ("stage", "expected_close"),
            ("stage", "updated_at"),  # the pipeline board's won and lost columns, latest first
        ),
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    # The dealer or partner that sells it; None: the owner's own sales.
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[OpportunityStage] = mapped_column(
        enum_type(OpportunityStage), default=OpportunityStage.QUALIFICATION, index=True
    )
    amount: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    probability: Mapped[int] = mapped_column(Integer, default=10)
    expected_close: Mapped[date] = mapped_column(Date)
    lost_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)  # won: the order
    # the campaign it came from (through a lead, issue #18.2)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    lines: Mapped[list[OpportunityLine]] = relationship(
        lazy="raise", order_by="OpportunityLine.line_no", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class OpportunityLine(Base):
    """A product the opportunity would sell: what becomes an order line when it is won."""

    __tablename__ = "opportunity_lines"
    __table_args__ = (UniqueConstraint("opportunity_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Amount())
    unit_price: Mapped[Decimal] = mapped_column(Amount())
