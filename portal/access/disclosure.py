"""What a principal may learn about rows it may not see: one deliberate exception to "hidden is
missing", written here beside the policy so that it is reviewed with it.

The duplicate warning on a new customer (issue #18) tells a dealer that *a* customer with the VAT
id it typed exists although that customer is not shared with it, so that the dealer asks the
owner's staff to share it instead of creating it again. It tells nothing else: not the name, number,
address or how many; a similar name at the same postal code is not disclosed at all.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access.policy import rule_for
from portal.access.principal import Principal
from portal.models import Customer


def hidden_customer_has_vat_id(session: Session, principal: Principal, vat_ids: Collection[str]) -> bool:
    """Whether a customer the principal may *not* see carries one of ``vat_ids`` (a yes or no only)."""
    if principal.is_owner or not vat_ids:
        return False
    hidden = select(Customer.id).where(Customer.vat_id.in_(sorted(vat_ids)), ~rule_for(principal, Customer))
    return bool(session.scalar(hidden.exists().select()))
