"""The mail outbox over TLS against a real SMTP server on loopback (aiosmtpd): STARTTLS and implicit
TLS with a login, the server's certificate verified against a private CA (PORTAL_SMTP_CA_FILE),
and the refusals: an untrusted certificate, a certificate for another name, a server without
STARTTLS. Refusals are temporary (the server or the configuration is at fault, not the message:
the mail goes out once the operator has fixed it) and recorded with a reason that names the fix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.models import MailStatus
from portal.models.base import utcnow
from portal.notify.mail import send_mail_once
from portal.notify.mail.sender import backoff
from tests.notify.smtp import SmtpServer, authenticator, smtp_server
from tests.notify.test_mail import queue, row
from tests.notify.tls import Pki, make_pki

USER, PASSWORD = "portal", "s3cret-submission"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def starttls(pki: Pki) -> Iterator[SmtpServer]:
    with smtp_server(
        tls_context=pki.server_context(),
        require_starttls=True,
        authenticator=authenticator(USER, PASSWORD),
        auth_required=True,
    ) as server:
        yield server


def settings_for(server: SmtpServer, tmp_path: Path, **changes: object) -> Settings:
    base = Settings(
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_security="starttls",
        smtp_user=USER,
        smtp_password=PASSWORD,
        mail_from="Portal <portal@portal.example>",
        data_dir=tmp_path,
        smtp_timeout=5.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_starttls_with_login_delivers_over_an_encrypted_connection(
    factory: sessionmaker[Session], starttls: SmtpServer, pki: Pki, tmp_path: Path
) -> None:
    queue(factory)
    settings = settings_for(starttls, tmp_path, smtp_ca_file=pki.ca_file)
    assert send_mail_once(factory, settings) == 1
    [mail] = starttls.mailbox.wait_for(1)
    assert mail["To"] == "jana@dealer.example"
    assert starttls.mailbox.sessions == [(True, USER)]  # over TLS, logged in
    assert row(factory).status is MailStatus.SENT


def test_implicit_tls_with_login_delivers(factory: sessionmaker[Session], pki: Pki, tmp_path: Path) -> None:
    # aiosmtpd counts only STARTTLS as TLS for AUTH (so it would not offer AUTH here, nor accept
    # auth_required): the connection is TLS from the first byte; the login is checked below.
    with smtp_server(
        ssl_context=pki.server_context(), authenticator=authenticator(USER, PASSWORD), auth_require_tls=False
    ) as server:
        queue(factory)
        settings = settings_for(server, tmp_path, smtp_security="tls", smtp_ca_file=pki.ca_file)
        assert send_mail_once(factory, settings) == 1
        assert len(server.mailbox.wait_for(1)) == 1
        assert server.mailbox.sessions == [(True, USER)]
    assert row(factory).status is MailStatus.SENT


def test_an_untrusted_certificate_is_refused_and_sent_once_its_ca_is_trusted(
    factory: sessionmaker[Session], starttls: SmtpServer, pki: Pki, tmp_path: Path
) -> None:
    queue(factory)
    now = utcnow()
    untrusted = settings_for(starttls, tmp_path)  # the system's CAs do not know our private CA
    assert send_mail_once(factory, untrusted, now=now) == 0
    waiting = row(factory)
    assert waiting.status is MailStatus.QUEUED  # temporary: the configuration, not the message
    assert waiting.last_error is not None
    assert "certificate was not accepted" in waiting.last_error
    assert "PORTAL_SMTP_CA_FILE" in waiting.last_error
    assert starttls.mailbox.received == []
    trusted = replace(untrusted, smtp_ca_file=pki.ca_file)
    assert send_mail_once(factory, trusted, now=now + backoff(1)) == 1
    assert len(starttls.mailbox.wait_for(1)) == 1
    assert row(factory).status is MailStatus.SENT


def test_implicit_tls_with_another_ca_is_refused(
    factory: sessionmaker[Session], pki: Pki, tmp_path: Path
) -> None:
    other = make_pki(tmp_path / "other", label="other")
    with smtp_server(ssl_context=pki.server_context()) as server:
        queue(factory)
        settings = settings_for(
            server, tmp_path, smtp_security="tls", smtp_user=None, smtp_ca_file=other.ca_file
        )
        assert send_mail_once(factory, settings) == 0
        assert server.mailbox.received == []
    waiting = row(factory)
    assert waiting.status is MailStatus.QUEUED
    assert "certificate was not accepted" in (waiting.last_error or "")


def test_a_certificate_for_another_name_is_refused(factory: sessionmaker[Session], tmp_path: Path) -> None:
    elsewhere = make_pki(tmp_path / "elsewhere", names=("mail.example.net",), label="elsewhere")
    with smtp_server(tls_context=elsewhere.server_context(), require_starttls=True) as server:
        queue(factory)
        settings = settings_for(server, tmp_path, smtp_user=None, smtp_ca_file=elsewhere.ca_file)
        assert send_mail_once(factory, settings) == 0
        assert server.mailbox.received == []
    error = row(factory).last_error or ""
    assert "certificate was not accepted" in error and "mismatch" in error.lower()


def test_a_server_without_starttls_gets_nothing_when_starttls_is_required(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with smtp_server() as plain:  # offers no STARTTLS
        queue(factory)
        assert send_mail_once(factory, settings_for(plain, tmp_path)) == 0
        assert plain.mailbox.received == []
    waiting = row(factory)
    assert waiting.status is MailStatus.QUEUED
    assert waiting.last_error is not None and "does not offer STARTTLS" in waiting.last_error


def test_a_wrong_password_over_tls_is_retried_with_the_servers_answer(
    factory: sessionmaker[Session], starttls: SmtpServer, pki: Pki, tmp_path: Path
) -> None:
    queue(factory)
    settings = settings_for(starttls, tmp_path, smtp_ca_file=pki.ca_file, smtp_password="wrong")
    assert send_mail_once(factory, settings) == 0
    waiting = row(factory)
    assert waiting.status is MailStatus.QUEUED
    assert (waiting.last_error or "").startswith("login refused: 535")
    assert starttls.mailbox.received == []


def test_the_ca_file_setting_is_read_and_checked(tmp_path: Path, pki: Pki) -> None:
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SMTP_CA_FILE": str(pki.ca_file)}
    assert Settings.from_env(env).smtp_ca_file == pki.ca_file.resolve()
    assert Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path)}).smtp_ca_file is None
    with pytest.raises(ValueError, match="PORTAL_SMTP_CA_FILE"):
        Settings.from_env({**env, "PORTAL_SMTP_CA_FILE": str(tmp_path / "missing.pem")})
