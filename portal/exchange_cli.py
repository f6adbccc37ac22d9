"""`portal exchange ...`: profiles, the worker, the ledger."""

from __future__ import annotations

import json
import logging
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access import Principal
from portal.cli import Context, _org_by_slug, _stdout, main, pass_ctx
from portal.config import SecretKeyError, Settings
from portal.db import make_sessionmaker, unit_of_work
from portal.exchange import handling, ledger, worker
from portal.exchange.profiles import EINVOICE_POLICIES, OUTBOUND_FORMATS, create_profile, list_profiles
from portal.models import Organization
from portal.notify.mailing import DEFAULT_BASE_URL
from portal.partners.service import system_principal
from portal.reading import MAX_PAGE_SIZE, PageRequest

console = Console(stderr=True)


@main.group()
def exchange() -> None:
    """B2B file exchange (EDIFACT, X12, XML over SFTP or a folder)."""


@exchange.group()
def profile() -> None:
    """Exchange profiles per organization."""


@profile.command("add")
@click.option("--org", "org_slug", required=True)
@click.option("--transport", type=click.Choice(["folder", "sftp"]), required=True)
@click.option("--root", help="folder transport: the partner's folder")
@click.option("--host", help="sftp: the server's host name")
@click.option("--port", type=int, default=22, show_default=True, help="sftp: the server's port")
@click.option("--username", help="sftp: the login on the server")
@click.option("--key-file", help="sftp: path of the private key")
@click.option("--known-hosts", help="sftp: the pinned known_hosts line of the server")
@click.option("--format", "fmt", type=click.Choice(OUTBOUND_FORMATS), default="edifact", show_default=True)
@click.option("--version", help="message version, e.g. D96A, D01B, 004010")
@click.option("--partner-id", required=True, help="the partner's interchange id (e.g. its GLN)")
@click.option("--our-id", required=True, help="our interchange id towards this partner")
@click.option("--inbox", default="out", show_default=True, help="where the partner leaves files for us")
@click.option("--outbox", default="in", show_default=True, help="where we leave files for the partner")
@click.option(
    "--invalid-einvoices",
    type=click.Choice(EINVOICE_POLICIES),
    default="reject",
    show_default=True,
    help="inbound e-invoices breaking their rules (XRechnung, EN 16931, Factur-X): reject them with a "
    "negative acknowledgement naming the rules, or accept them with the findings on the record",
)
@pass_ctx
def profile_add(
    ctx: Context,
    org_slug: str,
    transport: str,
    root: str | None,
    host: str | None,
    port: int,
    username: str | None,
    key_file: str | None,
    known_hosts: str | None,
    fmt: str,
    version: str | None,
    partner_id: str,
    our_id: str,
    inbox: str,
    outbox: str,
    invalid_einvoices: str,
) -> None:
    """Add the exchange profile of a partner organization: how its files travel (a folder or SFTP),
    the format we send, and the interchange ids. Options marked "sftp:" are for --transport sftp."""
    settings: dict[str, object] = (
        {"root": root}
        if transport == "folder"
        else {
            "host": host,
            "port": port,
            "username": username,
            "key_file": key_file,
            "known_hosts": known_hosts,
        }
    )
    with ctx.uow() as (uow, principal):
        org = _org_by_slug(uow, org_slug)
        created = create_profile(
            uow=uow,
            principal=principal,
            organization_id=org.id,
            transport=transport,
            settings=settings,
            partner_id=partner_id,
            our_id=our_id,
            format=fmt,
            version=version,
            inbox=inbox,
            outbox=outbox,
            invalid_einvoices=invalid_einvoices,
        )
    console.print(f"exchange profile {created.id} for {org_slug}")


@profile.command("list")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@pass_ctx
def profile_list(ctx: Context, as_json: bool) -> None:
    """List the exchange profiles: organization, transport, format, partner id and folder or host."""
    with ctx.uow() as (uow, principal):
        orgs = {o.id: o.slug for o in uow.session.scalars(select(Organization))}
        rows = [
            {
                "id": p.id,
                "organization": orgs[p.organization_id],
                "transport": p.transport,
                "format": p.format,
                "version": p.version,
                "partner_id": p.partner_id,
                "inbox": p.inbox,
                "outbox": p.outbox,
                "settings": {k: v for k, v in p.settings.items() if k != "password"},
                "enabled": p.enabled,
                "invalid_einvoices": p.invalid_einvoices,
            }
            for p in list_profiles(uow.session, principal)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "organization", "transport", "format", "partner id", "where", "invalid e-invoices")
    for row in rows:
        where = row["settings"].get("root") or row["settings"].get("host")  # type: ignore[union-attr]
        table.add_row(
            str(row["id"]),
            str(row["organization"]),
            str(row["transport"]),
            str(row["format"]),
            str(row["partner_id"]),
            str(where),
            str(row["invalid_einvoices"]),
        )
    _stdout().print(table)


@exchange.command("run")
@click.option("--once", is_flag=True, help="one pass over every profile, then exit")
@click.option(
    "--interval",
    type=float,
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="seconds between passes (without --once)",
)
@pass_ctx
def run(ctx: Context, once: bool, interval: float) -> None:
    """The worker: poll inboxes, apply files, send outbound files and acknowledgements, notify
    (outbox events and due occasions -> users' inboxes), send mail, prepare large CSV exports."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    factory = make_sessionmaker(ctx.engine)
    settings = worker_settings(ctx)
    limit = settings.exchange_max_file_bytes
    if once:
        from portal.exports import run_exports_once

        report = worker.run_once(factory, max_file_bytes=limit, settings=settings)
        exports = run_exports_once(factory)
        report.errors += exports.errors
        console.print(
            f"stored {report.stored}, duplicates {report.duplicates}, refused {report.refused}, "
            f"processed {report.processed}, queued {report.queued}, sent {report.sent}, "
            f"notified {report.notified}, mailed {report.mailed}, webhook attempts {report.webhooks}; "
            f"exports prepared {exports.finished}, failed {exports.failed}, expired {exports.expired}"
        )
        for error in report.errors:
            console.print(f"[red]error:[/] {error}")
        raise SystemExit(1 if report.errors else 0)
    worker.run_forever(factory, interval=interval, max_file_bytes=limit, settings=settings)


def worker_settings(ctx: Context) -> Settings:
    """The worker's settings: the key `portal serve` uses on this data folder (the unsubscribe links
    it signs are checked by the web process), and a warning when PORTAL_BASE_URL is unset (the links
    in notification mails would point at http://localhost:8000)."""
    try:
        settings = ctx.settings.for_serving()
    except SecretKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    if settings.base_url is None:
        console.print(
            f"[yellow]warning:[/] PORTAL_BASE_URL is not set: links in notification mails point at"
            f" {DEFAULT_BASE_URL}; set it to the address users reach the portal at"
            " (e.g. https://portal.example.com)"
        )
    return settings


@exchange.command("records")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=int, default=50, show_default=True)
@pass_ctx
def records(ctx: Context, as_json: bool, limit: int) -> None:
    """The exchange ledger, newest first."""
    factory = make_sessionmaker(ctx.engine)
    with factory() as session:
        principal = system_principal(session)  # fails clearly on an empty installation
        found: list[Any] = []  # the ledger's read model, page by page, as the portal lists it
        request = PageRequest(first=min(max(limit, 0), MAX_PAGE_SIZE))
        while len(found) < limit:
            page = ledger.list_records(session, principal, page=request)
            found += page.items
            if not page.has_next_page:
                break
            request = PageRequest(first=min(limit - len(found), MAX_PAGE_SIZE), after=page.end_cursor)
        rows = record_rows(session, principal, found)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "dir", "state", "partner", "file", "type", "answers", "error")
    for row in rows:
        answers = row["answers"]
        table.add_row(
            str(row["id"]),
            str(row["direction"]),
            str(row["state"]),
            str(row["organization"]["slug"] if row["organization"] else ""),
            str(row["filename"]),
            str(row["type"] or ""),
            f"{answers['id']} {answers['filename']}" if answers else "",
            str(row["error"] or "")[:80],
        )
    _stdout().print(table)


def record_rows(session: Session, principal: Principal, found: list[Any]) -> list[dict[str, Any]]:
    """The ledger's records (or rows of them) as JSON-ready rows: the partner organization (slug,
    name), and for an acknowledgement the file it answers."""
    orgs = ledger.organizations_of(session, principal, found)
    answered = ledger.answered_records(session, principal, found)
    rows = []
    for r in found:
        org = orgs.get(r.organization_id)
        answers = answered.get(r.id)
        rows.append(
            {
                "id": r.id,
                "direction": r.direction.value,
                "state": r.state.value,
                "organization": {"slug": org.slug, "name": org.name} if org else None,
                "filename": r.filename,
                "format": r.format,
                "type": r.message_type,
                "reference": r.interchange_ref,
                "answers": (
                    {"id": answers.id, "filename": answers.filename, "direction": answers.direction.value}
                    if answers
                    else None
                ),
                "acknowledged_by": r.ack_record_id,
                "error": r.error,
                "created_at": r.created_at.isoformat(),
            }
        )
    return rows


@exchange.command("reprocess")
@click.argument("record_id", type=int)
@pass_ctx
def reprocess(ctx: Context, record_id: int) -> None:
    """Queue an inbound file of which nothing was applied (failed, stuck or duplicate) again."""
    with unit_of_work(make_sessionmaker(ctx.engine)) as uow:
        handling.reprocess(uow=uow, principal=system_principal(uow.session), record_id=record_id)
    console.print(f"record {record_id} queued again; it is applied on the next run")


@exchange.command("discard")
@click.argument("record_id", type=int)
@pass_ctx
def discard(ctx: Context, record_id: int) -> None:
    """Give up on an inbound file of which nothing was applied: kept in the ledger, never processed."""
    with unit_of_work(make_sessionmaker(ctx.engine)) as uow:
        handling.discard(uow=uow, principal=system_principal(uow.session), record_id=record_id)
    console.print(f"record {record_id} discarded")


from portal.simulator_cli import simulate  # noqa: E402  (a module of its own: `exchange simulate`)

exchange.add_command(simulate)
