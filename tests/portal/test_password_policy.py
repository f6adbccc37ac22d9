"""The password policy (NIST SP 800-63B): no common, repetitive, sequential or personal passwords,
with a message that says what to do; both where users are added and where passwords change."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import InvalidInput
from portal.partners import service as partners
from portal.security import PERSONAL, TOO_COMMON, TOO_SIMPLE, password_problem
from tests.builders import Scene, build_scene


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("aaaaaaaaaa", TOO_SIMPLE),
        ("abababababab", TOO_SIMPLE),
        ("0123456789", TOO_SIMPLE),
        ("abcdefghijk", TOO_SIMPLE),
        ("9876543210", TOO_SIMPLE),
        ("poiuztrewq", TOO_SIMPLE),  # a keyboard row backwards
        ("1234567890", TOO_COMMON),
        ("Passwort2026!", TOO_COMMON),
        ("password123", TOO_COMMON),
        ("Qwertzuiop", TOO_COMMON),
        ("erika.mustermann-1", PERSONAL),  # the e-mail's local part
        ("mustermann-2026", PERSONAL),  # a word of the name
        ("kurz", "must have at least 10 characters"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, problem: str) -> None:
    assert (
        password_problem(password, email="erika.mustermann@example.com", name="Erika Mustermann") == problem
    )


@pytest.mark.parametrize(
    "password", ["correct-horse-battery", "demo-portal-2026", "ein-sicheres-pw", "Kaffee im Garten 7"]
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, email="erika.mustermann@example.com", name="Erika Mustermann") is None


def test_the_services_apply_the_policy(scene: Scene) -> None:
    with pytest.raises(InvalidInput) as err, scene.uow() as uow:
        partners.add_user(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["partner"].id,
            email="p@example.com",
            name="P",
            password="aaaaaaaaaa",
            roles={"member"},
        )
    assert err.value.field == "password" and "several unrelated words" in str(err.value)
    with scene.uow() as uow:
        user = partners.add_user(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["partner"].id,
            email="p@example.com",
            name="Paula Partner",
            password="altes-passwort",
            roles={"admin"},
        )
    principal = scene.p("partner")
    principal = type(principal)(
        **{**{f: getattr(principal, f) for f in principal.__slots__}, "user_id": user.id}
    )
    with pytest.raises(InvalidInput) as err, scene.uow() as uow:
        partners.change_password(uow=uow, principal=principal, current="altes-passwort", new="paula-2026-x")
    assert err.value.field == "new_password" and "name" in str(err.value)
