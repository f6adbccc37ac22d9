from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import extract_parameters
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import InvalidInput, PermissionDenied, Unauthenticated
from portal.models import ApiToken, User
from portal.models.base import utcnow
from portal.partners import service as partners
from tests.builders import Scene, build_scene


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def test_token_is_stored_only_as_hash_and_authenticates_once_shown(scene: Scene) -> None:
    with scene.uow() as uow:
        issued = partners.issue_token(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["supplier-a"].id,
            name="ERP",
            expires_in_days=30,
        )
    with scene.factory() as session:
        stored = session.get_one(ApiToken, issued.token.id)
        assert issued.secret not in (stored.token_hash, stored.prefix, stored.name)
        assert stored.token_hash != issued.secret and len(stored.token_hash) == 64
        assert stored.last_used_at is None
    with scene.uow() as uow:
        principal = partners.authenticate_token(uow.session, issued.secret)
        assert principal.org_id == scene.orgs["supplier-a"].id
        assert principal.roles == frozenset({"member"})
    with scene.factory() as session:
        assert session.get_one(ApiToken, issued.token.id).last_used_at is not None


def test_revoked_and_expired_tokens_are_refused(scene: Scene) -> None:
    with scene.uow() as uow:
        issued = partners.issue_token(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["supplier-a"].id,
            name="ERP",
            expires_in_days=1,
        )
    with scene.uow() as uow, pytest.raises(Unauthenticated, match="expired"):
        partners.authenticate_token(uow.session, issued.secret, now=utcnow() + timedelta(days=2))
    with scene.uow() as uow:
        partners.revoke_token(uow=uow, principal=scene.p("supplier-a", "admin"), token_id=issued.token.id)
    with scene.uow() as uow, pytest.raises(Unauthenticated, match="unknown or revoked"):
        partners.authenticate_token(uow.session, issued.secret)
    with scene.uow() as uow, pytest.raises(Unauthenticated, match="unknown or revoked"):
        partners.authenticate_token(uow.session, "ptk_guess")


def test_partner_admin_manages_own_users_but_member_cannot(scene: Scene) -> None:
    org_id = scene.orgs["dealer-other"].id
    with scene.uow() as uow:
        user = partners.add_user(
            uow=uow,
            principal=scene.p("dealer-other", "admin"),
            organization_id=org_id,
            email="Neu@Example.com",
            name="Neu",
            password="lang-genug-123",
            roles={"member"},
        )
        assert user.email == "neu@example.com"
    with pytest.raises(PermissionDenied, match="only admin"), scene.uow() as uow:
        partners.add_user(
            uow=uow,
            principal=scene.p("dealer-other", "member"),
            organization_id=org_id,
            email="b@example.com",
            name="B",
            password="lang-genug-123",
            roles={"member"},
        )


def test_passwords_use_argon2id_with_at_least_19_mib_and_two_passes(scene: Scene) -> None:
    with scene.uow() as uow:
        user = partners.add_user(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["partner"].id,
            email="p@example.com",
            name="P",
            password="ein-sicheres-pw",
            roles={"admin"},
        )

    parsed = extract_parameters(user.password_hash)
    assert user.password_hash.startswith("$argon2id$")
    assert parsed.memory_cost >= 19 * 1024 and parsed.time_cost >= 2
    with scene.factory() as session:
        assert partners.authenticate_password(session, "P@example.com", "ein-sicheres-pw") is not None
        assert partners.authenticate_password(session, "p@example.com", "falsch") is None
        assert partners.authenticate_password(session, "nobody@example.com", "ein-sicheres-pw") is None


def test_bad_user_input_names_the_field(scene: Scene) -> None:
    cases = [
        ({"email": "kein-at"}, "email"),
        ({"password": "kurz"}, "password"),
        ({"roles": {"sales"}}, "roles"),
    ]
    for override, field in cases:
        kwargs = {"email": "ok@example.com", "name": "N", "password": "lang-genug-123", "roles": {"member"}}
        kwargs.update(override)
        with pytest.raises(InvalidInput) as err, scene.uow() as uow:
            partners.add_user(
                uow=uow, principal=scene.p("owner"), organization_id=scene.orgs["partner"].id, **kwargs
            )  # type: ignore[arg-type]
        assert err.value.field == field
    with scene.factory() as session:
        assert session.scalars(select(User)).all() == []


def test_password_change_rotates_session_generation(scene: Scene) -> None:
    with scene.uow() as uow:
        user = partners.add_user(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["partner"].id,
            email="p@example.com",
            name="P",
            password="altes-passwort",
            roles={"admin"},
        )
    principal = scene.p("partner")
    principal = type(principal)(
        **{**{f: getattr(principal, f) for f in principal.__slots__}, "user_id": user.id}
    )
    with scene.uow() as uow:
        changed = partners.change_password(
            uow=uow, principal=principal, current="altes-passwort", new="neues-passwort"
        )
        assert changed.session_generation == user.session_generation + 1
    with pytest.raises(InvalidInput, match="current_password"), scene.uow() as uow:
        partners.change_password(uow=uow, principal=principal, current="falsch", new="noch-ein-passwort")
