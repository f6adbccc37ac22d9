"""A bounded crawler over the live portal, as one logged-in person: follows every same-origin link,
submits every form (once with plausible values, once with garbage, once more with a stale version
where the form carries one), and checks every page it gets, including the pages drawn after a form
error and after a conflict, and the links on those.

Bounds: URLs are grouped by pattern (path segments with a digit become ``{id}``, query values
become ``*`` except a few small enumerations), at most ``PER_PATTERN`` URLs per pattern (one more
for detail pages, one per pattern from any one page) and ``MAX_REQUESTS`` requests per crawl;
each form (by method, action pattern and field names) is submitted once per kind.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx2
from lxml import html as lxml_html

from portal.web.i18n import load_translations

PER_PATTERN = 2
# Visited first, so the few detail pages per pattern are ones in different states (a draft order
# has the route form, an awaiting one the answer form, a confirmed one the ship form).
SEEDS = (
    "/orders?status=draft",
    "/orders?status=awaiting_confirmation",
    "/orders?status=confirmed",
    "/cases?status=open",
)
MAX_REQUESTS = 260
# Query parameters whose value changes the page's shape (the rest, like cursors and searches, do not).
SHAPING = {"lang", "status", "kind", "delivery", "match", "priority", "state", "direction", "dir"}
# Actions the crawler never takes: they would lock the demo accounts out for the other tests.
NEVER = (
    re.compile(r"^/logout$"),
    re.compile(r"^/admin/users/\d+/active$"),
    re.compile(r"^/admin/tokens/\d+/revoke$"),
)
SKIP_LINKS = (re.compile(r"^/static/"), re.compile(r"^/graphql"))

# Words that do not occur in German UI text: any of them in a German page's labels, buttons,
# headings, hints or messages means an untranslated (or technical) text.
ENGLISH_WORDS = {
    "the", "please", "must", "your", "cannot", "invalid", "required", "ordered", "confirms", "than",
    "this", "only", "enter", "with", "not", "may", "should", "order", "orders", "shipped", "invoice",
    "customer", "field", "value", "more", "less", "found", "allowed", "choose", "save", "cancel",
    "is", "are", "was", "be", "of", "to", "for", "or", "and",
}  # fmt: skip
CHROME = (
    "//label|//button|//th|//legend|//summary|//caption|//figcaption|//h2|//nav//a"
    "|//*[contains(@class,'field-error')]|//*[contains(@class,'alert')]|//*[contains(@class,'flash')]"
    "|//*[contains(@class,'hint')]|//*[contains(@class,'empty')]|//title"
)
RAW_KEY = re.compile(r"(?<![\w@./-])[a-z]+(?:_[a-z]+)+(?![\w@.-])")
ESCAPED_ATTRIBUTE = re.compile(r"<[a-zA-Z][^<>]*\s[a-zA-Z-]+=(?:&#34;|&quot;)")
ROLE_KEYS = {"admin", "sales", "support", "viewer", "member"}


def pattern_of(url: str) -> str:
    parts = urlsplit(url)
    # A path segment with a digit in it names one record: an id, an order number, a mail file
    # (20261207T105415-mail-70-bf6be254b2c5f826localhost.eml), a calendar secret.
    path = "/".join("{id}" if re.search(r"\d", part) else part for part in parts.path.split("/"))
    query = sorted((k, v if k in SHAPING else "*") for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return path + ("?" + urlencode(query) if query else "")


def _catalog_texts(lang: str) -> set[str]:
    """The English msgids the portal translates to something else: seen verbatim on a German page,
    they are text that missed the catalog."""
    if lang != "de":
        return set()
    catalog = load_translations("de")
    texts = set()
    for msgid in catalog._catalog:  # the compiled .mo: msgid -> msgstr
        if isinstance(msgid, str) and msgid and "%(" not in msgid and len(msgid) >= 4:
            translated = catalog.ugettext(msgid)
            if translated != msgid:
                texts.add(msgid)
    return texts


@dataclass
class Problem:
    kind: str  # "405", "500", "raw-key", "english", "escaped-attribute", "status"
    url: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.url}: {self.detail}"


@dataclass
class Crawl:
    client: httpx2.Client
    lang: str
    today: date
    problems: list[Problem] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)  # GET URLs that answered 200 with HTML
    requests: int = 0
    _patterns: Counter[str] = field(default_factory=Counter)
    _forms: set[tuple[str, ...]] = field(default_factory=set)
    _queue: deque[str] = field(default_factory=deque)
    _serial: int = 0
    _by_path: bool = False

    def __post_init__(self) -> None:
        self._catalog = _catalog_texts(self.lang)
        self._roles_label = load_translations(self.lang).ugettext("Roles")

    # -- walking -------------------------------------------------------------------------------
    def run(self, start: str = "/", *, forms: bool = True) -> Crawl:
        """Crawl from ``start``; ``forms=False`` only follows links, one URL per path pattern (to
        find the kinds of page to look at in the browser)."""
        self._by_path = not forms
        if forms:
            for seed in SEEDS:
                self._enqueue(seed)
        self._enqueue(start)
        while self._queue and self.requests < MAX_REQUESTS:
            url = self._queue.popleft()
            response = self._request("GET", url)
            if response is not None:
                self._take(url, response, follow_forms=forms)
        return self

    def page_kinds(self) -> list[str]:
        """One visited URL per path pattern (the first reached), for the slower browser checks."""
        seen: dict[str, str] = {}
        for url in self.visited:
            seen.setdefault(pattern_of(urlsplit(url).path), url)
        return list(seen.values())

    def _enqueue(self, url: str, *, force: bool = False) -> None:
        pattern = pattern_of(urlsplit(url).path if self._by_path else url)
        limit = 1 if self._by_path else PER_PATTERN + ("{id}" in pattern)
        if not force and self._patterns[pattern] >= limit:
            return
        self._patterns[pattern] += 1
        self._queue.append(url)

    def _request(self, method: str, url: str, **kwargs: object) -> httpx2.Response | None:
        if self.requests >= MAX_REQUESTS:
            return None
        self.requests += 1
        response = self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
        status = response.status_code
        if status == 405:
            self._problem("405", f"{method} {url}", "method not allowed")
        elif status >= 500:
            self._problem("500", f"{method} {url}", f"{status}: {response.text[-300:]!r}")
        if 300 <= status < 400 and method == "GET":
            target = response.headers.get("location", "")
            if target.startswith("/"):
                self._enqueue(target)
        return response

    def _take(
        self, url: str, response: httpx2.Response, *, follow_forms: bool, follow_all: bool = False
    ) -> None:
        if "text/html" not in response.headers.get("content-type", ""):
            return
        if response.status_code == 200 and url not in self.visited:
            self.visited.append(url)
        self.check_page(url, response.text)
        doc = lxml_html.fromstring(response.text)
        on_this_page: set[str] = set()
        for href in doc.xpath("//a/@href"):
            target = self._same_origin(url, str(href))
            if target and not follow_all and pattern_of(target) in on_this_page:
                continue  # one row of a list stands for the others: the next is from another list
            if target:
                on_this_page.add(pattern_of(target))
                # Links on pages drawn after a POST (form error, conflict) are always followed once.
                self._enqueue(
                    target, force=follow_all and pattern_of(target) not in self._followed_after_post
                )
                if follow_all:
                    self._followed_after_post.add(pattern_of(target))
        if follow_forms:
            for form in doc.xpath("//form"):
                self._submit_all(url, form)

    @property
    def _followed_after_post(self) -> set[str]:
        if not hasattr(self, "_after_post"):
            self._after_post: set[str] = set()
        return self._after_post

    def _same_origin(self, page_url: str, href: str) -> str | None:
        if href.startswith(("mailto:", "tel:", "#", "javascript:")):
            return None
        absolute = urljoin(f"{self.client.base_url}{page_url}", href)
        parts = urlsplit(absolute)
        base = urlsplit(str(self.client.base_url))
        if parts.netloc != base.netloc:
            return None
        if any(p.search(parts.path) for p in SKIP_LINKS):
            return None
        # The language switch is followed in the crawl's own language (its target path is what
        # matters; switching would turn the rest of the crawl into the other language).
        query = re.sub(r"(^|&)lang=\w*", rf"\1lang={self.lang}", parts.query)
        return parts.path + (f"?{query}" if query else "")

    # -- forms ---------------------------------------------------------------------------------
    def _submit_all(self, page_url: str, form: lxml_html.FormElement) -> None:
        action = self._same_origin(page_url, form.get("action") or page_url) or page_url
        method = (form.get("method") or "get").upper()
        if any(p.search(urlsplit(action).path) for p in NEVER):
            return
        names = tuple(sorted({str(e.get("name")) for e in form.xpath(".//*[@name]")}))
        key = (method, pattern_of(urlsplit(action).path), *names)
        if key in self._forms:
            return
        self._forms.add(key)
        for kind in ("plausible", "garbage"):
            if kind == "plausible" and urlsplit(action).path == "/account/password":
                continue  # a right current password would change the demo account's password
            data, files = self._fill(form, garbage=kind == "garbage")
            if method == "GET":
                target = urlsplit(action).path + "?" + urlencode(data)
                response = self._request("GET", target)
            else:
                response = self._request("POST", action, data=dict(data), files=files or None)
            if response is None:
                return
            self._take(action, response, follow_forms=False, follow_all=True)
            if kind == "plausible" and method == "POST" and any(n == "version" for n, _ in data):
                # The same form again, with the version it was drawn with: a conflict page.
                again = self._request("POST", action, data=dict(data), files=files or None)
                if again is not None:
                    self._take(action, again, follow_forms=False, follow_all=True)

    def _fill(
        self, form: lxml_html.FormElement, *, garbage: bool
    ) -> tuple[list[tuple[str, str]], dict[str, tuple[str, bytes, str]]]:
        self._serial += 1
        n = self._serial
        data: list[tuple[str, str]] = []
        files: dict[str, tuple[str, bytes, str]] = {}
        submit_done = False
        for element in form.xpath(".//input|.//select|.//textarea|.//button"):
            name = element.get("name")
            tag = element.tag
            kind = (element.get("type") or ("submit" if tag == "button" else "text")).lower()
            if tag == "button" or kind == "submit":
                if name and not submit_done:
                    data.append((name, element.get("value") or ""))
                    submit_done = True
                continue
            if not name:
                continue
            if kind == "hidden":
                data.append((name, element.get("value") or ""))
            elif kind == "file":
                files[name] = (
                    ("setup.exe", b"MZ\x90\x00garbage", "application/x-msdownload")
                    if garbage
                    else ("e2e-note.txt", b"Notiz aus dem End-to-end-Test\n", "text/plain")
                )
            elif kind == "checkbox":
                data.append((name, element.get("value") or "on"))
            elif tag == "select":
                options = [str(v) for v in element.xpath(".//option/@value")]
                chosen = [v for v in options if v]
                if garbage:
                    data.append((name, "999999999"))
                elif chosen:
                    data.append(
                        (name, chosen[min(1, len(chosen) - 1)] if name.endswith("action") else chosen[0])
                    )
                else:
                    data.append((name, ""))
            else:
                data.append((name, self._value(name, kind, garbage, n)))
        return data, files

    def _value(self, name: str, kind: str, garbage: bool, n: int) -> str:
        if garbage:
            return {
                "date": "31.02.20x6",
                "datetime-local": "morgen früh",
                "number": "-1e999",
                "email": "keine adresse",
                "password": "x",
            }.get(
                kind,
                "<b>9\u00a0999,99,9</b> ' & ü" if "quantity" in name or "price" in name else "<i>x</i> & ü",
            )
        if kind == "date":
            return (self.today + timedelta(days=7)).isoformat()
        if kind == "datetime-local":
            start = self.today + timedelta(days=2)
            return f"{start.isoformat()}T{'11' if name == 'ends_at' else '10'}:00"
        if kind == "email":
            return f"e2e.{n}@example.test"
        if kind == "password":
            return "E2e-password-0123456789"
        if kind == "number" or "quantity" in name or name in ("packages", "expires_in_days"):
            return "2"
        if kind == "search" or name == "q":
            return "a"
        return f"E2E {n} Prüfung"

    # -- checks --------------------------------------------------------------------------------
    def _problem(self, kind: str, url: str, detail: str) -> None:
        self.problems.append(Problem(kind, url, detail))

    def check_page(self, url: str, page: str) -> None:
        for match in ESCAPED_ATTRIBUTE.finditer(page):
            self._problem("escaped-attribute", url, match.group(0)[-80:])
        doc = lxml_html.fromstring(page)
        for bad in doc.xpath("//script|//style|//code|//pre|//textarea|//input"):
            bad.drop_tree() if bad.getparent() is not None else None
        for node_text in doc.xpath("//body//text()"):
            text = str(node_text).strip()
            if not text:
                continue
            without_mail = re.sub(r"\S+@\S+|\S+://\S+", " ", text)
            for key in RAW_KEY.findall(without_mail):
                self._problem("raw-key", url, f"{key!r} in {text[:80]!r}")
            if text in self._catalog:
                self._problem("english", url, repr(text[:80]))
        for cell in doc.xpath(f"//td[@data-label={_xpath_literal(self._roles_label)}]"):
            shown = cell.text_content().strip()
            if shown in ROLE_KEYS or ("," in shown and set(map(str.strip, shown.split(","))) <= ROLE_KEYS):
                self._problem("raw-key", url, f"role shown as {shown!r}")
        if self.lang == "de":
            for element in doc.xpath(CHROME):
                text = " ".join(element.text_content().split())
                words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
                english = sorted(words & ENGLISH_WORDS)
                if len(english) >= 1 and not _is_data(element):
                    self._problem("english", url, f"{english} in {text[:100]!r}")


def _is_data(element: lxml_html.HtmlElement) -> bool:
    """Labels that carry data (an article name in a ship-form label) are not UI text."""
    return element.tag == "a" and element.get("hreflang") is not None


def _xpath_literal(value: str) -> str:
    return f'"{value}"' if '"' not in value else f"'{value}'"
