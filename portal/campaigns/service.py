"""Campaigns and segments (issue #18.5): marketing saves a filter of the customers list as a segment,
creates and changes campaigns that target one, and recounts a campaign's segment. A campaign's
members (``campaign_members``) are the segment's customers, taken from its filter when the campaign
is saved, recounted by hand and by the worker while the campaign is planned or running; after it
ended they stay as they were (what it targeted).

Choices where the issue is silent: docs/sales.md, "Campaigns".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, insert, literal, select, update

from portal import validation
from portal.access import Principal, get_visible, visible
from portal.access import permissions as may
from portal.campaigns import segments
from portal.customers.queries import CustomerQuery, customer_conditions
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidInput
from portal.events import record
from portal.models import Campaign, CampaignChannel, CampaignMember, Customer, Segment
from portal.models.base import utcnow

MAX_DESCRIPTION = 5000
MAX_BUDGET = Decimal("1000000000")
MAX_DAYS = 3 * 366  # a campaign runs three years at most


@dataclass(frozen=True, slots=True)
class CampaignFields:
    """A campaign's data as typed (dates and the budget parsed by the edge)."""

    name: str
    starts_on: date | None
    ends_on: date | None
    channel: str
    budget: Decimal | None = None
    description: str = ""
    segment_id: int | None = None


def check_name(value: str | None) -> str:
    return validation.required_text("name", value)


def check_channel(value: str | None) -> CampaignChannel:
    try:
        return CampaignChannel((value or "").strip())
    except ValueError:
        raise InvalidInput("channel", "choose a channel") from None


def check_period(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is None:
        raise InvalidInput("starts_on", "must not be empty")
    if ends_on is None:
        raise InvalidInput("ends_on", "must not be empty")
    validation.date_order("starts_on", starts_on, "ends_on", ends_on)
    if (ends_on - starts_on).days > MAX_DAYS:
        raise InvalidInput("ends_on", "a campaign runs three years at most")


def check_budget(value: Decimal | None) -> Decimal:
    budget = validation.decimal("budget", value if value is not None else Decimal(0))
    if budget > MAX_BUDGET:
        raise InvalidInput("budget", "is too large")
    return budget


def check_description(value: str | None) -> str:
    return validation.text("description", value, max_length=MAX_DESCRIPTION, required=False) or ""


def check_name_free(uow: UnitOfWork, principal: Principal, value: str | None, own_id: int | None) -> str:
    """A name, and no other campaign has it (in any case)."""
    name = check_name(value)
    others = visible(principal, Campaign).with_only_columns(Campaign.name).where(Campaign.id != (own_id or 0))
    if _same_name(name, uow.session.scalars(others)):
        raise InvalidInput("name", "another campaign has this name")
    return name


def _same_name(name: str, names: Iterable[str]) -> bool:
    """Whether ``names`` hold ``name`` in any case, by Unicode's case folding ("ÜBER" is "über",
    "STRASSE" is "Straße"). Compared here, not by the database's ``lower()``: SQLite's folds only
    ASCII letters. Campaigns and segments are few, and saving one is rare."""
    wanted = name.casefold()
    return any(other.casefold() == wanted for other in names)


def _checked(
    uow: UnitOfWork, principal: Principal, values: CampaignFields, own_id: int | None
) -> dict[str, object]:
    """Every field checked, every wrong one reported at once (the web form runs the same checks)."""
    check = validation.Checks()
    found: dict[str, object] = {
        "name": check(lambda: check_name_free(uow, principal, values.name, own_id)),
        "channel": check(lambda: check_channel(values.channel).value),
        "budget": check(lambda: check_budget(values.budget)),
        "description": check(lambda: check_description(values.description)),
    }
    check(lambda: check_period(values.starts_on, values.ends_on))
    check.done()
    return found


def load_campaign(
    uow: UnitOfWork, principal: Principal, campaign_id: int, *, for_update: bool = False
) -> Campaign:
    return get_visible(uow.session, principal, Campaign, campaign_id, for_update=for_update)


def _segment(uow: UnitOfWork, principal: Principal, segment_id: int | None) -> Segment | None:
    if segment_id is None:
        return None
    return get_visible(uow.session, principal, Segment, segment_id)


def create_campaign(*, uow: UnitOfWork, principal: Principal, values: CampaignFields) -> Campaign:
    may.require(principal, may.can_manage_campaigns(principal), "create campaigns")
    checked = _checked(uow, principal, values, None)
    segment = _segment(uow, principal, values.segment_id)
    campaign = Campaign(
        name=checked["name"],
        starts_on=values.starts_on,
        ends_on=values.ends_on,
        channel=checked["channel"],
        budget=checked["budget"],
        description=checked["description"],
        created_by=principal.user_id,
        created_at=utcnow(),
        segment_filter={},
    )
    _target(campaign, segment)
    uow.session.add(campaign)
    uow.flush()
    members = count_members(uow, principal, campaign) if segment is not None else 0
    record(
        uow, principal, "campaign.created", "campaign", campaign.id,
        name=campaign.name, segment_id=campaign.segment_id, members=members,
    )  # fmt: skip
    return campaign


def _target(campaign: Campaign, segment: Segment | None) -> None:
    campaign.segment_id = segment.id if segment is not None else None
    campaign.segment_name = segment.name if segment is not None else ""
    campaign.segment_filter = dict(segment.filter) if segment is not None else {}


def update_campaign(
    *,
    uow: UnitOfWork,
    principal: Principal,
    campaign_id: int,
    values: CampaignFields,
    expected_version: int | None = None,
    keep_segment: bool = False,
) -> Campaign:
    """Replace every field; ``keep_segment``: leave the target as it is (its segment may have been
    deleted meanwhile: the campaign keeps the copied filter)."""
    campaign = load_campaign(uow, principal, campaign_id, for_update=True)
    may.require(principal, may.can_manage_campaigns(principal), "change campaigns")
    if expected_version is not None and expected_version != campaign.version:
        raise Conflict(
            f"campaign {campaign.name} was changed meanwhile by someone else "
            f"(it is at version {campaign.version}, you saw version {expected_version}); reload it"
        )
    checked = _checked(uow, principal, values, campaign.id)
    new = {
        "name": checked["name"],
        "starts_on": values.starts_on,
        "ends_on": values.ends_on,
        "channel": checked["channel"],
        "budget": checked["budget"],
        "description": checked["description"],
    }
    changed = [name for name, value in new.items() if getattr(campaign, name) != value]
    for name in changed:
        setattr(campaign, name, new[name])
    retarget = not keep_segment and values.segment_id != campaign.segment_id
    if retarget:
        _target(campaign, _segment(uow, principal, values.segment_id))
        changed.append("segment_id")
    if changed:
        campaign.updated_at = utcnow()
    uow.flush()
    if retarget:
        count_members(uow, principal, campaign)
    record(uow, principal, "campaign.updated", "campaign", campaign.id, name=campaign.name, changed=changed)
    return campaign


def count_members(
    uow: UnitOfWork, principal: Principal, campaign: Campaign, *, now: datetime | None = None
) -> int:
    """Take the campaign's members from its segment's filter again (as the owner sees customers:
    every one); returns how many there are."""
    session = uow.session
    session.execute(delete(CampaignMember).where(CampaignMember.campaign_id == campaign.id))
    query = segments.query_of(campaign.segment_filter)
    if campaign.segment_filter:
        chosen = (
            visible(principal, Customer)
            .with_only_columns(literal(campaign.id), Customer.id)
            .where(*customer_conditions(query))
        )
        session.execute(insert(CampaignMember).from_select(["campaign_id", "customer_id"], chosen))
    session.execute(
        update(Campaign).where(Campaign.id == campaign.id).values(members_counted_at=now or utcnow())
    )
    session.expire(campaign, ["members_counted_at"])
    return int(
        session.scalar(
            select(func.count()).select_from(CampaignMember).where(CampaignMember.campaign_id == campaign.id)
        )
        or 0
    )


def recount_campaign(*, uow: UnitOfWork, principal: Principal, campaign_id: int) -> tuple[Campaign, int]:
    campaign = load_campaign(uow, principal, campaign_id, for_update=True)
    may.require(principal, may.can_manage_campaigns(principal), "recount a campaign's segment")
    members = count_members(uow, principal, campaign)
    record(uow, principal, "campaign.recounted", "campaign", campaign.id, name=campaign.name, members=members)
    return campaign, members


RECOUNT_EVERY = timedelta(hours=1)


def due_for_recount(campaign: Campaign, now: datetime, today: date) -> bool:
    """The worker recounts a planned or running campaign with a segment hourly, and an ended one once
    more after its last day (then its members stay: what it targeted)."""
    if not campaign.segment_filter:
        return False
    counted = campaign.members_counted_at
    if counted is None:
        return True
    if campaign.ends_on is not None and campaign.ends_on < today:
        return counted.date() <= campaign.ends_on
    return now - counted >= RECOUNT_EVERY


# -- segments ----------------------------------------------------------------------------------------
def save_segment(*, uow: UnitOfWork, principal: Principal, name: str, query: CustomerQuery) -> Segment:
    """A new segment: ``name`` and the customers list's filter ``query``."""
    may.require(principal, may.can_manage_campaigns(principal), "save segments")
    clean = validation.required_text("name", name)
    if segments.is_empty(query):
        raise InvalidInput(
            "filter", "filter the customers list first: a segment of every customer is no segment"
        )
    if _same_name(clean, uow.session.scalars(visible(principal, Segment).with_only_columns(Segment.name))):
        raise InvalidInput("name", "another segment has this name")
    segment = Segment(
        name=clean,
        filter=segments.filter_of(query),
        created_by_user_id=principal.user_id,
        created_at=utcnow(),
    )
    uow.session.add(segment)
    uow.flush()
    record(uow, principal, "segment.saved", "segment", segment.id, name=segment.name, filter=segment.filter)
    return segment


def delete_segment(*, uow: UnitOfWork, principal: Principal, segment_id: int) -> Segment:
    """Delete a segment; its campaigns keep its name and filter (and their members)."""
    segment = get_visible(uow.session, principal, Segment, segment_id, for_update=True)
    may.require(principal, may.can_manage_campaigns(principal), "delete segments")
    uow.session.execute(update(Campaign).where(Campaign.segment_id == segment.id).values(segment_id=None))
    record(uow, principal, "segment.deleted", "segment", segment.id, name=segment.name)
    uow.session.delete(segment)
    uow.flush()
    return segment


def segment_customers(uow: UnitOfWork, principal: Principal, segment_id: int) -> CustomerQuery:
    return segments.query_of(get_visible(uow.session, principal, Segment, segment_id).filter)
