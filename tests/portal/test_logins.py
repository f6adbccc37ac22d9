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
    with unit_of_work(factory) as uow:
        throttle.failed(uow.session, "10.0.0.1", "a@example.test")
        throttle.failed(uow.session, "10.0.0.2", "a@example.test")
    with factory() as session:
        assert throttle.blocked(session, "10.0.0.9", "a@example.test", known_device=False)
        assert not throttle.blocked(session, "10.0.0.9", "a@example.test", known_device=True)
        assert not throttle.blocked(session, "10.0.0.1", "b@example.test", known_device=False)
    with unit_of_work(factory) as uow:
        throttle.failed(uow.session, "10.0.0.1", "b@example.test")
        throttle.failed(uow.session, "10.0.0.1", "c@example.test")
        throttle.succeeded(uow.session, "a@example.test")
    with factory() as session:
        assert throttle.blocked(session, "10.0.0.1", "z@example.test", known_device=True)  # the address
        assert not throttle.blocked(session, "10.0.0.9", "a@example.test", known_device=False)
    expired = LoginThrottle(per_ip=3, per_account=2, window=timedelta(seconds=-1))
    with unit_of_work(factory) as uow:
        expired.failed(uow.session, "10.0.0.3", "d@example.test")  # prunes everything older
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2
