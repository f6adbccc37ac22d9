"""Per role: follow every link, submit every form (plausible, garbage, stale), check every page.

The crawl runs once per role (in German, the language of most demo users) and each kind of check is
its own test, so a bug of one kind does not hide another.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ROLES, Live, http_client
from tests.e2e.crawler import Crawl

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

_CRAWLS: dict[str, Crawl] = {}


@pytest.fixture
def crawl(live: Live, request: pytest.FixtureRequest) -> Crawl:
    who = request.param
    if who not in _CRAWLS:
        with http_client(live, who, lang="de") as client:
            _CRAWLS[who] = Crawl(client, "de", live.today).run()
    return _CRAWLS[who]


def _report(crawl: Crawl, *kinds: str) -> list[str]:
    return [str(p) for p in crawl.problems if p.kind in kinds]


@pytest.mark.parametrize("crawl", list(ROLES), indirect=True)
def test_the_crawl_reaches_the_role_s_pages(crawl: Crawl) -> None:
    assert len(crawl.visited) >= 10, crawl.visited
    assert any(url.startswith("/orders") for url in crawl.visited), crawl.visited


@pytest.mark.parametrize("crawl", list(ROLES), indirect=True)
def test_no_page_answers_500(crawl: Crawl) -> None:
    assert _report(crawl, "500") == []


@pytest.mark.parametrize("crawl", list(ROLES), indirect=True)
def test_no_link_leads_to_405(crawl: Crawl) -> None:
    assert _report(crawl, "405") == []


@pytest.mark.parametrize("crawl", list(ROLES), indirect=True)
def test_no_tag_has_an_escaped_attribute(crawl: Crawl) -> None:
    assert _report(crawl, "escaped-attribute") == []


@pytest.mark.parametrize("crawl", list(ROLES), indirect=True)
def test_no_raw_message_key_is_shown(crawl: Crawl) -> None:
    assert _report(crawl, "raw-key") == []


@pytest.mark.parametrize(
    "crawl",
    list(ROLES),
    indirect=True,
)
def test_german_pages_show_no_english(crawl: Crawl) -> None:
    assert _report(crawl, "english") == []
