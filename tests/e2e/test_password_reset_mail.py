"""The password reset from the login page in Chromium, against a real `portal serve` and a real
`portal exchange run` worker that mails through an SMTP server on loopback (aiosmtpd): the link is
read from the mail that arrived. English at desktop width, German at 375 px."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest

from portal.db import unit_of_work
from portal.partners import service as partners
from tests.e2e.conftest import AXE, DESKTOP, PHONE, run_axe, translator
from tests.e2e.server import portal_serve, world
from tests.notify.smtp import part, smtp_server

OLD_PASSWORD = "first garden lantern 19"
NEW_PASSWORD = "second river compass 84"


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "exchange", "run", "--interval", "0.3"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def logged_in(base: str, email: str, password: str) -> httpx2.Client:
    client = httpx2.Client(base_url=base, follow_redirects=False, timeout=30)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    answer = client.post(
        "/login", data={"csrf": csrf.group(1), "email": email, "password": password, "next": "/"}
    )
    assert answer.status_code == 303, answer.text[:300]
    return client


@pytest.mark.parametrize(("lang", "viewport"), [("en", DESKTOP), ("de", PHONE)])
def test_password_reset_from_the_login_page(
    browser: Any, tmp_path: Path, lang: str, viewport: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    _ = translator(lang)
    email = f"reset-{lang}@supplier-a.example"
    with world(tmp_path) as w, smtp_server() as smtp:
        with unit_of_work(w.factory) as uow:
            partners.add_user(
                uow=uow,
                principal=w.scene.p("owner"),
                organization_id=w.scene.orgs["supplier-a"].id,
                email=email,
                name="Rita Reset",
                password=OLD_PASSWORD,
                roles={"admin"},
            )
        env = {
            **os.environ,
            "PORTAL_DATABASE_URL": w.url,
            "PORTAL_SMTP_HOST": "127.0.0.1",
            "PORTAL_SMTP_PORT": str(smtp.port),
            "PORTAL_SMTP_SECURITY": "none",
            "PORTAL_MAIL_FROM": "Portal <portal@portal.example>",
            "PORTAL_DATA_DIR": str(tmp_path / "data"),
        }
        env.pop("PORTAL_BASE_URL", None)
        with portal_serve(w.url, tmp_path, env=env) as server, worker(env, tmp_path / "worker.log"):
            elsewhere = logged_in(server.base, email, OLD_PASSWORD)  # another device, before the reset
            context = browser.new_context(
                base_url=server.base,
                viewport=viewport,
                locale="de-DE" if lang == "de" else "en-GB",
                timezone_id="Europe/Berlin",
                bypass_csp=True,  # axe-core is injected as an inline script, which our CSP forbids
            )
            context.add_init_script(path=str(AXE))
            try:
                page = context.new_page()
                page.set_default_timeout(15000)
                page.goto(f"/login?lang={lang}")
                page.get_by_role("link", name=_("Forgot password?")).click()
                expect(page.locator("main h1")).to_have_text(_("Forgot password"))
                assert run_axe(page) == []
                page.locator("#f-email").fill(email)
                page.get_by_role("button", name=_("Send link")).click()
                expect(page.get_by_role("status")).to_contain_text(
                    _(
                        "If an account exists for this address, we have sent a link to set a new"
                        " password. It is valid for one hour."
                    )
                )

                [mail] = smtp.mailbox.wait_for(1, timeout=60)  # the worker sends it
                assert mail["To"] == email
                assert mail["Subject"] == (
                    "Neues Passwort für das Portal festlegen"
                    if lang == "de"
                    else "Set a new password for the portal"
                )
                assert "text/html" in {p.get_content_type() for p in mail.walk()}
                link = re.search(r"https?://\S+/password/reset/\S+", part(mail, "plain"))
                assert link and link.group(0).startswith(server.base), part(mail, "plain")

                page.goto(link.group(0))
                expect(page.locator("main h1")).to_have_text(_("Set a new password"))
                assert run_axe(page) == []
                page.locator("#f-password").fill(NEW_PASSWORD)
                page.locator("#f-password_repeat").fill(NEW_PASSWORD)
                page.get_by_role("button", name=_("Set password")).click()
                page.wait_for_url(re.compile(r"/login$"))
                expect(page.get_by_role("status")).to_contain_text(
                    _("Your new password is set and every session has ended. Please log in.")
                )
                if viewport is PHONE:  # nothing wider than the phone
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= PHONE["width"], width
                page.locator("#f-email").fill(email)
                page.locator("#f-password").fill(NEW_PASSWORD)
                page.locator("form[action='/login'] button[type=submit]").click()
                page.wait_for_url(re.compile(r"/$"))

                assert elsewhere.get("/").status_code == 303  # the other device's session ended
                page.goto(link.group(0))  # the link works once
                expect(page.get_by_role("alert")).to_contain_text(
                    _("This link has been used already. Please ask for a new one.")
                )
                expect(page.get_by_role("link", name=_("Ask for a new link"))).to_be_visible()
                assert run_axe(page) == []
            finally:
                context.close()
                elsewhere.close()
