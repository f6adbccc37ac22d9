"""Services added for the API (issue #11.12): changing a user's roles, editing a contact."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.customers import service as customers
from portal.errors import InvalidInput, NotFound, PermissionDenied
from portal.models import Contact, User
from portal.partners import service as partners
from tests.builders import Scene, build_scene, principal_of


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def _user(scene: Scene, org: str, email: str, *roles: str) -> int:
    with scene.uow() as uow:
        return partners.add_user(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs[org].id,
            email=email,
            name=email.split("@")[0],
            password="lang-genug-1",
            roles=set(roles),
        ).id


def test_an_admin_changes_roles_and_the_users_sessions_end(scene: Scene) -> None:
    user_id = _user(scene, "partner", "eva@partner.example", "member")
    with scene.uow() as uow:
        user = partners.set_user_roles(
            uow=uow, principal=scene.p("partner"), user_id=user_id, roles={"admin"}
        )
        assert (user.roles, user.session_generation) == ("admin", 1)
    with pytest.raises(InvalidInput, match="unknown"), scene.uow() as uow:
        partners.set_user_roles(uow=uow, principal=scene.p("partner"), user_id=user_id, roles={"sales"})
    with pytest.raises(PermissionDenied), scene.uow() as uow:
        partners.set_user_roles(
            uow=uow, principal=scene.p("partner", "member"), user_id=user_id, roles={"member"}
        )
    with pytest.raises(NotFound), scene.uow() as uow:
        partners.set_user_roles(uow=uow, principal=scene.p("dealer-other"), user_id=user_id, roles={"member"})


def test_nobody_takes_the_admin_role_from_themselves(scene: Scene) -> None:
    admin_id = _user(scene, "partner", "chef@partner.example", "admin")
    with scene.uow() as uow:
        me = principal_of(uow.session, scene.orgs["partner"], "admin", user_id=admin_id)
    with pytest.raises(InvalidInput, match="yourself"), scene.uow() as uow:
        partners.set_user_roles(uow=uow, principal=me, user_id=admin_id, roles={"member"})
    with scene.factory() as session:
        assert session.get_one(User, admin_id).roles == "admin"


def test_a_contact_is_edited_field_by_field(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-group",))
    with scene.factory() as session:
        contact_id = session.query(Contact.id).filter(Contact.customer_id == customer.id).scalar()
    assert contact_id is not None
    with scene.uow() as uow:
        contact = customers.update_contact(
            uow=uow, principal=scene.p("dealer-group"), contact_id=contact_id, phone=None, position="Technik"
        )
        assert (contact.first_name, contact.email, contact.phone, contact.position) == (
            "Anna",
            "anna@example.de",
            None,
            "Technik",
        )
    with pytest.raises(InvalidInput) as bad, scene.uow() as uow:
        customers.update_contact(uow=uow, principal=scene.p("owner"), contact_id=contact_id, last_name=" ")
    assert bad.value.field == "last_name"
    with pytest.raises(NotFound), scene.uow() as uow:
        customers.update_contact(
            uow=uow, principal=scene.p("dealer-other"), contact_id=contact_id, last_name="X"
        )


def test_a_login_with_nul_in_the_address_is_a_wrong_login_not_a_database_error(scene: Scene) -> None:
    _user(scene, "partner", "eva@partner.example", "member")
    with scene.factory() as session:
        assert partners.authenticate_password(session, "eva@partner.example\x00", "lang-genug-1") is None
        assert partners.authenticate_password(session, "eva@partner.example", "lang-genug-1") is not None
