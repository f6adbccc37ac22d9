"""The owner's customer master, contacts, and who a customer is shared with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, sort_indexes, utcnow


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = sort_indexes("customers", "name", "created_at", "updated_at")  # number: unique

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # vat_id and postal_code are indexed for the duplicate warning (portal.customers.duplicates).
    vat_id: Mapped[str | None] = mapped_column(String(32), index=True)
    gln: Mapped[str | None] = mapped_column(String(13))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(16), index=True)
    city: Mapped[str | None] = mapped_column(String(100))
    country_code: Mapped[str] = mapped_column(String(2), default="DE")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Two editors at once: the second one's stale expected_version is a Conflict (as orders, cases).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", lazy="raise", order_by="Contact.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = sort_indexes("contacts", "last_name", "created_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Consent to be contacted (German UWG s. 7, GDPR art. 7): per channel, when it was given or
    # withdrawn and how ("signed form", "phone call 2026-03-02", ...).
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    email_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_consent_source: Mapped[str | None] = mapped_column(String(200))
    phone_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    phone_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    phone_consent_source: Mapped[str | None] = mapped_column(String(200))
    # Set when the person's data was erased on request (GDPR art. 17): the row stays, anonymised,
    # so the history that refers to it keeps its shape.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    customer: Mapped[Customer] = relationship(back_populates="contacts", lazy="raise")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class CustomerAssignment(Base):
    """A customer shared with a dealer or partner organization (and so with its child organizations)."""

    __tablename__ = "customer_assignments"
    __table_args__ = (UniqueConstraint("customer_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
