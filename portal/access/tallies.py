"""Which dashboard tallies (:mod:`portal.models.tallies`) add up to what a principal may see.

The tallies count orders per organization and role; a principal's figures are the sum over the rows
of its organizations. That sum is what `portal.access.visible` selects as long as the access rules
of orders and invoices (`portal.access.policy`) are "the order's dealer or supplier, the invoice's
supplier, is one of the principal's organizations", and no order has both its dealer and its
supplier among them (it would be counted twice). Dealers and suppliers are of different kinds
(`portal.orders.service` routes only to suppliers, sells only through dealers and partners), so
that can only happen in an organization tree that holds both kinds: for such a principal this
returns None and `portal.stats` counts the visible rows instead. A test in tests/access checks the
sums against `visible` for every kind of principal.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from portal.access.principal import Principal
from portal.models import Organization, OrgKind
from portal.models.case_tallies import CaseTally
from portal.models.opportunity_tallies import OpportunityTally
from portal.models.tallies import ALL, ALL_ORGS, DEALER, SUPPLIER, DayTally, OrderTally

Scopes = tuple[tuple[int, str], ...]


def order_tally_scopes(session: Session, principal: Principal) -> Scopes | None:
    """The (organization, role) rows of the order tallies that count the principal's visible
    orders, or None when the rows cannot (see the module docstring)."""
    if principal.is_owner:
        return ((ALL_ORGS, ALL),)
    ids = sorted(principal.org_ids)
    if len(ids) > 1:
        kinds = set(session.scalars(select(Organization.kind).where(Organization.id.in_(ids)).distinct()))
        if OrgKind.SUPPLIER in kinds and kinds - {OrgKind.SUPPLIER}:
            return None
    return tuple((ident, role) for ident in ids for role in (DEALER, SUPPLIER))


def invoice_tally_scopes(principal: Principal) -> Scopes:
    """The (organization, role) rows of the invoice tallies that count the principal's visible
    invoices (an invoice is seen by its supplier)."""
    if principal.is_owner:
        return ((ALL_ORGS, ALL),)
    return tuple((ident, SUPPLIER) for ident in sorted(principal.org_ids))


def in_scopes(table: type[OrderTally] | type[DayTally], scopes: Scopes) -> ColumnElement[bool]:
    return or_(*(and_(table.org_id == ident, table.role == role) for ident, role in scopes))


def case_tally_rule(principal: Principal) -> ColumnElement[bool]:
    """The case tally rows that count the principal's visible cases: those of the pairs (routed to,
    opened by) with either organization among its own, as the cases' rule in
    `portal.access.policy` (each case lies in one pair: counted once, see
    :mod:`portal.models.case_tallies`)."""
    if principal.is_owner:
        return true()
    ids = sorted(principal.org_ids)
    return CaseTally.routed_to_id.in_(ids) | CaseTally.opened_by_org_id.in_(ids)


def opportunity_tally_rule(principal: Principal) -> ColumnElement[bool]:
    """The opportunity tally rows that count the principal's visible opportunities: those of its
    selling organizations, as the opportunities' rule in `portal.access.policy` (each opportunity
    has one seller: counted once)."""
    if principal.is_owner:
        return true()
    ids = sorted(principal.buyer_ids)
    return OpportunityTally.seller_id.in_(ids) if ids else false()


__all__ = [
    "Scopes",
    "case_tally_rule",
    "in_scopes",
    "invoice_tally_scopes",
    "opportunity_tally_rule",
    "order_tally_scopes",
]
