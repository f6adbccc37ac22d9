"""Importing leads from a CSV file (issue #18.2): check every row first, report each bad row with
its line number and reason, then import nothing or only the good rows, as the user chose; the
imported leads are distributed at once.

The file (docs/sales.md, "Import format"): UTF-8 with or without a byte order mark, ``;`` or ``,``
between fields (the header line decides: German Excel writes ``;``), a header line naming the
columns in English or German (:data:`COLUMNS`), at most :data:`MAX_BYTES` and :data:`MAX_ROWS`
rows. Columns the portal does not know are ignored and named in the preview.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func

from portal.access import Principal, visible
from portal.access import permissions as may
from portal.customers.service import address_check
from portal.db import UnitOfWork
from portal.errors import InvalidInput
from portal.events import record
from portal.leads.distribution import distribute
from portal.leads.service import LEAD_CHECKS, LeadFields, answer_window, create_lead
from portal.leads.territories import coverages
from portal.models import Campaign, Lead, LeadStatus

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 500  # reported; the count says how many more

# The field each header names (folded: lower case, without spaces, dashes, underscores, dots).
COLUMNS: dict[str, str] = {
    "company": "company",
    "companyname": "company",
    "firma": "company",
    "unternehmen": "company",
    "firmenname": "company",
    "contact": "contact_name",
    "contactname": "contact_name",
    "contactperson": "contact_name",
    "ansprechpartner": "contact_name",
    "kontakt": "contact_name",
    "kontaktperson": "contact_name",
    "email": "email",
    "mail": "email",
    "emailadresse": "email",
    "phone": "phone",
    "telephone": "phone",
    "telefon": "phone",
    "street": "street",
    "address": "street",
    "strasse": "street",
    "straße": "street",
    "anschrift": "street",
    "postalcode": "postal_code",
    "postcode": "postal_code",
    "zip": "postal_code",
    "zipcode": "postal_code",
    "plz": "postal_code",
    "postleitzahl": "postal_code",
    "city": "city",
    "town": "city",
    "ort": "city",
    "stadt": "city",
    "country": "country_code",
    "countrycode": "country_code",
    "land": "country_code",
    "laendercode": "country_code",
    "ländercode": "country_code",
    "region": "region",
    "source": "source",
    "quelle": "source",
    "herkunft": "source",
    "campaign": "campaign",
    "kampagne": "campaign",
    "notes": "notes",
    "note": "notes",
    "notizen": "notes",
    "notiz": "notes",
    "bemerkung": "notes",
    "bemerkungen": "notes",
}
# The header of the example file (docs/sales.md), as the import page shows it.
EXAMPLE_HEADER = "Firma;Ansprechpartner;E-Mail;Telefon;Straße;PLZ;Ort;Land;Region;Quelle;Kampagne;Notizen"
_FOLD = re.compile(r"[\s\-_.]+")


class ImportMode(enum.StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"  # a bad row: nothing is imported
    GOOD_ROWS = "good_rows"  # the good rows are imported, the bad ones reported


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # the line of the file (the header is line 1)
    field: str  # the lead's field, or "" for the row as a whole
    message: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    line: int
    values: LeadFields
    campaign_id: int | None


@dataclass
class Preview:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_lines: int = 0  # rows with at least one error
    ignored_columns: list[str] = field(default_factory=list)
    delimiter: str = ";"

    @property
    def total(self) -> int:
        return len(self.rows) + self.bad_lines


@dataclass
class ImportResult:
    preview: Preview
    imported: list[int] = field(default_factory=list)  # lead ids
    offered: int = 0  # of them, offered to a dealer at once


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise InvalidInput("file", f"the file has {len(data)} bytes; the limit is {MAX_BYTES}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("file", "the file is not UTF-8: save it as “CSV UTF-8”") from None


def _delimiter(header: str) -> str:
    return ";" if header.count(";") >= header.count(",") and ";" in header else ","


def fold(header: str) -> str:
    return _FOLD.sub("", header.strip().lstrip("\ufeff").casefold())


def preview(uow: UnitOfWork, principal: Principal, text: str) -> Preview:
    """Every row of the file checked (nothing written)."""
    may.require(principal, may.can_manage_leads(principal), "import leads")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InvalidInput(
            "file", f"the file has {len(text.encode('utf-8'))} bytes; the limit is {MAX_BYTES}"
        )
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise InvalidInput("file", "the file is empty: the first line names the columns")
    found = Preview(delimiter=_delimiter(first_line))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=found.delimiter)
    header = next(reader)
    columns: list[str | None] = []
    seen: set[str] = set()
    for name in header:
        target = COLUMNS.get(fold(name))
        if target is None:
            if name.strip():
                found.ignored_columns.append(name.strip())
            columns.append(None)
            continue
        if target in seen:
            raise InvalidInput("file", f"the column '{name.strip()}' is named twice")
        seen.add(target)
        columns.append(target)
    if "company" not in seen:
        raise InvalidInput("file", "the file has no company column (Firma or Company)")
    campaigns = _campaigns(uow, principal)
    rows = 0
    for record_ in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record_):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise InvalidInput("file", f"the file has more than {MAX_ROWS} rows; split it")
        _check_row(found, line, columns, record_, campaigns)
    if rows == 0:
        raise InvalidInput("file", "the file has no rows below its header")
    return found


def _campaigns(uow: UnitOfWork, principal: Principal) -> dict[str, int]:
    rows = uow.session.execute(
        visible(principal, Campaign).with_only_columns(func.lower(Campaign.name), Campaign.id)
    )
    return {name.strip(): ident for name, ident in rows}


def _check_row(
    found: Preview, line: int, columns: list[str | None], cells: list[str], campaigns: dict[str, int]
) -> None:
    errors: list[RowError] = []
    if len(cells) > len(columns):
        errors.append(RowError(line, "", f"the row has {len(cells)} fields, the header names {len(columns)}"))
    raw: dict[str, str] = {}
    for target, cell in zip(columns, cells, strict=False):
        if target is not None:
            raw[target] = cell.strip()
    if not raw.get("country_code"):
        raw["country_code"] = "DE"
    values: dict[str, str | None] = {}
    for name, check in LEAD_CHECKS.items():
        value = raw.get(name) or None
        try:
            check(value)
        except InvalidInput as exc:
            errors.append(RowError(line, exc.field, exc.detail))
        values[name] = value
    try:
        address_check(values["postal_code"], values["country_code"])()
    except InvalidInput as exc:
        if (exc.field, exc.detail) not in {(e.field, e.message) for e in errors}:
            errors.append(RowError(line, exc.field, exc.detail))
    campaign_id = None
    campaign = raw.get("campaign")
    if campaign:
        campaign_id = campaigns.get(campaign.casefold())
        if campaign_id is None:
            errors.append(RowError(line, "campaign", f"there is no campaign '{campaign[:60]}'"))
    if errors:
        found.bad_lines += 1
        room = MAX_ERRORS - len(found.errors)
        found.errors.extend(errors[: max(room, 0)])
        return
    fields_ = LeadFields(
        company=values["company"] or "",
        contact_name=values["contact_name"] or "",
        email=values["email"],
        phone=values["phone"],
        street=values["street"],
        postal_code=values["postal_code"],
        city=values["city"],
        country_code=values["country_code"] or "DE",
        region=values["region"],
        source=values["source"] or "",
        notes=values["notes"] or "",
    )
    found.rows.append(ParsedRow(line, fields_, campaign_id))


def import_leads(
    *,
    uow: UnitOfWork,
    principal: Principal,
    text: str,
    mode: ImportMode,
    answer_hours: int | None = None,
) -> ImportResult:
    """Check the file, then import (per ``mode``) and distribute; nothing is imported when the mode
    is all-or-nothing and a row is bad (the result says which rows and why)."""
    checked = preview(uow, principal, text)
    result = ImportResult(checked)
    if checked.bad_lines and mode is ImportMode.ALL_OR_NOTHING:
        return result
    if not checked.rows:
        return result
    window: timedelta = answer_window(answer_hours)
    leads: list[Lead] = []
    for row in checked.rows:
        lead = create_lead(
            uow=uow, principal=principal, values=row.values, campaign_id=row.campaign_id, distribute_now=False
        )
        leads.append(lead)
    territories = coverages(uow)
    for lead in leads:
        if distribute(uow, principal, lead, answer_within=window, territories=territories) is not None:
            result.offered += 1
    result.imported = [lead.id for lead in leads]
    record(
        uow,
        principal,
        "lead.imported",
        "lead",
        leads[0].id,
        count=len(leads),
        skipped=checked.bad_lines,
        offered=result.offered,
    )
    return result


__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportMode",
    "ImportResult",
    "LeadStatus",
    "ParsedRow",
    "Preview",
    "RowError",
    "decode",
    "import_leads",
    "preview",
]
