"""Login, sessions, logout, password change, CSRF, Origin check and login throttling."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from portal.db import unit_of_work
from portal.models import Event, RevokedSession, User
from portal.web.sessions import SESSION_COOKIE, read_session
from tests.web.conftest import PASSWORD, SECRET, WebWorld, csrf_of, login, password_hash, post_form


def _fresh_world(factory: object, engine: object) -> WebWorld:
    from portal.app import create_app
    from portal.config import Settings
    from tests.builders import build_scene
    from tests.web.conftest import add_users

    scene = build_scene(factory)  # type: ignore[arg-type]
    users = add_users(factory, scene)  # type: ignore[arg-type]
    app = create_app(Settings(secret_key=SECRET), engine=engine)  # type: ignore[arg-type]
    return WebWorld(scene, app, users)


def _sid(client: object) -> str:
    raw = client.cookies.get(SESSION_COOKIE)  # type: ignore[attr-defined]
    data = read_session(SECRET, raw)
    assert data is not None
    return data.sid


def test_anonymous_visitor_is_sent_to_login(world: WebWorld) -> None:
    response = world.client().get("/orders?status=confirmed", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Forders%3Fstatus%3Dconfirmed"


def test_login_sets_httponly_samesite_cookie_and_rotates_session_id(world: WebWorld) -> None:
    client = world.client()
    page = client.get("/login")
    anonymous_sid = _sid(client)
    response = client.post(
        "/login",
        data={
            "email": "supplier-a@example.test",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
            "next": "/orders",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/orders"
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert _sid(client) != anonymous_sid
    assert client.get("/").status_code == 200


def test_session_cookie_is_secure_over_https(world: WebWorld) -> None:
    client = world.client(base_url="https://testserver")
    page = client.get("/login")
    assert "Secure" in page.headers["set-cookie"]


def test_wrong_password_and_unknown_email_get_the_same_answer(world: WebWorld) -> None:
    client = world.client()
    answers = []
    for email, password in [("supplier-a@example.test", "wrong-password"), ("nobody@example.test", PASSWORD)]:
        page = client.get("/login")
        response = client.post(
            "/login", data={"email": email, "password": password, "csrf": csrf_of(page.text)}
        )
        answers.append(
            (response.status_code, response.text.replace(email, "EMAIL").replace(csrf_of(response.text), ""))
        )
    assert answers[0][0] == answers[1][0] == 400
    assert "password is not correct" in answers[0][1]
    assert answers[0][1] == answers[1][1]


def test_login_form_keeps_the_typed_email(world: WebWorld) -> None:
    client = world.client()
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": "supplier-a@example.test", "password": "nope", "csrf": csrf_of(page.text)}
    )
    assert 'value="supplier-a@example.test"' in response.text


def test_logout_kills_the_session_even_when_the_cookie_is_replayed(world: WebWorld) -> None:
    client = world.client()
    login(client, "supplier-a@example.test")
    stolen = client.cookies.get(SESSION_COOKIE)
    response = post_form(client, "/", "/logout", {})
    assert response.status_code == 303  # type: ignore[attr-defined]
    replay = world.client()
    replay.cookies.set(SESSION_COOKIE, stolen)  # type: ignore[arg-type]
    assert replay.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_password_change_ends_every_other_session(world: WebWorld) -> None:
    laptop, phone = world.client(), world.client()
    login(laptop, "dealer-group@example.test")
    login(phone, "dealer-group@example.test")
    response = post_form(
        laptop,
        "/account/password",
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-new-password-2026",
            "new_password_repeat": "a-new-password-2026",
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert laptop.get("/", follow_redirects=False).status_code == 200
    assert phone.get("/", follow_redirects=False).status_code == 303
    fresh = world.client()
    login(fresh, "dealer-group@example.test", "a-new-password-2026")


def test_password_change_with_wrong_current_password_shows_error_at_the_field(world: WebWorld) -> None:
    client = world.client("dealer-group")
    response = post_form(
        client,
        "/account/password",
        "/account/password",
        {
            "current_password": "wrong",
            "new_password": "a-new-password-2026",
            "new_password_repeat": "a-new-password-2026",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert 'id="current_password-error"' in response.text  # type: ignore[attr-defined]


def test_post_without_csrf_token_is_refused(world: WebWorld) -> None:
    client = world.client("supplier-a")
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "x" * 12})
    assert response.status_code == 403


def test_post_from_a_foreign_origin_is_refused_even_with_a_token(world: WebWorld) -> None:
    client = world.client("supplier-a")
    page = client.get("/account/password")
    response = client.post(
        "/account/password",
        data={"csrf": csrf_of(page.text), "current_password": PASSWORD, "new_password": "x" * 12},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    same_origin = client.post(
        "/account/password",
        data={"csrf": csrf_of(page.text), "current_password": "wrong", "new_password": "x" * 12},
        headers={"origin": "http://testserver"},
    )
    assert same_origin.status_code == 400  # reached the form: the wrong password is reported


def test_login_flood_from_one_address_is_throttled(
    factory: object, engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("portal.partners.logins.LOGIN_LIMIT_PER_IP", 6)
    world = _fresh_world(factory, engine)
    client = world.client()
    statuses = []
    for n in range(8):
        page = client.get("/login")
        response = client.post(
            "/login", data={"email": f"user{n}@example.test", "password": "guess", "csrf": csrf_of(page.text)}
        )
        statuses.append(response.status_code)
    assert statuses[:6] == [400] * 6
    assert set(statuses[6:]) == {429}
    page = client.get("/login")
    blocked = client.post(
        "/login", data={"email": "supplier-a@example.test", "password": PASSWORD, "csrf": csrf_of(page.text)}
    )
    assert blocked.status_code == 429 and "too many attempts" in blocked.text


def test_account_flood_does_not_lock_out_the_owner_on_a_known_device(world: WebWorld) -> None:
    owner_browser = world.client()
    login(owner_browser, "supplier-b@example.test")  # logged in once: holds a device cookie
    post_form(owner_browser, "/", "/logout", {})
    attacker = world.client()
    for _ in range(6):
        page = attacker.get("/login")
        attacker.post(
            "/login",
            data={"email": "supplier-b@example.test", "password": "guess", "csrf": csrf_of(page.text)},
        )
    page = attacker.get("/login")
    attempt = attacker.post(
        "/login", data={"email": "supplier-b@example.test", "password": PASSWORD, "csrf": csrf_of(page.text)}
    )
    assert attempt.status_code == 429  # the attacker's browser is throttled for this account
    login(owner_browser, "supplier-b@example.test")  # the real user on a known device is not


def test_login_upgrades_a_weaker_password_hash(world: WebWorld) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with unit_of_work(world.scene.factory) as uow:
        user = uow.session.scalar(select(User).where(User.email == "partner@example.test"))
        assert user is not None
        user.password_hash = weak
    login(world.client(), "partner@example.test")
    with world.scene.factory() as session:
        stored = session.scalar(select(User.password_hash).where(User.email == "partner@example.test"))
    assert stored is not None and stored != weak and "m=19456,t=2" in stored


def test_graphql_helper_reads_the_portal_session_cookie(world: WebWorld) -> None:
    from starlette.requests import HTTPConnection

    from portal.auth import principal_from_session_cookie

    client = world.client()
    login(client, "dealer-group@example.test")
    cookie = f"{SESSION_COOKIE}={client.cookies.get(SESSION_COOKIE)}"
    scope = {"type": "http", "headers": [(b"cookie", cookie.encode())], "app": world.app}
    with world.scene.factory() as session:
        principal = principal_from_session_cookie(HTTPConnection(scope), session)
        assert principal is not None and principal.org_id == world.scene.orgs["dealer-group"].id
        forged = {**scope, "headers": [(b"cookie", f"{SESSION_COOKIE}=forged.value".encode())]}
        assert principal_from_session_cookie(HTTPConnection(forged), session) is None
    post_form(client, "/", "/logout", {})
    with world.scene.factory() as session:
        assert principal_from_session_cookie(HTTPConnection(scope), session) is None


def test_login_never_redirects_to_another_site(world: WebWorld) -> None:
    client = world.client()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": "owner@example.test",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_portal_pages_carry_a_strict_content_security_policy(world: WebWorld) -> None:
    page = world.client().get("/login")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_logout_says_goodbye_on_the_login_page(world: WebWorld) -> None:
    client = world.client()
    login(client, "partner@example.test")
    response = post_form(client, "/", "/logout", {})
    assert response.headers["location"] == "/login"  # type: ignore[attr-defined]
    assert "You have been logged out." in client.get("/login").text


def _users_page_action(client: object, user_id: int, active: str) -> object:
    return post_form(client, "/admin/users", f"/admin/users/{user_id}/active", {"active": active})


def test_an_admin_deactivates_a_user_whose_sessions_end_at_once(world: WebWorld) -> None:
    with world.scene.uow() as uow:
        member = User(
            organization_id=world.scene.orgs["dealer-group"].id,
            email="leaver@example.test",
            name="Leaver",
            password_hash=password_hash(),
            roles="member",
        )
        uow.session.add(member)
    leaver = TestClient(world.app)
    login(leaver, "leaver@example.test")
    assert leaver.get("/", follow_redirects=False).status_code == 200

    admin = world.client("dealer-group")
    page = admin.get("/admin/users")
    assert f'action="/admin/users/{member.id}/active"' in page.text
    assert f'action="/admin/users/{world.users["dealer-group"].id}/active"' not in page.text  # not oneself
    response = _users_page_action(admin, member.id, "0")
    assert response.status_code == 303
    assert "Deactivated" in admin.get("/admin/users").text

    assert leaver.get("/", follow_redirects=False).headers["location"] == "/login"
    again = TestClient(world.app)
    with pytest.raises(AssertionError):
        login(again, "leaver@example.test")

    assert _users_page_action(admin, member.id, "1").status_code == 303
    login(again, "leaver@example.test")
    with world.scene.factory() as session:
        kinds = session.scalars(
            select(Event.kind).where(Event.entity == "user", Event.entity_id == member.id).order_by(Event.id)
        ).all()
    assert kinds == ["user.deactivated", "user.reactivated"]


def test_an_admin_cannot_deactivate_their_own_account(world: WebWorld) -> None:
    admin = world.client("dealer-group")
    response = _users_page_action(admin, world.users["dealer-group"].id, "0")
    assert response.status_code == 400
    assert "cannot deactivate your own account" in response.text
    with world.scene.factory() as session:
        assert session.get_one(User, world.users["dealer-group"].id).is_active


def test_a_member_may_not_deactivate_anyone(world: WebWorld) -> None:
    member = world.client("partner")
    response = member.post(
        f"/admin/users/{world.users['partner'].id}/active",
        data={"csrf": csrf_of(member.get("/account/password").text), "active": "0"},
    )
    assert response.status_code == 403


def test_a_logout_in_one_server_process_is_honoured_by_another(
    world: WebWorld, engine: object, factory: object
) -> None:
    from portal.app import create_app
    from portal.config import Settings

    other_process = create_app(Settings(secret_key=SECRET), engine=engine)  # type: ignore[arg-type]
    client = world.client()
    login(client, "supplier-a@example.test")
    stolen = client.cookies.get(SESSION_COOKIE)
    replay = TestClient(other_process)
    replay.cookies.set(SESSION_COOKIE, stolen)  # type: ignore[arg-type]
    assert replay.get("/", follow_redirects=False).status_code == 200  # valid before the logout
    post_form(client, "/", "/logout", {})
    assert replay.get("/", follow_redirects=False).headers["location"] == "/login"
    with world.scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(RevokedSession)) == 1


def test_failed_logins_count_across_server_processes(
    world: WebWorld, engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.app import create_app
    from portal.config import Settings

    monkeypatch.setattr("portal.partners.logins.LOGIN_LIMIT_PER_ACCOUNT", 4)
    processes = [create_app(Settings(secret_key=SECRET), engine=engine) for _ in range(2)]  # type: ignore[arg-type]
    statuses = []
    for n in range(6):
        attacker = TestClient(processes[n % 2])
        page = attacker.get("/login")
        response = attacker.post(
            "/login",
            data={"email": "dealer-other@example.test", "password": "guess", "csrf": csrf_of(page.text)},
        )
        statuses.append(response.status_code)
    assert statuses == [400, 400, 400, 400, 429, 429]


def test_a_session_cookie_expires_even_after_its_signature_was_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from portal.web.sessions import SESSION_MAX_AGE, SessionData, serializer

    data = SessionData.new()
    data.login(7, 0)
    raw = serializer(SECRET).dumps(data.payload())
    first = read_session(SECRET, raw)
    assert first is not None and first.uid == 7
    assert read_session(SECRET, raw[:-2] + ("AA" if not raw.endswith("AA") else "BB")) is None  # tampered
    later = time.time() + SESSION_MAX_AGE + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert read_session(SECRET, raw) is None  # the remembered signature does not outlive the cookie
