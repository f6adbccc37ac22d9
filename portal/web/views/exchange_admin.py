"""Owner admins manage the exchange profiles: which partner sends and receives files, how and where."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.exchange.profiles import OUTBOUND_FORMATS, TRANSPORTS, create_profile, list_profiles
from portal.models import OrgKind
from portal.partners import service as partners
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors

SFTP_FIELDS = ("host", "username", "key_file", "known_hosts")


class ExchangeAdminViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def profiles(self, ctx: Ctx) -> Response:
        may.require(
            ctx.principal,
            may.can_manage_exchange_profiles(ctx.principal),
            "manage exchange profiles",
            only="the owner's admins",
        )
        if ctx.request.method == "GET":
            defaults = {
                "transport": "folder",
                "format": "edifact",
                "port": "22",
                "invalid_einvoices": "reject",
            }
            return self._page(ctx, FormErrors(), defaults)

        def add() -> Response:
            form = ctx.form
            transport = form.text("transport")
            settings: dict[str, Any] = (
                {"root": form.text("root")}
                if transport == "folder"
                else {
                    "host": form.text("host"),
                    "port": form.integer("port") or 22,
                    "username": form.text("username"),
                    "key_file": form.text("key_file"),
                    "known_hosts": form.text("known_hosts"),
                }
            )
            try:
                create_profile(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    organization_id=form.integer("organization_id") or 0,
                    transport=transport,
                    settings=settings,
                    partner_id=form.text("partner_id"),
                    our_id=form.text("our_id"),
                    format=form.text("format"),
                    invalid_einvoices=form.text("invalid_einvoices") or "reject",
                )
            except InvalidInput as exc:  # "settings.root" is the form's "root"
                raise InvalidInput(exc.field.removeprefix("settings."), exc.detail) from exc
            return ctx.redirect("/admin/exchange", ctx._("The exchange profile has been created."))

        return ctx.attempt(add, lambda errors: self._page(ctx, errors, ctx.form.values()))

    def _page(self, ctx: Ctx, errors: FormErrors, values: dict[str, str]) -> Response:
        orgs = partners.list_organizations(ctx.db, ctx.principal)
        return ctx.render(
            "admin_exchange.html",
            status_code=400 if errors else 200,
            profiles=list_profiles(ctx.db, ctx.principal),
            org_names={o.id: o.name for o in orgs},
            partners=[(o.id, o.name) for o in orgs if o.kind is not OrgKind.OWNER],
            transports=[(t, t) for t in TRANSPORTS],
            formats=[(f, f) for f in OUTBOUND_FORMATS],
            einvoice_policies=[
                ("reject", ctx._("Reject them and tell the partner which rules they break")),
                ("accept", ctx._("Accept them and show the findings")),
            ],
            errors=errors,
            values=values,
        )
