"""Who may do what: one function per action (**rule**).

Each ``can_*`` function answers for one principal (and, where it matters, the object acted on).
The service that performs the action enforces it with `require`; the web templates and the GraphQL
layer call the same function to show or hide the action, so a control is shown exactly when the
service would accept it (the object's state is checked separately by the service: InvalidState).
Seeing an object at all is the policy's business (`portal.access.policy`), not these functions'.

Cases (issue #12.10): the owner's staff run the case; external organizations take part in it. Subject
and description: the owner's staff and the opening organization. Priority (it sets the SLA deadline):
the owner's staff, and the opening organization unless the case is routed to it. Status: whoever may
write and sees the case; ``close`` only the owner's staff and the opening organization. Routing,
internal comments and attachments: the owner's staff.
"""

from __future__ import annotations

from typing import Protocol

from portal.access.principal import Principal
from portal.errors import PermissionDenied
from portal.models import CaseStatus, OrgKind

OWNER_STAFF = frozenset({"admin", "sales", "support"})
OWNER_SALES = frozenset({"admin", "sales"})


class _Routed(Protocol):
    @property
    def supplier_id(self) -> int | None: ...
    @property
    def dealer_id(self) -> int | None: ...


class CaseLike(Protocol):
    """What the case rules look at: a model ``Case`` or the API's ``Case`` object."""

    @property
    def opened_by_org_id(self) -> int: ...

    @property
    def routed_to_id(self) -> int | None: ...

    @property
    def status(self) -> CaseStatus: ...


class _Logged(Protocol):
    @property
    def organization_id(self) -> int | None: ...


def require(principal: Principal, allowed: bool, action: str, *, only: str = "") -> None:
    """Raise PermissionDenied naming ``action`` unless ``allowed`` (the answer of a ``can_*``);
    ``only`` says who may (``"admins"`` -> "only admins may add users")."""
    if allowed:
        return
    if not can_write(principal):
        raise PermissionDenied(f"your role is read-only: you may not {action}")
    if only:
        raise PermissionDenied(f"only {only} may {action}")
    raise PermissionDenied(f"your role or organization may not {action}")


def can_write(p: Principal) -> bool:
    """Any change at all: every role except the read-only viewer."""
    return p.can_write


def _owner_with(p: Principal, roles: frozenset[str]) -> bool:
    return p.is_owner and can_write(p) and bool(p.roles & roles)


# -- customers and activities ----------------------------------------------------------------
def can_create_customer(p: Principal) -> bool:
    """Create a customer: the owner's sales staff and admins, and dealers (a dealer's new customer
    is shared with the dealer's organization). Partners and suppliers do not add to the master."""
    if p.is_owner:
        return _owner_with(p, OWNER_SALES)
    return can_write(p) and p.org_kind is OrgKind.DEALER


def can_edit_customer(p: Principal) -> bool:
    """Change a customer's master data: whoever may create customers, on a customer they see (a
    dealer: the customers shared with it; the policy decides which those are)."""
    return can_create_customer(p)


def can_erase_contact(p: Principal) -> bool:
    """Erase a contact person's data on request (GDPR art. 17): owner admins only."""
    return _owner_with(p, frozenset({"admin"}))


def can_read_customer_changes(p: Principal) -> bool:
    """See who created and changed a customer and its contacts (the change log on its page): the
    owner's staff, read-only viewers too."""
    return p.is_owner


def can_share_customer(p: Principal) -> bool:
    """Share a customer with a dealer or partner, and stop sharing it."""
    return _owner_with(p, OWNER_SALES)


def can_add_contact(p: Principal) -> bool:
    return can_write(p) and not p.is_supplier


def can_log_activity(p: Principal) -> bool:
    """Log a call, meeting, note or task, or schedule an appointment, on a visible customer."""
    return can_write(p) and not p.is_supplier


def can_complete_task(p: Principal, activity: _Logged) -> bool:
    return can_write(p) and (p.is_owner or activity.organization_id in p.org_ids)


# -- tasks and calendars --------------------------------------------------------------------
def can_create_task(p: Principal) -> bool:
    """Create a task of one's own organization (assigned to oneself or a colleague): anyone who
    writes, in every kind of organization."""
    return can_write(p)


def can_change_task(p: Principal, task: _Logged) -> bool:
    """Edit, reassign, complete and reopen a task: who writes in the task's organizations (the
    owner's staff see every task but change only the owner's own)."""
    return can_write(p) and task.organization_id in p.org_ids


def can_use_calendar_feed(p: Principal) -> bool:
    """Make, renew and revoke one's own calendar address: every user (read-only viewers too: it
    only reads); an API token has no calendar."""
    return p.user_id is not None


# -- orders ----------------------------------------------------------------------------------
def can_create_order(p: Principal) -> bool:
    if p.is_owner:
        return _owner_with(p, OWNER_SALES)
    return can_write(p) and p.org_kind in (OrgKind.DEALER, OrgKind.PARTNER)


def can_set_prices(p: Principal) -> bool:
    """Give an order line a unit price other than the catalogue's: the owner's sales staff and
    admins. Everyone else orders at the catalogue price (an override is kept beside the list price)."""
    return _owner_with(p, OWNER_SALES)


def can_route_order(p: Principal) -> bool:
    return _owner_with(p, OWNER_SALES)


def can_act_as_supplier(p: Principal, order: _Routed) -> bool:
    """Answer (confirm, change, reject lines), ship and invoice an order: the supplier it is routed
    to, or an owner admin on the supplier's behalf."""
    if not can_write(p):
        return False
    if p.is_owner:
        return "admin" in p.roles
    return order.supplier_id is not None and order.supplier_id in p.org_ids


def can_upload_invoice(p: Principal, order: _Routed | None = None) -> bool:
    """Upload an e-invoice file (#17.6): a supplier's writing user; with ``order``, also an owner
    admin on the supplier's behalf (as `can_act_as_supplier`; the file is the supplier's)."""
    if order is not None:
        return can_act_as_supplier(p, order)
    return can_write(p) and p.is_supplier


def can_cancel_order(p: Principal, order: _Routed) -> bool:
    if p.is_owner:
        return _owner_with(p, OWNER_SALES)
    return can_write(p) and order.dealer_id is not None and order.dealer_id in p.org_ids


def can_change_order(p: Principal, order: _Routed) -> bool:
    """Make a new version of an order after routing (lines added, changed or cancelled; issue #17):
    whoever may cancel it, the owner's sales staff and the dealer that sold it."""
    return can_cancel_order(p, order)


def can_review_line_changes(p: Principal) -> bool:
    """Accept or reject a supplier's change of an order line that awaits the buyer's review
    (issue #17): the owner's sales staff and admins."""
    return _owner_with(p, OWNER_SALES)


def can_manage_tolerances(p: Principal) -> bool:
    """Agree a supplier's tolerance (the changes that hold without review): owner admins."""
    return _owner_with(p, frozenset({"admin"}))


def can_record_receipt(p: Principal, order: _Routed) -> bool:
    """Record a goods receipt of an order (issue #17.3): the receiving side, i.e. the owner's staff,
    and the dealer that sold the order (goods are delivered to the buyer; it sees the order's ship
    notices already). Never the supplier: it ships, the other side counts."""
    if not can_write(p):
        return False
    if p.is_owner:
        return bool(p.roles & OWNER_STAFF)
    return order.dealer_id is not None and order.dealer_id in p.buyer_ids


# -- invoices (issue #17.4, 17.5) ------------------------------------------------------------
class _Billed(Protocol):
    @property
    def supplier_id(self) -> int: ...


def can_review_invoice(p: Principal) -> bool:
    """Approve, dispute or reject a supplier invoice and schedule its payment: the owner's sales
    staff and admins (the ones told of invoices; the invoice's state is the service's business)."""
    return _owner_with(p, OWNER_SALES)


def can_record_payment(p: Principal) -> bool:
    """Record a payment of an approved invoice (it sends the remittance advice): as reviewing."""
    return _owner_with(p, OWNER_SALES)


def can_answer_invoice(p: Principal, invoice: _Billed) -> bool:
    """Answer a disputed invoice and issue a credit note against it: the supplier that issued it,
    or an owner admin on its behalf (as `can_act_as_supplier`)."""
    if not can_write(p):
        return False
    if p.is_owner:
        return "admin" in p.roles
    return invoice.supplier_id in p.org_ids


# -- opportunities (issue #18.4) ---------------------------------------------------------------
class _Sold(Protocol):
    @property
    def dealer_id(self) -> int | None: ...


def can_see_sales(p: Principal) -> bool:
    """Reach the sales area at all (pipeline, opportunities, deal registrations, leads, campaigns,
    segments, territories): everyone but suppliers, to whom its pages answer as missing (404), like
    anything they may not know exists."""
    return not p.is_supplier


def can_create_opportunity(p: Principal) -> bool:
    """Open an opportunity: the owner's sales staff and admins (for the owner or for a dealer), and
    the writers of a dealer or partner (in their own name)."""
    if p.is_owner:
        return _owner_with(p, OWNER_SALES)
    return can_write(p) and p.org_kind in (OrgKind.DEALER, OrgKind.PARTNER)


def can_work_opportunity(p: Principal, opportunity: _Sold) -> bool:
    """Change a visible opportunity (its fields, lines and stage; "won" creates its order): the
    owner's sales staff and admins, and the writers of the dealer that sells it."""
    if p.is_owner:
        return _owner_with(p, OWNER_SALES)
    return can_write(p) and opportunity.dealer_id is not None and opportunity.dealer_id in p.org_ids


# -- deal registrations (issue #18.3) ----------------------------------------------------------
class _Registered(Protocol):
    @property
    def dealer_id(self) -> int: ...


def can_register_deal(p: Principal) -> bool:
    """Register a deal on a prospect: the writers of a dealer or partner, in their own name (the
    owner's staff decide registrations; they do not register them)."""
    return can_write(p) and p.org_kind in (OrgKind.DEALER, OrgKind.PARTNER)


def can_withdraw_deal(p: Principal, registration: _Registered) -> bool:
    """Withdraw a registration (while submitted: the service checks the state): the writers of
    the registering dealer and of the organizations above it."""
    return can_write(p) and not p.is_owner and registration.dealer_id in p.buyer_ids


def can_decide_deal(p: Principal) -> bool:
    """Approve or reject a deal registration (approving opens the dealer's opportunity): the
    owner's sales staff and admins."""
    return _owner_with(p, OWNER_SALES)


# -- leads (issue #18.2) -----------------------------------------------------------------------
class _Offered(Protocol):
    @property
    def dealer_id(self) -> int | None: ...


def can_manage_leads(p: Principal) -> bool:
    """Marketing's work on leads: create, edit, import, reassign by hand, distribute again and
    disqualify: the owner's sales staff and admins."""
    return _owner_with(p, OWNER_SALES)


def can_answer_lead(p: Principal, lead: _Offered) -> bool:
    """Accept or decline a lead offered to a dealer: the writers of that dealer (or of the group above
    it). Not the owner's staff: marketing takes a lead back by reassigning it."""
    if p.is_owner or not can_write(p):
        return False
    return lead.dealer_id is not None and lead.dealer_id in p.buyer_ids


def can_convert_lead(p: Principal, lead: _Offered) -> bool:
    """Convert an accepted lead into a customer and an opportunity: the writers of the dealer that
    accepted it, and the owner's sales staff and admins (on the dealer's behalf)."""
    if p.is_owner:
        return _owner_with(p, OWNER_SALES)
    return can_write(p) and lead.dealer_id is not None and lead.dealer_id in p.buyer_ids


def can_manage_territories(p: Principal) -> bool:
    """Edit the dealers' territories and capacities for lead distribution: owner admins."""
    return _owner_with(p, frozenset({"admin"}))


# -- campaigns (issue #18.5) -----------------------------------------------------------------
def can_manage_campaigns(p: Principal) -> bool:
    """Marketing's work on campaigns and segments: create and change campaigns, save and delete
    segments, recount a campaign's segment: the owner's sales staff and admins."""
    return _owner_with(p, OWNER_SALES)


def can_see_campaign_budget(p: Principal) -> bool:
    """A campaign's budget and its costs (per lead, per won euro): the owner's staff only; dealers see
    a campaign's facts and their own leads' results."""
    return p.is_owner


# -- cases -----------------------------------------------------------------------------------
def can_open_case(p: Principal) -> bool:
    return can_write(p)


def can_route_case(p: Principal, case: CaseLike | None = None) -> bool:
    return _owner_with(p, OWNER_STAFF)


def can_update_case(p: Principal) -> bool:
    """Change anything on a case at all (which fields: `can_edit_case_text`,
    `can_change_case_priority`)."""
    return can_write(p)


def can_edit_case_text(p: Principal, case: CaseLike) -> bool:
    """Subject and description: the owner's staff and the organization that opened the case (its own
    words); not the organization a case is routed to."""
    return can_write(p) and (p.is_owner or case.opened_by_org_id in p.org_ids)


def can_change_case_priority(p: Principal, case: CaseLike) -> bool:
    """Priority, and with it the SLA deadline: the owner's staff, and the organization that opened the
    case while the case is not routed to it (nobody sets the deadline it must meet itself)."""
    if not can_write(p):
        return False
    if p.is_owner:
        return True
    return case.opened_by_org_id in p.org_ids and case.routed_to_id not in p.org_ids


def can_change_case_status(p: Principal, case: CaseLike, action: str) -> bool:
    """Start, wait, resolve, reopen; closing is for the owner or the organization that opened it."""
    if not can_write(p):
        return False
    return action != "close" or p.is_owner or case.opened_by_org_id in p.org_ids


def can_comment_case(p: Principal, *, internal: bool = False) -> bool:
    return can_write(p) and (not internal or p.is_owner)


def can_attach_file(p: Principal, *, internal: bool = False) -> bool:
    return can_write(p) and (not internal or p.is_owner)


def can_add_internal(p: Principal) -> bool:
    """Internal comments and attachments (never shown to external organizations)."""
    return can_write(p) and p.is_owner


# -- reading relations -------------------------------------------------------------------------
def can_read_relation(p: Principal, relation: str) -> bool:
    """Whether the principal may read an order's or a case's ``customer``, ``dealer`` or ``supplier``
    (and so filter by it): suppliers never see the customer master or who sold an order; dealers
    and partners do not see which supplier an order is routed to. Lists use it to refuse a filter
    on a field the caller cannot read (it would tell which rows have which value)."""
    if p.is_owner:
        return True
    if relation in ("customer", "dealer"):
        return not p.is_supplier
    if relation == "supplier":
        return p.is_supplier
    return True


# -- administration --------------------------------------------------------------------------
def can_manage_users(p: Principal, organization_id: int | None = None) -> bool:
    """Add, deactivate and reactivate users and issue and revoke API tokens: admins, for their own
    organizations (owner admins: for every organization). Without ``organization_id``: whether
    the principal manages any."""
    if not (can_write(p) and "admin" in p.roles):
        return False
    return organization_id is None or p.is_owner or organization_id in p.org_ids


def can_read_mail_folder(p: Principal) -> bool:
    """Read the mails the portal wrote to its folder (/admin/mail: no SMTP server configured, as in
    the demo): owner admins, who could reset anyone's password with them."""
    return _owner_with(p, frozenset({"admin"}))


def can_manage_webhooks(p: Principal, organization_id: int | None = None) -> bool:
    """Register, change, rotate, disable, delete webhook endpoints, read their delivery log, send
    again and send a test event: admins (owner's and external), for their own organization only
    (not for organizations below it, nor, for the owner, anyone else's). Without
    ``organization_id``: whether the principal manages its own organization's."""
    if not (can_write(p) and "admin" in p.roles):
        return False
    return organization_id is None or organization_id == p.org_id


def can_create_organization(p: Principal) -> bool:
    return _owner_with(p, frozenset({"admin"}))


def can_manage_exchange_profiles(p: Principal) -> bool:
    return _owner_with(p, frozenset({"admin"}))


def can_reprocess_file(p: Principal) -> bool:
    """Process an inbound file again: the owner's staff (any file of which nothing was applied), a
    partner's admin (its own failed files, after fixing them at its end). Which states: see
    `portal.exchange.handling.refusal`."""
    if p.is_owner:
        return _owner_with(p, OWNER_STAFF)
    return can_write(p) and "admin" in p.roles


def can_discard_file(p: Principal) -> bool:
    """Give up on an inbound file of which nothing was applied: the owner's staff only."""
    return _owner_with(p, OWNER_STAFF)


class _Owned(Protocol):
    @property
    def user_id(self) -> int: ...


def can_prepare_export(p: Principal) -> bool:
    """A prepared CSV export (issue #15) belongs to a person: any signed-in user may ask for one of
    the lists they see (read-only roles too: reading is what they may do); API tokens may not."""
    return p.user_id is not None


def can_download_export(p: Principal, export: _Owned) -> bool:
    """Only the user who asked for an export sees and downloads it: not colleagues of the same
    organization, not the owner's staff (the file holds what that user saw when it ran). A
    refusal answers exactly like a missing export (404)."""
    return p.user_id is not None and export.user_id == p.user_id


# -- notifications ----------------------------------------------------------------------------
def can_use_inbox(p: Principal) -> bool:
    """Read one's own notifications, mark them read and choose what to be told: every user, read-only
    viewers too (an inbox is personal, not business data); an API token has no inbox."""
    return p.user_id is not None
