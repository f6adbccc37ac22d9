"""Organizations, their users and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, enum_type, sort_indexes, utcnow


class OrgKind(enum.StrEnum):
    OWNER = "owner"
    PARTNER = "partner"
    SUPPLIER = "supplier"
    DEALER = "dealer"


OWNER_ROLES = frozenset({"admin", "sales", "support", "viewer"})
EXTERNAL_ROLES = frozenset({"admin", "member"})


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = sort_indexes("organizations", "name")  # slug: unique

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    gln: Mapped[str | None] = mapped_column(String(13), unique=True)
    vat_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A supplier's agreed tolerance (issue #17): a changed promised date within this many days of
    # the requested one, a quantity within this percentage below the ordered one, is agreed at once;
    # a bigger change (and every price change and rejection) waits for the buyer's review.
    tolerance_days: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    tolerance_quantity_percent: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), default=Decimal(0), server_default=text("0")
    )

    parent: Mapped[Organization | None] = relationship(remote_side=[id], lazy="raise")


class User(Base):
    __tablename__ = "users"
    __table_args__ = sort_indexes("users", "name")

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(100))  # comma-separated, see OWNER_ROLES / EXTERNAL_ROLES
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change and logout-everywhere: sessions carrying an older value die.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(lazy="raise")

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)


class ApiToken(Base):
    """Only the SHA-256 of the secret is stored; the secret is shown once, when issued."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to recognise a token in lists
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    roles: Mapped[str] = mapped_column(String(100), default="member")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(lazy="raise")

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)
