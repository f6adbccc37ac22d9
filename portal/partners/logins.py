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
    """Failed logins per client address and per account in a sliding window; atomic across
    threads and server processes.

    Every attempt is written down *before* it is checked (`reserve`, committed in its own short
    unit of work), and then the attempts in the window are counted, including its own. Of N
    concurrent attempts, the k-th to count sees at least k rows, so no more than the limit ever
    get to check a password, whatever the interleaving (read committed is enough; no lock, no
    counter row). A refused attempt takes its rows back (`release`), a successful one too
    (`succeeded`); a failed one leaves them: they are the failures that count.

    No lockout a stranger can trigger, and no free guesses either (OWASP's device cookies): a
    browser that holds a device cookie from an earlier successful login of the same account is
    let through the per-address block and the account's limit for unknown browsers, and is
    limited instead per device cookie, by the same per-account number. Flooding an account
    from elsewhere slows only the flooders; a stolen device cookie gives no more guesses than
    the account limit.
    """

    def __init__(
        self, *, per_ip: int | None = None, per_account: int | None = None, window: timedelta | None = None
    ) -> None:
        self.per_ip = LOGIN_LIMIT_PER_IP if per_ip is None else per_ip
        self.per_account = LOGIN_LIMIT_PER_ACCOUNT if per_account is None else per_account
        self.window = LOGIN_WINDOW if window is None else window

    @staticmethod
    def _account_key(account: str, device: str | None) -> tuple[str, str]:
        return ("device", device[:200]) if device else ("account", account[:200])

    def _count(self, session: Session, scope: str, key: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            LoginFailure.scope == scope, LoginFailure.key == key, LoginFailure.failed_at > since
        )
        return int(session.scalar(stmt) or 0)

    def reserve(self, session: Session, ip: str, account: str, *, device: str | None = None) -> list[int]:
        """Write the attempt down (per address, and per account or per device cookie) and return
        its row ids. The caller commits before calling `blocked`."""
        now = utcnow()
        session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - self.window))
        scope, key = self._account_key(account, device)
        rows = [
            LoginFailure(scope="ip", key=ip[:200], failed_at=now),
            LoginFailure(scope=scope, key=key, failed_at=now),
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]

    def blocked(self, session: Session, ip: str, account: str, *, device: str | None = None) -> bool:
        """Whether a reserved attempt is over a limit (its own rows are among those counted)."""
        since = utcnow() - self.window
        if device is None and self._count(session, "ip", ip[:200], since) > self.per_ip:
            return True
        scope, key = self._account_key(account, device)
        return self._count(session, scope, key, since) > self.per_account

    def release(self, session: Session, ids: list[int]) -> None:
        """Take a refused attempt back: refused attempts do not extend the block."""
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))

    def succeeded(self, session: Session, ids: list[int], account: str, *, device: str | None = None) -> None:
        """The attempt was right: it is no failure, and the failures before it on the same
        account (unknown browsers) or the same device cookie are forgiven."""
        self.release(session, ids)
        scope, key = self._account_key(account, device)
        session.execute(delete(LoginFailure).where(LoginFailure.scope == scope, LoginFailure.key == key))
