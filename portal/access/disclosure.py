"""What a principal may learn about rows it may not see: one deliberate exception to "hidden is
missing", written here beside the policy so that it is reviewed with it.

The duplicate warning on a new customer (issue #18) tells a dealer that *a* customer with the VAT
id it typed exists although that customer is not shared with it, so that the dealer asks the
owner's staff to share it instead of creating it again. It tells nothing else: not the name, number,
address or how many; a similar name at the same postal code is not disclosed at all.

Deal registration (issue #18.3) makes a second exception, only on a registration the dealer has
submitted (so every question leaves a registration the owner's staff read): its page tells the
dealer that the prospect may already be a customer (a hidden customer has its VAT id, or a similar
name at its postal code) and that another partner has registered the prospect (a hidden
registration, submitted or approved and still protected, has its VAT id or name key at its postal
code). Each is a yes or no: no name, number, partner, date or count.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.access.policy import rule_for
from portal.access.principal import Principal
from portal.models import Customer, DealRegistration


def hidden_customer_has_vat_id(session: Session, principal: Principal, vat_ids: Collection[str]) -> bool:
    """Whether a customer the principal may *not* see carries one of ``vat_ids`` (a yes or no only)."""
    if principal.is_owner or not vat_ids:
        return False
    hidden = select(Customer.id).where(Customer.vat_id.in_(sorted(vat_ids)), ~rule_for(principal, Customer))
    return bool(session.scalar(hidden.exists().select()))


MAX_NAMES = 5000  # hidden customers at one postal code read for the name comparison


def hidden_customer_matches(
    session: Session,
    principal: Principal,
    *,
    vat_ids: Collection[str],
    postal_code: str | None,
    name_key: str,
    key: Callable[[str], str],
) -> bool:
    """Whether a customer the principal may *not* see has one of ``vat_ids``, or a name whose
    ``key`` is ``name_key`` at ``postal_code`` (a yes or no only: a deal registration's hint)."""
    if principal.is_owner:
        return False
    if hidden_customer_has_vat_id(session, principal, vat_ids):
        return True
    if not postal_code or not name_key:
        return False
    names = (
        select(Customer.name)
        .where(Customer.postal_code == postal_code, ~rule_for(principal, Customer))
        .limit(MAX_NAMES)
    )
    return any(key(name) == name_key for name in session.scalars(names))


def hidden_registration_matches(
    session: Session, principal: Principal, matching: ColumnElement[bool]
) -> bool:
    """Whether a deal registration the principal may *not* see meets ``matching`` (the conflict
    condition: same prospect, still active); a yes or no only."""
    if principal.is_owner:
        return False
    hidden = select(DealRegistration.id).where(matching, ~rule_for(principal, DealRegistration))
    return bool(session.scalar(hidden.exists().select()))
