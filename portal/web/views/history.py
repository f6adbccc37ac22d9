"""An order's history in words: who (person and organization, as far as the viewer may learn it)
did what, with the order's number, in the viewer's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.models import Event, Order, Organization
from portal.orders.queries import Actor
from portal.web.labels import N_

Gettext = Callable[..., str]

_HIDDEN = {
    "owner": N_("the operator"),
    "supplier": N_("the supplier"),
    "dealer": N_("the dealer"),
    "other": N_("another organization"),
}


# a line's answer as the log says it ("change": as the demo's seed wrote a proposal)
_ANSWERS = {"accepted": "accepted", "changed": "changed", "change": "changed", "rejected": "rejected"}


@dataclass(frozen=True, slots=True)
class HistoryLine:
    occurred_at: datetime
    kind: str
    text: str
    status: str | None  # the order's status after the change, when the event says it
    reasons: tuple[str, ...] = ()  # rejected lines with the supplier's reason


def who(actor: Actor | None, _: Gettext) -> str:
    if actor is None:
        return _("someone")
    if actor.organization is None:
        return _(_HIDDEN[actor.relation])
    if actor.person and actor.via == "user":
        return _("%(person)s (%(organization)s)", person=actor.person, organization=actor.organization)
    if actor.person and actor.via == "token":
        return _(
            "API token “%(person)s” (%(organization)s)", person=actor.person, organization=actor.organization
        )
    return _("%(organization)s (EDI or system)", organization=actor.organization)


def describe(
    event: Event,
    actor: Actor | None,
    order: Order,
    orgs: Mapping[int, Organization],
    _: Gettext,
    fallback: Mapping[str, str],
) -> HistoryLine:
    """One history entry as a sentence; a kind without its own sentence reads "who: label"."""
    p: dict[str, Any] = event.payload or {}
    subject = who(actor, _)
    number = order.number
    reasons: tuple[str, ...] = ()
    if event.kind == "order.created" and isinstance(p.get("lines"), int):
        text = _(
            "%(who)s created order %(number)s (lines: %(lines)s).",
            who=subject,
            number=number,
            lines=p["lines"],
        )
    elif event.kind == "order.created":
        text = _("%(who)s created order %(number)s.", who=subject, number=number)
    elif event.kind == "order.routed":
        supplier = orgs.get(p.get("supplier_id") or 0)
        text = _(
            "%(who)s routed order %(number)s to %(supplier)s.",
            who=subject,
            number=number,
            supplier=supplier.name if supplier else _("a supplier"),
        )
    elif event.kind == "order.confirmed" and not isinstance(p.get("lines"), list):
        text = _("%(who)s answered order %(number)s.", who=subject, number=number)
    elif event.kind == "order.confirmed":
        lines = [line for line in p.get("lines", []) if isinstance(line, dict)]
        count = {
            a: sum(1 for line in lines if _ANSWERS.get(str(line.get("action"))) == a)
            for a in ("accepted", "changed", "rejected")
        }
        if any(count.values()):
            text = _(
                "%(who)s answered order %(number)s (accepted: %(accepted)s, changed: %(changed)s, rejected: %(rejected)s).",  # noqa: E501
                who=subject,
                number=number,
                **count,
            )
        else:  # nothing to count (an answer the log kept without its lines' actions)
            text = _("%(who)s answered order %(number)s.", who=subject, number=number)
        reasons = tuple(
            _("Line %(n)s rejected: %(reason)s", n=line.get("line_no"), reason=line["reason"])
            for line in lines
            if line.get("action") == "rejected" and line.get("reason")
        ) + tuple(
            _("Line %(n)s: awaiting the buyer's review", n=line.get("line_no"))
            for line in lines
            if line.get("review") is True
        )
    elif event.kind == "order.change_reviewed":
        lines = [line for line in p.get("lines", []) if isinstance(line, dict)]
        text = _(
            "%(who)s reviewed the supplier's changes to order %(number)s (accepted: %(accepted)s, rejected: %(rejected)s).",  # noqa: E501
            who=subject,
            number=number,
            accepted=sum(1 for line in lines if line.get("outcome") == "accepted"),
            rejected=sum(1 for line in lines if line.get("outcome") == "rejected"),
        )
        reasons = tuple(
            _("Line %(n)s: change rejected: %(reason)s", n=line.get("line_no"), reason=line["reason"])
            for line in lines
            if line.get("outcome") == "rejected" and line.get("reason")
        )
    elif event.kind == "order.cancelled":
        text = _("%(who)s cancelled order %(number)s.", who=subject, number=number)
    elif event.kind == "order.changed":
        lines = [line for line in p.get("lines", []) if isinstance(line, dict)]
        text = _(
            "%(who)s changed order %(number)s to version %(version)s (changed: %(changed)s, added: %(added)s, cancelled: %(cancelled)s).",  # noqa: E501
            who=subject,
            number=number,
            version=p.get("version", "?"),
            **{
                c: sum(1 for line in lines if line.get("change") == c)
                for c in ("changed", "added", "cancelled")
            },
        )
        reasons = tuple(
            _("Line %(n)s: the supplier's change awaiting review was withdrawn", n=n)
            for n in p.get("withdrawn", [])
        ) + ((_("Reason: %(reason)s", reason=p["note"]),) if isinstance(p.get("note"), str) else ())
    elif event.kind == "shipment.created":
        text = _(
            "%(who)s recorded ship notice %(shipment)s for order %(number)s.",
            who=subject,
            shipment=p.get("number", ""),
            number=number,
        )
    elif event.kind == "goods_receipt.recorded":
        text = _("%(who)s recorded a goods receipt for order %(number)s.", who=subject, number=number)
        reasons = ((_("Damages or shortfalls"),) if p.get("has_discrepancy") else ()) + (
            (_("More than shipped"),) if p.get("over_received") else ()
        )
    elif event.kind == "invoice.submitted":
        text = _(
            "%(who)s submitted invoice %(invoice)s for order %(number)s.",
            who=subject,
            invoice=p.get("number", ""),
            number=number,
        )
    else:
        label = fallback.get(event.kind)
        text = _("%(who)s: %(what)s", who=subject, what=_(label) if label else event.kind)
    text = text[:1].upper() + text[1:]  # "the supplier ..." starts a sentence
    status = p.get("status") or p.get("order_status")
    return HistoryLine(
        event.occurred_at, event.kind, text, status if isinstance(status, str) else None, reasons
    )
