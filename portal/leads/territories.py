"""The dealers' territories for lead distribution: which leads a dealer's territory covers, and the
owner admin's edits.

A territory holds postal-code ranges per country and regions:

* a range is ``"DE 20000-22999"`` (country, first code, last code), ``"AT 1010"`` (one code) or
  ``"DE 2"`` (every code starting with 2); the country may be left out for Germany. A code is
  compared by its first characters, as many as the range's bounds have (spaces removed, upper
  case): ``"DE 20-22"`` covers 20000 to 22999. A range only covers leads of its country.
* a region is a country (``"AT"``: every Austrian lead) or a name the leads carry in their
  ``region`` field (``"DE-HH"``, ``"Nord"``), compared without regard to case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from portal import validation
from portal.access import Principal, get_visible, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidFields, InvalidInput
from portal.events import record
from portal.models import Organization, OrgKind, Territory
from portal.models.base import utcnow

MAX_ENTRIES = 200  # ranges or regions of one territory
MAX_CAPACITY = 10_000
DEFAULT_COUNTRY = "DE"
LEAD_DEALER_KINDS = (OrgKind.DEALER, OrgKind.PARTNER)

_RANGE = re.compile(
    r"^(?:(?P<country>[A-Za-z]{2})\s+)?(?P<first>[0-9A-Za-z]+)(?:\s*-\s*(?P<last>[0-9A-Za-z]+))?$"
)
_REGION = re.compile(r"^[\w .\-/]{1,50}$")


@dataclass(frozen=True, slots=True)
class PostalRange:
    country: str
    first: str
    last: str

    def covers(self, country: str, postal_code: str) -> bool:
        code = normal_code(postal_code)
        if country.upper() != self.country or not code:
            return False
        return self.first <= code[: len(self.first)] and code[: len(self.last)] <= self.last

    def __str__(self) -> str:
        return f"{self.country} {self.first}" + (f"-{self.last}" if self.last != self.first else "")


def normal_code(postal_code: str | None) -> str:
    return re.sub(r"[\s\-]+", "", postal_code or "").upper()


def parse_range(text: str) -> PostalRange:
    """``"DE 20000-22999"`` as a range; InvalidInput naming the entry when it is none."""
    match = _RANGE.match(text.strip())
    refused = InvalidInput("postal_ranges", f"'{text.strip()[:40]}' is not a postal-code range")
    if match is None:
        raise refused
    first = match.group("first").upper()
    last = (match.group("last") or first).upper()
    country = (match.group("country") or DEFAULT_COUNTRY).upper()
    if len(first) != len(last) or last < first or country not in validation.COUNTRY_CODES:
        raise refused
    return PostalRange(country, first, last)


def _entries(text_or_list: str | Iterable[str]) -> list[str]:
    items = re.split(r"[\n,;]+", text_or_list) if isinstance(text_or_list, str) else list(text_or_list)
    return [item.strip() for item in items if item and item.strip()]


def parse_ranges(value: str | Iterable[str]) -> list[PostalRange]:
    """Every entry as a range; every bad entry is named (InvalidFields), not only the first."""
    entries = _entries(value)
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput("postal_ranges", f"at most {MAX_ENTRIES} entries")
    check = validation.Checks()
    ranges = [check(_range_of(entry)) for entry in entries]
    check.done()
    return [r for r in ranges if r is not None]


def _range_of(entry: str) -> Callable[[], PostalRange]:
    return lambda: parse_range(entry)


def parse_regions(value: str | Iterable[str]) -> list[str]:
    """The regions; every bad entry is named (InvalidFields), not only the first."""
    entries = _entries(value)
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput("regions", f"at most {MAX_ENTRIES} entries")
    bad = [InvalidInput("regions", f"'{e[:40]}' is not a region") for e in entries if not _REGION.match(e)]
    if bad:
        raise InvalidFields(bad)
    return entries


def check_capacity(value: int) -> int:
    return validation.integer("capacity", value, minimum=0, maximum=MAX_CAPACITY)


@dataclass(frozen=True, slots=True)
class Coverage:
    """A territory as the distribution reads it."""

    organization_id: int
    ranges: tuple[PostalRange, ...]
    regions: frozenset[str]  # folded
    capacity: int

    @classmethod
    def of(cls, territory: Territory) -> Coverage:
        ranges: list[PostalRange] = []
        for entry in territory.postal_ranges or []:
            try:
                ranges.append(parse_range(entry))
            except InvalidInput:  # stored by an older rule: ignored rather than fatal
                continue
        return cls(
            territory.organization_id,
            tuple(ranges),
            frozenset(r.casefold() for r in territory.regions or []),
            territory.capacity,
        )

    def covers(self, *, country: str, postal_code: str | None, region: str | None) -> bool:
        country = (country or DEFAULT_COUNTRY).upper()
        if country.casefold() in self.regions:
            return True
        if region and region.strip().casefold() in self.regions:
            return True
        return any(r.covers(country, postal_code or "") for r in self.ranges)


def set_territory(
    *,
    uow: UnitOfWork,
    principal: Principal,
    organization_id: int,
    postal_ranges: str | Iterable[str],
    regions: str | Iterable[str],
    capacity: int,
    active: bool = True,
    expected_version: int | None = None,
) -> Territory:
    """Create or replace a dealer's territory (owner admins)."""
    may.require(principal, may.can_manage_territories(principal), "edit territories", only="owner admins")
    org = get_visible(uow.session, principal, Organization, organization_id)
    if org.kind not in LEAD_DEALER_KINDS:
        raise InvalidInput("organization", f"{org.name} is not a dealer or partner")
    check = validation.Checks()  # every wrong field and entry at once
    ranges = check(lambda: parse_ranges(postal_ranges)) or []
    region_list = check(lambda: parse_regions(regions)) or []
    check(lambda: check_capacity(capacity))
    check.done()
    territory = uow.session.scalar(
        visible(principal, Territory).where(Territory.organization_id == org.id).with_for_update()
    )
    if territory is None:
        territory = Territory(organization_id=org.id)
        uow.session.add(territory)
    elif expected_version is not None and expected_version != territory.version:
        raise Conflict(f"the territory of {org.name} was changed meanwhile by someone else; reload it")
    territory.postal_ranges = [str(r) for r in ranges]
    territory.regions = region_list
    territory.capacity = capacity
    territory.active = active
    territory.updated_at = utcnow()
    uow.flush()
    record(
        uow,
        principal,
        "territory.changed",
        "organization",
        org.id,
        postal_ranges=territory.postal_ranges,
        regions=region_list,
        capacity=capacity,
        active=active,
    )
    return territory


def territory_of(uow: UnitOfWork, principal: Principal, organization_id: int) -> Territory | None:
    return uow.session.scalar(
        visible(principal, Territory).where(Territory.organization_id == organization_id)
    )


def lead_dealers(uow: UnitOfWork, principal: Principal) -> list[Organization]:
    """The dealers and partners the principal sees, by name: who may have a territory."""
    stmt = visible(principal, Organization).where(Organization.kind.in_(LEAD_DEALER_KINDS))
    return list(uow.session.scalars(stmt.order_by(Organization.name, Organization.id)))


def coverages(uow: UnitOfWork) -> list[Coverage]:
    """Every active territory (the distribution's view: all dealers, whoever distributes)."""
    rows = uow.session.scalars(select(Territory).where(Territory.active.is_(True)).order_by(Territory.id))
    return [Coverage.of(t) for t in rows]


def list_territories(uow: UnitOfWork, principal: Principal) -> list[tuple[Territory, int]]:
    """The territories the principal sees (owner staff: all; a dealer: its own), each with its open
    leads now, by organization name."""
    from portal.leads.distribution import open_leads

    stmt = (
        visible(principal, Territory)
        .join(Organization, Organization.id == Territory.organization_id)
        .order_by(Organization.name, Territory.id)
    )
    found = list(uow.session.scalars(stmt))
    counts = open_leads(uow, [t.organization_id for t in found])
    return [(t, counts.get(t.organization_id, 0)) for t in found]
