"""Prepared exports in Chromium at phone width, in German and English: the CSV link of a long list
offers "prepare the export", "My exports" shows it queued, then ready with a download link once the
worker step ran; the page fits 375 px."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.db import make_engine, make_sessionmaker
from portal.exports import run_exports_once
from portal.models import Base
from portal.web.i18n import load_translations
from tests.builders import build_scene
from tests.web.conftest import PASSWORD, add_users
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, private_schema, require_chromium, serve

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


@dataclass(frozen=True)
class Served:
    base: str
    factory: sessionmaker[Session]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    require_chromium()
    with ExitStack() as stack:
        if PG_URL:
            url = stack.enter_context(private_schema(PG_URL, "browser_exports"))
        else:
            url = f"sqlite:///{Path(tmp_path_factory.mktemp('exports')) / 'portal.sqlite3'}"
        engine = make_engine(url)
        stack.callback(engine.dispose)
        Base.metadata.create_all(engine)
        factory = make_sessionmaker(engine)
        scene = build_scene(factory)
        add_users(factory, scene)
        customer = scene.customer("Bäckerei Sonnenschein")
        for _ in range(3):
            scene.order(customer, quantities=(1,))
        base = stack.enter_context(serve(url, extra_env={"PORTAL_EXPORT_INLINE_ROWS": "2"}))
        yield Served(base, factory)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_phone_user_prepares_an_export_and_downloads_it(served: Served, lang: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    _ = load_translations(lang).ugettext
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                base_url=served.base, viewport={"width": 375, "height": 812}, accept_downloads=True
            )
            p: Any = context.new_page()
            p.set_default_timeout(15000)
            p.goto(f"/login?lang={lang}")
            p.locator("#f-email").fill("owner@example.test")
            p.locator("#f-password").fill(PASSWORD)
            p.locator("form[action='/login'] button[type=submit]").click()
            p.locator("main h1").wait_for()
            p.goto("/orders")
            p.get_by_role("link", name=_("Export CSV"), exact=True).click()
            expect(p.locator("main h1")).to_have_text(_("Prepare the export"))
            p.get_by_role("button", name=_("Prepare the export")).click()
            expect(p.locator("main h1")).to_have_text(_("My exports"))
            newest = p.locator("main tbody tr").first  # newest first
            expect(newest).to_contain_text(_("Queued"))
            assert run_exports_once(served.factory).finished == 1
            p.reload()
            expect(newest).to_contain_text(_("Ready"))
            assert p.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            with p.expect_download() as download:
                newest.get_by_role("link", name=_("Download"), exact=True).click()
            text = Path(download.value.path()).read_text(encoding="utf-8-sig")
            assert text.count("\n") == 4  # the header and three orders
            context.close()
        finally:
            browser.close()
