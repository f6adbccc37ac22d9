"""Password reset and invitations through the portal's pages, with the links read from mails that
a real SMTP server on loopback received."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from portal.config import Settings
from portal.db import unit_of_work
from portal.models import Event, Invitation, MailMessage, PasswordReset, User
from portal.models.base import utcnow
from portal.notify.mail import send_mail_once
from portal.partners import accounts
from tests.notify.smtp import SmtpServer, part
from tests.web.conftest import PASSWORD, WebWorld, csrf_of, login

NEW_PASSWORD = "violet pancake harbour 42"


def deliver_link(factory: sessionmaker[Session], settings: Settings, smtp: SmtpServer, count: int) -> str:
    """Send the outbox and return the path of the link in the ``count``-th mail received."""
    send_mail_once(factory, settings)
    mail = smtp.mailbox.wait_for(count)[count - 1]
    found = re.search(r"https?://[^/\s]+(/\S+)", part(mail, "plain"))
    assert found, part(mail, "plain")
    return found.group(1)


def ask_for_reset(client: TestClient, email: str, *, lang: str = "en") -> object:
    page = client.get("/password/forgot", params={"lang": lang})
    assert page.status_code == 200
    return client.post("/password/forgot", data={"email": email, "csrf": csrf_of(page.text)})


def set_password(client: TestClient, path: str, password: str = NEW_PASSWORD) -> object:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(
        path,
        data={"password": password, "password_repeat": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )


def test_the_login_page_links_to_forgot_password(world: WebWorld) -> None:
    page = world.client().get("/login", params={"lang": "de"})
    assert 'href="/password/forgot"' in page.text and "Passwort vergessen?" in page.text


def test_same_answer_for_known_and_unknown_addresses(world: WebWorld, factory: sessionmaker[Session]) -> None:
    known = ask_for_reset(world.client(), "dealer-group@example.test")
    unknown = ask_for_reset(world.client(), "nobody@example.test")
    assert known.status_code == unknown.status_code == 200  # type: ignore[attr-defined]
    strip = lambda text: re.sub(r'name="csrf" value="[^"]+"', "", text)  # noqa: E731
    assert strip(known.text) == strip(unknown.text)  # type: ignore[attr-defined]
    assert "If an account exists for this address" in known.text  # type: ignore[attr-defined]
    with factory() as session:
        assert session.scalars(select(MailMessage.to_address)).all() == ["dealer-group@example.test"]


def test_reset_by_mail_sets_the_password_and_ends_every_session(
    world: WebWorld, factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    elsewhere = TestClient(world.app)
    login(elsewhere, "dealer-group@example.test")
    assert elsewhere.get("/", follow_redirects=False).status_code == 200
    browser = world.client()
    ask_for_reset(browser, "dealer-group@example.test", lang="de")
    path = deliver_link(factory, mail_settings, smtp, 1)
    mail = smtp.mailbox.received[0]
    assert mail["Subject"] == "Neues Passwort für das Portal festlegen"  # the language they asked in
    assert path.startswith("/password/reset/")
    done = set_password(browser, path)
    assert done.status_code == 303 and done.headers["location"] == "/login"  # type: ignore[attr-defined]
    assert elsewhere.get("/", follow_redirects=False).status_code == 303  # the other session ended
    login(TestClient(world.app), "dealer-group@example.test", NEW_PASSWORD)
    with factory() as session:
        stored = session.scalars(select(PasswordReset.token_hash)).one()
        assert path.rsplit("/", 1)[1] not in stored  # only the hash is kept
        assert session.scalar(select(func.count()).where(Event.kind == "user.password_reset")) == 1
    token = csrf_of(browser.get("/password/forgot").text)
    again = browser.post(
        path, data={"password": "another fine pw 7", "password_repeat": "another fine pw 7", "csrf": token}
    )
    assert again.status_code == 410 and "Dieser Link wurde bereits verwendet" in again.text


def test_a_used_link_is_refused_with_a_way_to_ask_again(
    world: WebWorld, factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    browser = world.client()
    ask_for_reset(browser, "supplier-a@example.test")
    path = deliver_link(factory, mail_settings, smtp, 1)
    assert set_password(browser, path).status_code == 303  # type: ignore[attr-defined]
    refused = browser.get(path, params={"lang": "de"})
    assert refused.status_code == 410
    assert "Dieser Link wurde bereits verwendet" in refused.text and 'href="/password/forgot"' in refused.text


def test_an_expired_link_is_refused(
    world: WebWorld, factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    browser = world.client()
    ask_for_reset(browser, "supplier-a@example.test")
    path = deliver_link(factory, mail_settings, smtp, 1)
    with unit_of_work(factory) as uow:
        uow.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    refused = browser.get(path)
    assert refused.status_code == 410 and "This link has expired" in refused.text
    page_csrf = csrf_of(browser.get("/password/forgot").text)
    posted = browser.post(
        path, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD, "csrf": page_csrf}
    )
    assert posted.status_code == 410
    login(TestClient(world.app), "supplier-a@example.test", PASSWORD)  # unchanged


def test_an_unknown_link_is_refused(world: WebWorld) -> None:
    refused = world.client().get("/password/reset/not-a-token")
    assert refused.status_code == 400 and "This link is not valid" in refused.text


def test_the_new_password_follows_the_password_rules(
    world: WebWorld, factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    browser = world.client()
    ask_for_reset(browser, "supplier-a@example.test")
    path = deliver_link(factory, mail_settings, smtp, 1)
    weak = set_password(browser, path, "password123")
    assert weak.status_code == 400 and "most common passwords" in weak.text  # type: ignore[attr-defined]
    assert set_password(browser, path).status_code == 303  # type: ignore[attr-defined]  # the link still works


def test_requests_are_throttled_per_address(world: WebWorld, factory: sessionmaker[Session]) -> None:
    answers = [ask_for_reset(world.client(), "supplier-a@example.test").status_code for _ in range(4)]  # type: ignore[attr-defined]
    assert answers == [200, 200, 200, 429]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(MailMessage)) == 3


def test_a_deactivated_user_gets_no_mail(world: WebWorld, factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as uow:
        uow.session.execute(update(User).where(User.email == "partner@example.test").values(is_active=False))
    assert ask_for_reset(world.client(), "partner@example.test").status_code == 200  # type: ignore[attr-defined]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(MailMessage)) == 0


# -- invitations -------------------------------------------------------------------------------
def invite(client: TestClient, **data: str) -> object:
    page = client.get("/admin/users")
    assert page.status_code == 200
    return client.post(
        "/admin/invitations", data={"csrf": csrf_of(page.text), **data}, follow_redirects=False
    )


def test_invitation_flow(
    world: WebWorld, factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    admin = world.client("supplier-a")
    sent = invite(admin, name="Nora Neu", email="nora@supplier-a.example", roles="member", locale="de")
    assert sent.status_code == 303  # type: ignore[attr-defined]
    page = admin.get("/admin/users")
    assert "nora@supplier-a.example" in page.text and "Open invitations" in page.text
    path = deliver_link(factory, mail_settings, smtp, 1)
    mail = smtp.mailbox.received[0]
    assert mail["To"] == "nora@supplier-a.example" and "Supplier A" in mail["Subject"]
    assert "lädt Sie" in mail["Subject"]
    assert path.startswith("/invitation/")
    newcomer = TestClient(world.app)
    form = newcomer.get(path)
    assert form.status_code == 200 and "Nora Neu" in form.text
    done = set_password(newcomer, path)
    assert done.status_code == 303 and done.headers["location"] == "/"  # type: ignore[attr-defined]
    assert newcomer.get("/", follow_redirects=False).status_code == 200  # logged in
    with factory() as session:
        user = session.scalars(select(User).where(User.email == "nora@supplier-a.example")).one()
        assert user.organization_id == world.scene.orgs["supplier-a"].id and user.roles == "member"
        assert user.locale == "de"
    used = TestClient(world.app).get(path, params={"lang": "de"})
    assert used.status_code == 410  # used once: the account exists, log in (not "ask for a new one")
    assert "Ihr Konto besteht bereits" in used.text and 'href="/login"' in used.text
    assert "neue Einladung" not in used.text and "neuen Link" not in used.text
    assert (
        "nora@supplier-a.example"
        not in admin.get("/admin/users").text.split("Open invitations")[1].split("Invite a user")[0]
    )


def test_resend_replaces_the_link_and_revoke_ends_it(
    world: WebWorld, factory: sessionmaker[Session], smtp: SmtpServer, mail_settings: Settings
) -> None:
    admin = world.client("dealer-group")
    invite(admin, name="Otto", email="otto@dealer.example", roles="member")
    first = deliver_link(factory, mail_settings, smtp, 1)
    with factory() as session:
        inv_id = session.scalars(select(Invitation.id)).one()
    page = admin.get("/admin/users")
    resent = admin.post(
        f"/admin/invitations/{inv_id}/resend", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert resent.status_code == 303
    second = deliver_link(factory, mail_settings, smtp, 2)
    assert first != second
    assert TestClient(world.app).get(first).status_code == 400  # the old link is dead
    assert TestClient(world.app).get(second).status_code == 200
    revoked = admin.post(
        f"/admin/invitations/{inv_id}/revoke", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert revoked.status_code == 303
    refused = TestClient(world.app).get(second)
    assert refused.status_code == 400 and "withdrawn" in refused.text


def test_an_address_with_an_account_or_an_open_invitation_is_refused(world: WebWorld) -> None:
    admin = world.client("supplier-a")
    taken = invite(admin, name="X", email="supplier-b@example.test", roles="member")
    assert taken.status_code == 400 and "cannot be used for a new user" in taken.text  # type: ignore[attr-defined]
    assert invite(admin, name="Y", email="y@example.test", roles="member").status_code == 303  # type: ignore[attr-defined]
    twice = invite(admin, name="Y", email="y@example.test", roles="member")
    assert twice.status_code == 400 and "open invitation already" in twice.text  # type: ignore[attr-defined]
    elsewhere = invite(world.client("supplier-b"), name="Y", email="y@example.test", roles="member")
    assert elsewhere.status_code == 400 and "cannot be used for a new user" in elsewhere.text  # type: ignore[attr-defined]


def test_an_expired_invitation_is_refused(world: WebWorld, factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as uow:
        sent = accounts.invite_user(
            uow=uow,
            principal=world.scene.p("partner"),
            organization_id=world.scene.orgs["partner"].id,
            email="late@partner.example",
            name="Late",
            roles={"member"},
            base_url="http://testserver",
            now=utcnow() - accounts.INVITATION_VALID - timedelta(minutes=1),
        )
    refused = TestClient(world.app).get(sent.link.removeprefix("http://testserver"))
    assert refused.status_code == 410 and "expired" in refused.text


def test_members_cannot_invite(world: WebWorld, factory: sessionmaker[Session]) -> None:
    member = world.client("partner")
    page = member.get("/login")  # any page with a CSRF token in the session
    response = member.post(
        "/admin/invitations",
        data={"csrf": csrf_of(page.text), "name": "Z", "email": "z@example.test", "roles": "member"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Invitation)) == 0
        assert session.scalar(select(func.count()).select_from(MailMessage)) == 0
