"""Login state shared by every server process: logged-out sessions and the login throttle.

Both live in the database (``revoked_sessions``, ``login_failures``) so that several ``portal
serve`` processes behind a load balancer agree: a cookie logged out on one is refused by all, and
failed logins count once across all of them. Rows are pruned as they age out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import LoginFailure, RevokedSession
from portal.models.base import utcnow

# Failed logins allowed per window, per client address and per account.
LOGIN_LIMIT_PER_IP = 20
LOGIN_LIMIT_PER_ACCOUNT = 5
LOGIN_WINDOW = timedelta(minutes=10)


def revoke_session(session: Session, sid: str, *, lifetime: timedelta) -> None:
    """Refuse the session id from now until its cookie would have expired anyway."""
    now = utcnow()
    session.execute(delete(RevokedSession).where(RevokedSession.expires_at < now))
    if session.get(RevokedSession, sid) is not None:
        return
    try:
        with session.begin_nested():  # a concurrent logout of the same session may win the insert
            session.add(RevokedSession(sid=sid, expires_at=now + lifetime))
    except IntegrityError:
        pass  # revoked either way


class LoginThrottle:
    """Failed logins per client address and per account in a sliding window.

    No lockout a stranger can trigger: the per-account limit does not apply to a browser that
    holds a device cookie from an earlier successful login of that same account, so flooding an
    account from elsewhere slows only the flooder, never its owner on a known device.
    """

    def __init__(
        self, *, per_ip: int | None = None, per_account: int | None = None, window: timedelta | None = None
    ) -> None:
        self.per_ip = LOGIN_LIMIT_PER_IP if per_ip is None else per_ip
        self.per_account = LOGIN_LIMIT_PER_ACCOUNT if per_account is None else per_account
        self.window = LOGIN_WINDOW if window is None else window

    def _count(self, session: Session, scope: str, key: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            LoginFailure.scope == scope, LoginFailure.key == key, LoginFailure.failed_at > since
        )
        return int(session.scalar(stmt) or 0)

    def blocked(self, session: Session, ip: str, account: str, *, known_device: bool) -> bool:
        since = utcnow() - self.window
        if self._count(session, "ip", ip, since) >= self.per_ip:
            return True
        return not known_device and self._count(session, "account", account, since) >= self.per_account

    def failed(self, session: Session, ip: str, account: str) -> None:
        now = utcnow()
        session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - self.window))
        session.add_all(
            [
                LoginFailure(scope="ip", key=ip[:200], failed_at=now),
                LoginFailure(scope="account", key=account[:200], failed_at=now),
            ]
        )
        session.flush()

    def succeeded(self, session: Session, account: str) -> None:
        session.execute(
            delete(LoginFailure).where(LoginFailure.scope == "account", LoginFailure.key == account[:200])
        )
