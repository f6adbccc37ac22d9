"""The conflicts of a deal registration, shown on its page, the approval screen and in the API.

Two kinds (issue #18.3): the prospect is already a customer (the same VAT id, or the same name key
at the same postal code: :mod:`portal.customers.duplicates`), and another registration of the same
prospect is active (submitted, or approved and its protection not yet past). The owner's staff see
every match, with links; a dealer sees the customers shared with it and its own organizations'
registrations, and of everything else one yes or no per kind (``portal.access.disclosure``): a
neutral hint, never a name, number, partner or count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import Session

from portal.access import Principal, hidden_customer_matches, hidden_registration_matches, visible
from portal.customers.duplicates import find_duplicates, name_key, vat_key
from portal.models import Customer, DealRegistration, DealStatus

MAX_SHOWN = 20  # matches listed per kind; more is a data problem, not a conflict to read through


@dataclass(frozen=True, slots=True)
class Conflicts:
    customers: list[Customer] = field(default_factory=list)  # matching customers the reader sees
    customer_hint: bool = False  # a customer the reader may not see matches (dealers only)
    registrations: list[DealRegistration] = field(default_factory=list)  # other active ones it sees
    other_partner: bool = False  # an active registration the reader may not see matches (dealers only)

    def __bool__(self) -> bool:
        return bool(self.customers or self.customer_hint or self.registrations or self.other_partner)

    def protections_of_others(self, registration: DealRegistration, today: date) -> list[DealRegistration]:
        """The approved, still protected registrations of other dealers: approving over them needs
        the approver's explicit confirmation."""
        return [
            r
            for r in self.registrations
            if r.dealer_id != registration.dealer_id
            and r.status is DealStatus.APPROVED
            and r.protected_until is not None
            and r.protected_until >= today
        ]


def active(today: date) -> ColumnElement[bool]:
    """Submitted, or approved and protected on ``today``."""
    return or_(
        DealRegistration.status == DealStatus.SUBMITTED,
        and_(DealRegistration.status == DealStatus.APPROVED, DealRegistration.protected_until >= today),
    )


def same_prospect(vat_id: str | None, key: str, postal_code: str | None) -> ColumnElement[bool]:
    """Registrations of the prospect: the same VAT id, or the same name key at the same postal code."""
    arms: list[ColumnElement[bool]] = []
    vat = vat_key(vat_id)
    if vat:
        arms.append(DealRegistration.vat_id == vat)
    code = (postal_code or "").strip()
    if code and key:
        arms.append(and_(DealRegistration.name_key == key, DealRegistration.postal_code == code))
    return or_(*arms) if arms else false()


def find_conflicts(
    session: Session, principal: Principal, registration: DealRegistration, *, today: date
) -> Conflicts:
    """What conflicts with ``registration``, as far as ``principal`` may learn it. The customer its
    approval linked or created is its own, no conflict; the dealer's neutral hints ("the owner's
    sales staff will decide") are given only while it awaits that decision."""
    duplicates = find_duplicates(
        session,
        principal,
        name=registration.prospect_name,
        postal_code=registration.postal_code,
        vat_id=registration.vat_id,
        exclude_id=registration.customer_id,
    )
    customers = [
        d.customer for d in sorted(duplicates.matches, key=lambda d: (not d.same_vat_id, d.customer.id))
    ]
    awaiting = registration.status is DealStatus.SUBMITTED
    customer_hint = False
    if awaiting and not principal.is_owner and not customers:
        vats = {v for v in (registration.vat_id,) if v}
        customer_hint = hidden_customer_matches(
            session,
            principal,
            vat_ids=vats,
            postal_code=registration.postal_code,
            name_key=registration.name_key,
            key=name_key,
        )
    matching = and_(
        same_prospect(registration.vat_id, registration.name_key, registration.postal_code),
        active(today),
        DealRegistration.id != registration.id,
    )
    others = list(
        session.scalars(
            visible(principal, DealRegistration)
            .where(matching)
            .order_by(DealRegistration.created_at, DealRegistration.id)
            .limit(MAX_SHOWN)
        )
    )
    other_partner = awaiting and hidden_registration_matches(session, principal, matching)
    return Conflicts(customers[:MAX_SHOWN], customer_hint, others, other_partner)
