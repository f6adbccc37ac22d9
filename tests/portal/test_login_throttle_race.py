"""The login throttle holds under concurrency: parallel wrong logins for one account, from real
threads on separate database connections, get no more password checks than the limit
(issue #12.5)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import unit_of_work
from portal.models import LoginFailure, Organization, OrgKind, User
from portal.partners.logins import LoginThrottle
from portal.security import hash_password
from portal.web.views.auth import attempt_login

PASSWORD = "correct-horse-battery"


def _user(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as uow:
        org = Organization(slug="acme", name="Acme", kind=OrgKind.SUPPLIER)
        uow.session.add(org)
        uow.flush()
        uow.session.add(
            User(
                organization_id=org.id,
                email="victim@example.test",
                name="Victim",
                password_hash=hash_password(PASSWORD),
                roles="admin",
            )
        )


def _parallel(
    factory: sessionmaker[Session], throttle: LoginThrottle, calls: list[dict[str, str | None]]
) -> list[object]:
    barrier = threading.Barrier(len(calls))

    def one(call: dict[str, str | None]) -> object:
        barrier.wait(timeout=30)
        return attempt_login(
            factory,
            throttle,
            ip=str(call["ip"]),
            email="victim@example.test",
            password=str(call["password"]),
            device=call.get("device"),
        )

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_thirty_parallel_wrong_logins_get_no_more_than_the_account_limit(
    factory: sessionmaker[Session],
) -> None:
    _user(factory)
    throttle = LoginThrottle(per_ip=1000, per_account=5)
    results = _parallel(
        factory, throttle, [{"ip": f"10.0.0.{n}", "password": "wrong-guess"} for n in range(30)]
    )
    # Never more than five password checks. Under contention, attempts still in flight count
    # too, so fewer may get through (all 30 are refused if all wrote before any counted).
    failed = results.count("failed")
    assert 0 <= failed <= 5 and results.count("throttled") == 30 - failed
    with factory() as session:  # refused attempts took their rows back: only the failures remain
        account_rows = select(func.count()).where(LoginFailure.scope == "account")
        assert session.scalar(account_rows) == failed
    for _ in range(5 - failed):  # one by one, the rest of the limit
        assert _one(factory, throttle, "wrong-guess") == "failed"
    # The account stays closed to unknown browsers, even with the right password.
    assert _one(factory, throttle, PASSWORD) == "throttled"


def _one(factory: sessionmaker[Session], throttle: LoginThrottle, password: str) -> object:
    return attempt_login(
        factory, throttle, ip="10.0.1.1", email="victim@example.test", password=password, device=None
    )


def test_parallel_logins_from_one_address_get_no_more_than_the_address_limit(
    factory: sessionmaker[Session],
) -> None:
    _user(factory)
    throttle = LoginThrottle(per_ip=4, per_account=1000)
    results = _parallel(factory, throttle, [{"ip": "10.9.9.9", "password": "wrong-guess"} for _ in range(20)])
    failed = results.count("failed")
    assert 0 <= failed <= 4 and results.count("throttled") == 20 - failed
    outcomes = [
        attempt_login(factory, throttle, ip="10.9.9.9", email=f"u{n}@example.test", password="w", device=None)
        for n in range(5 - failed)
    ]
    assert outcomes == ["failed"] * (4 - failed) + ["throttled"]


def test_a_known_device_passes_the_address_block_but_has_a_limit_of_its_own(
    factory: sessionmaker[Session],
) -> None:
    _user(factory)
    throttle = LoginThrottle(per_ip=3, per_account=2)
    for n in range(3):  # a flood from the office's shared address blocks it
        attempt_login(factory, throttle, ip="10.5.5.5", email=f"x{n}@example.test", password="g", device=None)
    assert (
        attempt_login(
            factory, throttle, ip="10.5.5.5", email="victim@example.test", password=PASSWORD, device=None
        )
        == "throttled"
    )
    # The owner's browser with a device cookie of this account gets in from the same address.
    found = attempt_login(
        factory, throttle, ip="10.5.5.5", email="victim@example.test", password=PASSWORD, device="dev-1"
    )
    assert isinstance(found, tuple)
    # But a device cookie is no licence to guess: it has the account limit for itself.
    results = _parallel(
        factory, throttle, [{"ip": "10.5.5.5", "password": "wrong", "device": "dev-1"} for _ in range(10)]
    )
    failed = results.count("failed")
    assert 0 <= failed <= 2 and results.count("throttled") == 10 - failed
    for _ in range(2 - failed):
        assert (
            attempt_login(
                factory, throttle, ip="10.5.5.5", email="victim@example.test", password="w", device="dev-1"
            )
            == "failed"
        )
    assert (
        attempt_login(
            factory, throttle, ip="10.5.5.5", email="victim@example.test", password=PASSWORD, device="dev-1"
        )
        == "throttled"
    )
    # Another device of the same account is not affected by this one's failures.
    assert isinstance(
        attempt_login(
            factory, throttle, ip="10.6.6.6", email="victim@example.test", password=PASSWORD, device="dev-2"
        ),
        tuple,
    )
