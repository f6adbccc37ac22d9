"""The calendar feed: the user's settings page (make, renew, revoke the secret address) and the
feed itself at ``/calendar/<token>.ics`` (no login: the secret in the address is the credential,
as calendar programs cannot log in). What the feed holds: `portal.tasks.calendar`."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal.access import get_visible
from portal.access import permissions as may
from portal.db import unit_of_work
from portal.errors import InvalidInput, NotFound
from portal.models import User
from portal.models.base import utcnow
from portal.tasks import calendar
from portal.web.core import Ctx, Web
from portal.web.i18n import LOCALES, TIMEZONE


class CalendarViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def settings(self, ctx: Ctx) -> Response:
        """GET: whether the user has an address; POST ``action=renew``: a new one, shown once
        (the old one stops working); ``action=revoke``: none."""
        may.require(ctx.principal, may.can_use_calendar_feed(ctx.principal), "have a calendar feed")
        address = None
        if ctx.request.method == "POST":
            action = ctx.form.text("action")
            if action == "renew":
                token = calendar.renew_feed(uow=ctx.uow, principal=ctx.principal)
                address = f"{self._base(ctx.request)}/calendar/{token}.ics"
            elif action == "revoke":
                calendar.revoke_feed(uow=ctx.uow, principal=ctx.principal)
                return ctx.redirect("/account/calendar", ctx._("The calendar address no longer works."))
            else:
                raise InvalidInput("action", "unknown value")
        feed = calendar.feed_of(ctx.db, ctx.principal)
        response = ctx.render("calendar_feed.html", feed=feed, address=address)
        response.headers["cache-control"] = "no-store"  # the address is shown once
        return response

    def _base(self, request: Request) -> str:
        return (self.web.settings.base_url or str(request.base_url)).rstrip("/")

    async def feed(self, request: Request) -> Response:
        token = str(request.path_params["token"])
        base = self._base(request)
        host = request.url.hostname or "portal"

        def read() -> bytes | None:
            with unit_of_work(self.web.sessions, read_only=True) as uow:
                try:
                    principal = calendar.feed_principal(uow.session, token)
                    assert principal.user_id is not None
                    user = get_visible(uow.session, principal, User, principal.user_id)
                except NotFound:
                    return None
                locale = user.locale if user.locale in LOCALES else "de"
                how = calendar.Presentation(
                    gettext=self.web.translations[locale].ugettext,
                    base_url=base,
                    host=host,
                    owner_name=user.name,
                )
                return calendar.render_feed(uow.session, principal, now=utcnow(), zone=TIMEZONE, how=how)

        body = await run_in_threadpool(read)
        if body is None:
            return PlainTextResponse("Not found", status_code=404, headers={"cache-control": "no-store"})
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={
                "cache-control": "private, no-cache",
                "content-disposition": 'inline; filename="portal.ics"',
                "x-robots-tag": "noindex",
            },
        )
