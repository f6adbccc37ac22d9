"""Prepared CSV exports (issue #15): "prepare the export" (a list too long to stream while the user
waits), "My exports", and the download of a finished one (only by the user who asked for it)."""

from __future__ import annotations

from starlette.datastructures import QueryParams
from starlette.responses import Response, StreamingResponse

from portal.errors import InvalidInput, NotFound
from portal.exports import export_download, my_exports, request_export
from portal.web.core import Ctx, Web
from portal.web.csv_dialect import DIALECTS
from portal.web.labels import N_
from portal.web.views.lists import SPECS, export_params, visible_specs

STATES = {
    "queued": N_("Queued"),
    "running": N_("Being prepared"),
    "done": N_("Ready"),
    "failed": N_("Failed"),
}


class ExportViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def mine(self, ctx: Ctx) -> Response:
        exports = my_exports(ctx.db, ctx.principal)
        titles = {name: spec.title for name, spec in SPECS.items()}
        return ctx.render("exports.html", exports=exports, titles=titles, state_labels=STATES)

    def prepare(self, ctx: Ctx) -> Response:
        """POST /exports: queue the export of a list with its filter (the form of the page that the
        CSV link of a long list shows)."""
        spec = SPECS.get(ctx.form.text("list"))
        if spec is None or spec not in visible_specs(ctx.principal):
            raise NotFound("list", ctx.form.text("list"))
        query = QueryParams(ctx.form.text("query"))
        spec.params(query)  # a filter the list refuses is refused here too (400)
        dialect = ctx.form.text("dialect")
        if dialect not in DIALECTS:
            raise InvalidInput("dialect", "unknown CSV dialect")
        request_export(
            ctx.uow, ctx.principal, spec.name, export_params(query), dialect=dialect, locale=ctx.locale
        )
        return ctx.redirect(
            "/exports", ctx._("The export is being prepared. It appears here when it is ready.")
        )

    def download(self, ctx: Ctx) -> Response:
        file = export_download(ctx.db, self.web.sessions, ctx.principal, ctx.request.path_params["export_id"])
        return StreamingResponse(
            file.chunks,
            media_type="text/csv; charset=utf-8",
            headers={
                "content-length": str(file.size),
                "content-disposition": f'attachment; filename="{file.filename}"',
                "cache-control": "private, no-store",
            },
        )
