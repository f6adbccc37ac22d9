"""The request cycle of every portal page: session -> principal -> one unit of work -> template.

Domain errors become responses here and only here: NotFound (also for objects the principal may
not see) -> 404; PermissionDenied -> 403; InvalidInput, Conflict and InvalidState inside a form
action -> the form again, with the messages next to its fields and the values the user typed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Match
from starlette.types import Message

from portal.access import Principal, permissions
from portal.auth import session_principal
from portal.config import Settings
from portal.db import UnitOfWork, unit_of_work
from portal.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied, PortalError
from portal.models import OrgKind
from portal.notify import service as inbox
from portal.notify.queries import unread_count
from portal.notify.rules import object_at
from portal.partners import service as partners
from portal.partners.logins import LoginThrottle
from portal.web import einvoices
from portal.web.admission import Admission
from portal.web.attrs import attributes
from portal.web.forms import Form, FormErrors, errors_from, local_input
from portal.web.i18n import LOCALES, Formatter, cached_gettext, compile_catalogs, load_translations
from portal.web.sessions import (
    SessionData,
    csrf_matches,
    locale_of,
    origin_allowed,
    session_of,
)
from portal.web.shells import Hole, ShellCache

TEMPLATES = Path(__file__).parent / "templates"
MAX_FORM_BYTES = 64 * 1024
log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class Ctx:
    """What a page handler gets: the request, its unit of work, who is asking, the submitted form."""

    web: Web
    request: Request
    uow: UnitOfWork
    principal: Principal
    user_id: int
    session: SessionData
    form: Form
    locale: str

    @property
    def db(self) -> Session:
        return self.uow.session

    def _(self, message: str, **variables: Any) -> str:
        text: str = self.web.translations[self.locale].ugettext(message)
        return text % variables if variables else text

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        return self.web.render(
            self.request,
            template,
            status_code=status_code,
            principal=self.principal,
            unread=unread_count(self.db, self.principal),
            **context,
        )

    def render_shell(
        self,
        template: str,
        *,
        key: Hashable,
        holes: tuple[Hole, ...],
        values: Mapping[str, str],
        cursor_params: tuple[str, ...] = (),
        **context: Any,
    ) -> HTMLResponse:
        """`Web.render_shell` for this user: the principal is part of the key."""
        return self.web.render_shell(
            self.request,
            template,
            key=(self.principal, key),
            holes=(*holes, Hole("unread")),
            values={**values, "unread": str(unread_count(self.db, self.principal))},
            cursor_params=cursor_params,
            principal=self.principal,
            unread=Hole("unread"),
            **context,
        )

    def redirect(self, url: str, flash: str | None = None) -> RedirectResponse:
        if flash:
            self.session.set_flash(flash)
        return RedirectResponse(url, status_code=303)

    def attempt(self, action: Callable[[], Response], rerender: Callable[[FormErrors], Response]) -> Response:
        """Run a form action; on a domain error roll the unit of work back and show the form again."""
        try:
            return action()
        except (InvalidInput, Conflict, InvalidState, PermissionDenied) as exc:
            self.uow.session.rollback()
            errors = errors_from(exc, self._, self.locale)
            response = rerender(errors)
            response.status_code = 409 if isinstance(exc, Conflict) else 400
            if isinstance(exc, PermissionDenied):
                response.status_code = 403
            return response


@dataclass
class Web:
    settings: Settings
    sessions: sessionmaker[Session]
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    envs: dict[str, Environment] = field(default_factory=dict)
    translations: dict[str, Any] = field(default_factory=dict)
    shells: ShellCache = field(default_factory=ShellCache)
    admission: Admission = field(default_factory=lambda: Admission(slots=1))

    def __post_init__(self) -> None:
        envs, translations = _environments(self.settings.debug)
        self.envs.update(envs)
        self.translations.update(translations)
        self.shells.enabled = not self.settings.debug  # templates reload in debug: so must shells

    # -- rendering ---------------------------------------------------------------------------
    def render(
        self, request: Request, template: str, *, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        session = session_of(request)
        html = self._draw(
            request,
            template,
            csrf=session.csrf,
            flash=session.pop_flash(),
            query=_query_helper(request),
            here=_here(request),
            **context,
        )
        return HTMLResponse(html, status_code=status_code)

    def _draw(self, request: Request, template: str, **context: Any) -> str:
        """The template in the request's language, with what every page reads."""
        context.setdefault("principal", None)
        context.setdefault("user", None)
        context.setdefault("errors", FormErrors())
        context.setdefault("values", {})
        return (
            self.envs[locale_of(request)]
            .get_template(template)
            .render(request=request, path=page_path(request), **context)
        )

    def render_shell(
        self,
        request: Request,
        template: str,
        *,
        key: Hashable,
        holes: tuple[Hole, ...],
        values: Mapping[str, str],
        cursor_params: tuple[str, ...] = (),
        **context: Any,
    ) -> HTMLResponse:
        """Render ``template`` from a cached shell (see `portal.web.shells`): the CSRF token, the
        flash message, the language links' query and ``holes`` are filled per request with
        ``values``. ``key`` must name every input of ``context`` that is not a hole; the locale,
        the URL and whether a flash message shows are added here.

        ``cursor_params`` (a list's ``after`` and ``before``) are left out of the key and of the
        template's ``query()`` helper, so one shell serves every page of a list: the template must
        print them only through holes (the pager's cursors)."""
        locale = locale_of(request)
        session = session_of(request)
        flash = session.pop_flash()
        own = (Hole("csrf"), Hole("flash"), Hole("here"))
        filled = {"csrf": session.csrf, "flash": flash or "", "here": _here(request), **values}

        def draw() -> str:
            return self._draw(
                request,
                template,
                csrf=own[0],
                flash=own[1] if flash else None,
                query=_query_helper(request, drop=cursor_params),
                here=own[2],
                **context,
            )

        kept = [
            (name, value) for name, value in request.query_params.multi_items() if name not in cursor_params
        ]
        full_key = (template, locale, request.url.path, tuple(kept), bool(flash), key)
        return HTMLResponse(self.shells.page(full_key, own + holes, draw, filled))

    def error_page(self, request: Request, status_code: int, principal: Principal | None = None) -> Response:
        return self.render(
            request, "error.html", status_code=status_code, status=status_code, principal=principal
        )

    # -- the request cycle -------------------------------------------------------------------
    def sales_page(self, handler: Callable[[Ctx], Response], **options: Any) -> Endpoint:
        """:meth:`page` for the sales area: missing (404) to whom may not reach it (suppliers)."""

        def guarded(ctx: Ctx) -> Response:
            if not permissions.can_see_sales(ctx.principal):
                return self.error_page(ctx.request, 404, ctx.principal)
            return handler(ctx)

        return self.page(guarded, **options)

    def page(
        self,
        handler: Callable[[Ctx], Response],
        *,
        max_bytes: int = MAX_FORM_BYTES,
        too_large: Callable[[Ctx], Response] | None = None,
    ) -> Endpoint:
        """Wrap a handler: logged-in users only; POSTs need the CSRF token and a same-origin request.

        The handler runs in the thread pool (capped in `portal.app`), never on the event loop:
        however cheap a page usually is, a database that is slow for one user (a deep page, a
        missing index, a lock) must not stall every other request of the process
        (docs/portal.md, "Request cycle"). Every GET runs in a read-only unit of work.

        A POST over ``max_bytes`` is not parsed: its body is read and dropped (a browser that is
        still sending would otherwise see a reset connection instead of the answer), and
        ``too_large`` draws the answer (the page of the form, with the error at its field) in a
        read-only unit of work; without ``too_large`` the answer is the bare 413 page.
        """

        async def endpoint(request: Request) -> Response:
            session = session_of(request)
            form: FormData | None = None
            if session.uid is None:
                if request.method != "GET":
                    return self.error_page(request, 403)
                target = urlencode(
                    {"next": request.url.path + (f"?{request.url.query}" if request.url.query else "")}
                )
                return RedirectResponse(f"/login?{target}", status_code=303)
            if request.method == "POST":
                # Before a byte of the body is read: a same-origin request from a session that is
                # still valid (not logged out, same generation, active user). The CSRF token comes
                # with the body, which is read only up to ``max_bytes``.
                if not origin_allowed(request):
                    return unread(self.error_page(request, 403))
                if not await run_in_threadpool(self._session_valid, session):
                    return unread(RedirectResponse("/login", status_code=303))
                length = request.headers.get("content-length")
                if length is not None and length.isdigit() and int(length) > max_bytes:
                    if too_large is None:
                        return unread(self.error_page(request, 413))
                    await _drain(request, int(length))
                    response = await run_in_threadpool(
                        self._run, too_large, request, session, None, read_only=True
                    )
                    response.status_code = 413
                    return response
                try:
                    form = await read_form(request, max_bytes=max_bytes, max_files=4, max_fields=500)
                except BodyTooLarge:
                    return unread(self.error_page(request, 413))
                token = form.get("csrf")
                if not csrf_matches(session, token if isinstance(token, str) else None):
                    await form.close()
                    return self.error_page(request, 403)
            if request.method == "GET":
                chosen = request.query_params.get("lang")
                opened = object_at(request.url.path)
                if chosen in LOCALES or opened is not None:
                    # The reader's own bookkeeping, written before the (read-only) page is drawn,
                    # so its bell counts what is left: the header's Deutsch/English becomes the
                    # user's language, which mails follow; opening an object reads the user's
                    # notifications about it.
                    await run_in_threadpool(
                        self._reader_bookkeeping, session, str(chosen) if chosen in LOCALES else None, opened
                    )
            try:
                read_only = request.method == "GET"  # a GET never changes data
                async with self.admission.turn():  # one handler at a time while they are quick
                    return await run_in_threadpool(
                        self._run, handler, request, session, form, read_only=read_only
                    )
            finally:
                if form is not None:
                    await form.close()

        return endpoint

    def _reader_bookkeeping(
        self, session: SessionData, locale: str | None, opened: tuple[str, int] | None
    ) -> None:
        with unit_of_work(self.sessions) as uow:
            principal = session_principal(uow.session, session)
            if principal is None or principal.user_id is None:
                return
            if locale is not None:
                partners.set_own_language(uow=uow, principal=principal, locale=locale)
            if opened is not None:
                inbox.mark_read_on_opening(uow, principal, *opened)

    def _session_valid(self, session: SessionData) -> bool:
        """Whether the signed session still stands (read-only); an invalid one is cleared."""
        with unit_of_work(self.sessions, read_only=True) as uow:
            if session_principal(uow.session, session) is not None:
                return True
        session.uid = None
        session.clear = True
        session.dirty = False
        return False

    def _run(
        self,
        handler: Callable[[Ctx], Response],
        request: Request,
        session: SessionData,
        form: FormData | None,
        *,
        read_only: bool = False,
    ) -> Response:
        with unit_of_work(self.sessions, read_only=read_only) as uow:
            principal = session_principal(uow.session, session)
            if principal is None or principal.user_id is None:
                session.uid = None
                session.clear = True
                session.dirty = False
                return RedirectResponse("/login", status_code=303)
            ctx = Ctx(
                self, request, uow, principal, principal.user_id, session, Form(form), locale_of(request)
            )
            try:
                return handler(ctx)
            except NotFound:
                uow.session.rollback()
                return self.error_page(request, 404, principal)
            except PermissionDenied:
                uow.session.rollback()
                return self.error_page(request, 403, principal)
            except InvalidInput as exc:  # bad query parameters (a cursor, a filter value)
                uow.session.rollback()
                log.info("bad request: %s", exc)
                return self.error_page(request, 400, principal)
            except PortalError:
                uow.session.rollback()
                return self.error_page(request, 409, principal)


FAVICON = Path(__file__).parent / "static" / "favicon.svg"


async def favicon(request: Request) -> Response:
    """``/favicon.ico`` (browsers ask for it on every first visit): the portal's SVG icon, cached
    for a day."""
    return Response(
        FAVICON.read_bytes(),
        media_type="image/svg+xml",
        headers={"cache-control": "public, max-age=86400"},
    )


DRAIN_LIMIT = 256 * 1024 * 1024


def unread(response: Response) -> Response:
    """An answer given before the request body was read (or all of it): the connection closes
    after it, so the server does not go on to read and drop what the client still sends."""
    response.headers["connection"] = "close"
    return response


class BodyTooLarge(Exception):
    """A request body went over its limit while it was being read."""


async def read_form(
    request: Request, *, max_bytes: int, max_files: int = 0, max_fields: int = 100
) -> FormData:
    """The request's form, reading at most ``max_bytes`` of its body, however it is sent: the
    count is kept while reading (a chunked body has no Content-Length to trust), and at the
    first byte over the limit reading stops with `BodyTooLarge` (files spooled so far are closed
    and deleted). So nothing beyond the limit reaches memory or the temporary folder."""
    receive = request.receive
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                raise BodyTooLarge(f"the request body is over {max_bytes} bytes")
        return message

    return await Request(request.scope, capped).form(max_files=max_files, max_fields=max_fields)


async def _drain(request: Request, length: int) -> None:
    """Read and drop a refused request body (up to DRAIN_LIMIT; beyond that the connection is
    left to close), so that the browser gets to read the answer."""
    if length > DRAIN_LIMIT:
        return
    async for _chunk in request.stream():
        pass


_ENVIRONMENTS: dict[bool, tuple[dict[str, Environment], dict[str, Any]]] = {}


def _environments(debug: bool) -> tuple[dict[str, Environment], dict[str, Any]]:
    """One jinja2 environment per locale, built once per process (compiled templates are cached
    in it; several apps in one process, as in tests, share them)."""
    if debug in _ENVIRONMENTS:
        return _ENVIRONMENTS[debug]
    try:
        compile_catalogs()
    except OSError:  # a read-only install: load_translations compiles in memory
        log.warning("could not compile message catalogs", exc_info=True)
    envs: dict[str, Environment] = {}
    translations: dict[str, Any] = {}
    for locale in LOCALES:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html", "svg"]),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            auto_reload=debug,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        catalog = load_translations(locale)
        env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
        gettext = cached_gettext(catalog)  # every template is autoescaped (html, svg)
        env.globals.update(gettext=gettext, _=gettext)
        fmt = Formatter(locale)
        env.filters.update(
            datetime=fmt.datetime,
            short_datetime=fmt.short_datetime,
            minutes=fmt.minutes,
            time=fmt.time,
            date=fmt.date,
            number=fmt.number,
            money=fmt.money,
            price=fmt.price,
            file_size=fmt.file_size,
            local_input=local_input,
            # why an exchange file was refused, and a finding, in the reader's language (#17)
            refusal=functools.partial(einvoices.refusal_text, gettext=gettext, locale=locale),
            finding=functools.partial(einvoices.finding_text, gettext=gettext),
        )
        env.globals.update(
            locale=locale,
            locales=LOCALES,
            OrgKind=OrgKind,
            attributes=attributes,
            may=permissions,
            einvoice=einvoices,
        )
        envs[locale] = env
        translations[locale] = catalog
    _ENVIRONMENTS[debug] = (envs, translations)
    return envs, translations


def page_path(request: Request) -> str:
    """The GET address of the page being drawn: the request's path for a GET; for a form's POST
    (a page drawn again after a form error or a conflict) the nearest path above it that a GET
    route serves (``/cases/5/comments`` -> ``/cases/5``), so that the language links and "Reload
    the current version" never lead to a POST-only address (405)."""
    path = request.url.path
    if request.method in ("GET", "HEAD"):
        return path
    routes = getattr(getattr(request.app, "router", None), "routes", [])
    candidate = path
    while candidate:
        scope = {"type": "http", "method": "GET", "path": candidate, "root_path": ""}
        for route in routes:
            match, _child = route.matches(scope)
            if match is Match.FULL:
                return candidate
        candidate = candidate.rsplit("/", 1)[0]
    return "/"


def _here(request: Request) -> str:
    """This page's address without ``lang``, ready for one more parameter (``/x?`` or ``/x?a=1&``).
    After a POST the address is the page's GET address (`page_path`) without the query."""
    if request.method not in ("GET", "HEAD"):
        return page_path(request) + "?"
    base = _query_helper(request)(lang=None)
    return base if base == "?" else base + "&"


def _query_helper(request: Request, *, drop: tuple[str, ...] = ()) -> Callable[..., str]:
    """``query(sort="number", after=None)``: this page's query string with some values replaced
    (and the parameters in ``drop`` left out)."""

    def query(**changes: Any) -> str:
        params = {name: value for name, value in request.query_params.items() if name not in drop}
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        params.pop("lang", None)
        return "?" + urlencode(params) if params else "?"

    return query
