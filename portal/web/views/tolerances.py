"""Owner admins agree each supplier's tolerance (issue #17): the answers that hold without the
buyer's review (`portal.orders.review.set_tolerance`)."""

from __future__ import annotations

from decimal import Decimal

from starlette.responses import Response

from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.models import OrgKind
from portal.orders import review
from portal.partners.queries import OrganizationQuery, list_organizations
from portal.reading import PageRequest
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors, number_input

PAGE_ROWS = 50  # suppliers per page (then: next page)


class ToleranceViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def page(self, ctx: Ctx) -> Response:
        may.require(
            ctx.principal,
            may.can_manage_tolerances(ctx.principal),
            "agree supplier tolerances",
            only="owner admins",
        )
        if ctx.request.method == "GET":
            return self._page(ctx, FormErrors(), None)

        def save() -> Response:
            organization_id = ctx.form.integer("organization_id")
            if organization_id is None:
                raise InvalidInput("organization", "choose a supplier")
            ctx.form.validate(
                lambda: self._days(ctx),
                lambda: self._percent(ctx),
            )
            review.set_tolerance(
                uow=ctx.uow,
                principal=ctx.principal,
                organization_id=organization_id,
                days=self._days(ctx),
                quantity_percent=self._percent(ctx),
            )
            return ctx.redirect("/admin/tolerances", ctx._("The tolerance has been saved."))

        return ctx.attempt(save, lambda errors: self._page(ctx, errors, ctx.form.integer("organization_id")))

    @staticmethod
    def _days(ctx: Ctx) -> int:
        days = ctx.form.integer("tolerance_days", required=True)
        assert days is not None
        return days

    @staticmethod
    def _percent(ctx: Ctx) -> Decimal:
        percent = ctx.form.decimal("tolerance_quantity_percent", locale=ctx.locale, required=True)
        assert percent is not None
        return percent

    def _page(self, ctx: Ctx, errors: FormErrors, failed: int | None) -> Response:
        suppliers = list_organizations(
            ctx.db,
            ctx.principal,
            OrganizationQuery(kinds=frozenset({OrgKind.SUPPLIER})),
            page=PageRequest(first=PAGE_ROWS, after=ctx.request.query_params.get("after") or None),
        )
        return ctx.render(
            "admin_tolerances.html",
            status_code=400 if errors else 200,
            suppliers=suppliers.items,
            more=suppliers.end_cursor if suppliers.has_next_page else None,
            errors=errors,
            failed=failed,
            values=ctx.form.values() if failed is not None else {},
            number_input=number_input,
        )
