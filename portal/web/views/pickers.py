"""Pickers: choose a customer, product or organization out of thousands by typing.

A picker is a search box beside a ``<select>``. Without JavaScript the search box's button
re-renders the form (everything typed is kept) with the matching options; with JavaScript
(static/portal.js) the options follow the typing through ``GET /pick/{kind}?q=``, which answers
JSON. Both read through the domain's list function, so a picker offers exactly what its user may
see; an id the user may not see is never offered, not even as the pre-selected value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from portal.access import Principal, load_by_ids
from portal.customers.queries import CustomerQuery, list_customers
from portal.models import Customer, Organization, OrgKind, Product
from portal.partners.queries import OrganizationQuery, ProductQuery, list_organizations, list_products
from portal.reading import Page, PageRequest
from portal.reading.search import is_too_short
from portal.web.core import Ctx, Web

PICK_LIMIT = 30
PICK_BUTTON = "pick"  # the name of every picker's search button (its value: the field)


@dataclass(frozen=True, slots=True)
class Option:
    id: int
    label: str
    price: Decimal | None = None  # products: the catalogue price, net


@dataclass(frozen=True, slots=True)
class Kind:
    search: Callable[[Session, Principal, str | None, int], Page[Any]]
    model: type[Any]
    option: Callable[[Any], Option]


def _customers(db: Session, p: Principal, q: str | None, n: int) -> Page[Any]:
    return list_customers(db, p, CustomerQuery(search=q), page=PageRequest(first=n))


def _products(db: Session, p: Principal, q: str | None, n: int) -> Page[Any]:
    return list_products(db, p, ProductQuery(search=q), page=PageRequest(first=n))


def _suppliers(db: Session, p: Principal, q: str | None, n: int) -> Page[Any]:
    kinds = frozenset({OrgKind.SUPPLIER})
    return list_organizations(db, p, OrganizationQuery(kinds=kinds, search=q), page=PageRequest(first=n))


def _route_targets(db: Session, p: Principal, q: str | None, n: int) -> Page[Any]:
    kinds = frozenset({OrgKind.PARTNER, OrgKind.DEALER, OrgKind.SUPPLIER})
    return list_organizations(db, p, OrganizationQuery(kinds=kinds, search=q), page=PageRequest(first=n))


def _dealers(db: Session, p: Principal, q: str | None, n: int) -> Page[Any]:
    kinds = frozenset({OrgKind.DEALER, OrgKind.PARTNER})
    return list_organizations(db, p, OrganizationQuery(kinds=kinds, search=q), page=PageRequest(first=n))


KINDS: dict[str, Kind] = {
    "customers": Kind(_customers, Customer, lambda c: Option(c.id, f"{c.name} ({c.number})")),
    "products": Kind(_products, Product, lambda p: Option(p.id, f"{p.sku} · {p.name}", p.price)),
    "suppliers": Kind(_suppliers, Organization, lambda o: Option(o.id, o.name)),
    "organizations": Kind(_route_targets, Organization, lambda o: Option(o.id, o.name)),  # route a case
    "dealers": Kind(_dealers, Organization, lambda o: Option(o.id, o.name)),  # who sells an opportunity
}
# Who may use which picker (the forms that show it): suppliers never see the customer master.
_ALLOWED: dict[str, Callable[[Principal], bool]] = {
    "customers": lambda p: not p.is_supplier,
    "products": lambda p: not p.is_supplier,
    "suppliers": lambda p: p.is_owner,
    "organizations": lambda p: p.is_owner,
    "dealers": lambda p: p.is_owner,
}


@dataclass(frozen=True, slots=True)
class Picker:
    """What the ``picker`` macro draws: the options matching ``query``, the chosen one first."""

    kind: str
    field: str
    query: str
    selected: str
    options: tuple[Option, ...]
    more: bool  # more matches than shown: type more
    too_short: bool = False  # the search text is shorter than a trigram: not searched


def search(
    db: Session, p: Principal, kind: str, query: str | None, *, limit: int = PICK_LIMIT
) -> tuple[list[Option], bool]:
    spec = KINDS[kind]
    text = (query or "").strip()[:100]
    page = spec.search(db, p, None if is_too_short(text) else text or None, limit)
    return [spec.option(item) for item in page.items], page.has_next_page


Searches = dict[tuple[str, str], tuple[list[Option], bool]]


def picker(
    db: Session,
    p: Principal,
    kind: str,
    field: str,
    values: dict[str, str],
    *,
    searches: Searches | None = None,
) -> Picker:
    """The picker for form field ``field``: matches of what was typed into ``{field}-q``, and the
    chosen value (from ``values``) kept even when it is not among the matches. Pickers of one
    form share ``searches``, so forty order lines cost one query per distinct search text."""
    query = values.get(f"{field}-q", "").strip()
    if searches is None:
        searches = {}
    if (kind, query) not in searches:
        searches[kind, query] = search(db, p, kind, query)
    matches, more = searches[kind, query]
    found = list(matches)
    selected = values.get(field, "").strip()
    ids = {o.id for o in found}
    if selected.isdigit() and int(selected) not in ids:
        chosen = load_by_ids(db, p, KINDS[kind].model, [int(selected)]).get(int(selected))
        if chosen is None:
            selected = ""  # not visible: offered like a missing one, i.e. not at all
        else:
            found.insert(0, KINDS[kind].option(chosen))
    elif not selected.isdigit():
        selected = ""
    if query and not selected and found:
        selected = str(found[0].id)  # searched and found: the best match is pre-selected
    return Picker(kind, field, query, selected, tuple(found), more, is_too_short(query))


def is_search(ctx: Ctx) -> bool:
    """Whether a POST is a picker's search button (re-render), not the form's own submit."""
    return bool(ctx.form.text(PICK_BUTTON))


class PickerViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def pick(self, ctx: Ctx) -> Response:
        """``GET /pick/{kind}?q=``: matching options as JSON, for the picker script."""
        kind = ctx.request.path_params["kind"]
        if kind not in KINDS or not _ALLOWED[kind](ctx.principal):
            return JSONResponse({"error": "not found"}, status_code=404)
        found, more = search(ctx.db, ctx.principal, kind, ctx.request.query_params.get("q"))
        items = [
            {"id": o.id, "label": o.label, **({"price": str(o.price)} if o.price is not None else {})}
            for o in found
        ]
        return JSONResponse({"items": items, "more": more}, headers={"cache-control": "no-store"})
