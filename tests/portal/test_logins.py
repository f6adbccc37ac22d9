"""The login state every server process shares: revoked sessions and the login throttle."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import unit_of_work
from portal.models import LoginFailure, RevokedSession
from portal.partners.logins import LoginThrottle, revoke_session


def test_revoking_twice_is_harmless_and_expired_ids_are_pruned(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as uow:
        revoke_session(uow.session, "old", lifetime=timedelta(seconds=-1))  # already past its cookie age
        revoke_session(uow.session, "sid-1", lifetime=timedelta(hours=12))
    with unit_of_work(factory) as uow:
        revoke_session(uow.session, "sid-1", lifetime=timedelta(hours=12))
    with factory() as session:
        assert set(session.scalars(select(RevokedSession.sid))) == {"sid-1"}


def test_the_throttle_counts_per_address_and_per_account_within_its_window(
    factory: sessionmaker[Session],
) -> None:
    throttle = LoginThrottle(per_ip=3, per_account=2)

    def attempt(ip: str, account: str, *, device: str | None = None) -> tuple[list[int], bool]:
        with unit_of_work(factory) as uow:
            ids = throttle.reserve(uow.session, ip, account, device=device)
        with factory() as session:
            return ids, throttle.blocked(session, ip, account, device=device)

    assert not attempt("10.0.0.1", "a@example.test")[1]
    assert not attempt("10.0.0.2", "a@example.test")[1]
    ids, blocked = attempt("10.0.0.9", "a@example.test")  # the third for the account
    assert blocked
    with unit_of_work(factory) as uow:
        throttle.release(uow.session, ids)  # a refused attempt does not count
    assert not attempt("10.0.0.9", "a@example.test", device="dev-a")[1]  # a known device's own count
    assert not attempt("10.0.0.1", "b@example.test")[1]
    assert not attempt("10.0.0.1", "b@example.test")[1]
    ids, blocked = attempt("10.0.0.1", "c@example.test")  # the fourth from 10.0.0.1
    assert blocked
    assert not attempt("10.0.0.1", "c@example.test", device="dev-c")[1]  # passes the address block
    with unit_of_work(factory) as uow:
        throttle.succeeded(uow.session, [], "a@example.test")  # forgives the account's failures
    assert not attempt("10.0.0.8", "a@example.test")[1]
    expired = LoginThrottle(per_ip=3, per_account=2, window=timedelta(seconds=-1))
    with unit_of_work(factory) as uow:
        expired.reserve(uow.session, "10.0.0.3", "d@example.test")  # prunes everything older
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2
