"""Users for notification tests: straight through the ORM (no password hashing), on a Scene."""

from __future__ import annotations

from portal.access import Principal, standing_user
from portal.models import User
from tests.builders import Scene


def add_user(scene: Scene, slug: str, *roles: str, active: bool = True) -> int:
    with scene.uow() as uow:
        count = len(uow.session.query(User).all())
        user = User(
            organization_id=scene.orgs[slug].id,
            email=f"u{count}-{slug}@example.test",
            name=f"{slug} {'/'.join(roles)} {count}",
            password_hash="x",
            roles=",".join(roles or ("admin",)),
            is_active=active,
        )
        uow.session.add(user)
        uow.flush()
        return user.id


def as_user(scene: Scene, user_id: int) -> Principal:
    with scene.factory() as session:
        principal = standing_user(session, user_id)
        assert principal is not None
        return principal
