"""Products the owner sells."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Amount, Base, sort_indexes


class Product(Base):
    __tablename__ = "products"
    __table_args__ = sort_indexes("products", "name")  # sku: unique

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(8), default="C62")  # UN/ECE Rec. 20
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    supplier_article: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))  # list price, net, in EUR
