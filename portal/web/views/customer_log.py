"""A customer's change log in words: who created and changed the customer and its contacts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from portal.customers.log import ChangeEntry
from portal.orders.queries import Actor
from portal.web import labels
from portal.web.views.history import who

Gettext = Callable[..., str]


@dataclass(frozen=True, slots=True)
class ChangeLine:
    at: datetime
    text: str


def _fields(names: object, _: Gettext) -> str:
    if not isinstance(names, list):
        return ""
    return ", ".join(_(labels.FIELDS[n]) if n in labels.FIELDS else str(n) for n in names)


def describe(
    entry: ChangeEntry, contacts: Mapping[int, str], orgs: Mapping[int, str], _: Gettext
) -> ChangeLine:
    """One entry as a sentence. ``contacts``: names of the customer's contacts by id (an erased one
    is named by its number only); ``orgs``: names of organizations the reader may see."""
    subject = who(Actor("owner", entry.organization, entry.person, entry.via), _)
    p = entry.payload
    contact = ""
    if entry.contact_id is not None:
        contact = contacts.get(entry.contact_id) or _("no. %(id)s", id=entry.contact_id)
    org = orgs.get(p.get("organization_id") or 0) or _("an organization")
    if entry.kind == "customer.created" and p.get("shared_with"):
        text = _(
            "%(who)s created the customer (shared with %(org)s).",
            who=subject,
            org=orgs.get(p["shared_with"]) or _("an organization"),
        )
    elif entry.kind == "customer.created":
        text = _("%(who)s created the customer.", who=subject)
    elif entry.kind == "customer.updated":
        text = _("%(who)s changed %(fields)s.", who=subject, fields=_fields(p.get("changed"), _))
    elif entry.kind == "customer.shared":
        text = _("%(who)s shared the customer with %(org)s.", who=subject, org=org)
    elif entry.kind == "customer.unshared":
        text = _("%(who)s stopped sharing the customer with %(org)s.", who=subject, org=org)
    elif entry.kind == "contact.created":
        text = _("%(who)s added the contact %(contact)s.", who=subject, contact=contact)
    elif entry.kind == "contact.updated":
        text = _(
            "%(who)s changed %(fields)s of the contact %(contact)s.",
            who=subject,
            fields=_fields(p.get("changed"), _),
            contact=contact,
        )
    elif entry.kind == "contact.erased":
        text = _("%(who)s erased the contact no. %(id)s on request.", who=subject, id=entry.contact_id)
    else:
        text = _("%(who)s: %(what)s", who=subject, what=entry.kind)
    return ChangeLine(entry.occurred_at, text[:1].upper() + text[1:])
