"""What the web login needs to share between server processes: logged-out session ids and recent
failed logins (for throttling). Neither is tenant data; both are pruned as they age out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime


class RevokedSession(Base):
    """A session id ended by logout: its signed cookie is refused until the cookie would expire."""

    __tablename__ = "revoked_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LoginFailure(Base):
    """One failed login, counted per client address and per account within the throttle window."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_scope_key_failed_at", "scope", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))  # "ip" or "account"
    key: Mapped[str] = mapped_column(String(200))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
