"""The `portal` command.

Starting it must stay cheap: this module imports only click and the settings. Every command imports
what it needs when it runs, and the command groups of other modules (``edi``, ``exchange``) are
imported only when they are called (:class:`PortalGroup`'s ``LAZY``), so ``portal --help`` and
``portal edi ...`` never load SQLAlchemy, Starlette or strawberry (``tests/portal/test_cli.py``).

Every command that reads the database first checks that it stands on the newest migration
(:func:`portal.migrate.check_schema`): a missing or old database is one line saying to run
``portal db upgrade``, exit code 2, and no empty database file is left behind.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

from portal.config import Settings

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from portal.access import Principal
    from portal.db import UnitOfWork
    from portal.models import Organization

# Kept here rather than imported from portal.models (which loads SQLAlchemy); a test compares them.
ROLES = ("admin", "sales", "support", "viewer", "member")
ORG_KINDS = ("owner", "dealer", "partner", "supplier")


@cache
def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)  # messages are lines: not cut at 80 columns


def _stdout() -> Console:
    from rich.console import Console

    # Piped output is not cut to 80 columns.
    return Console() if sys.stdout.isatty() else Console(width=200)


class NotReady(click.ClickException):
    """The database is missing or not migrated: exit code 2, one line."""

    exit_code = 2


class Context:
    def __init__(self) -> None:
        self.settings = Settings.from_env()
        self._engine: Engine | None = None
        self._checked = False

    def _make_engine(self) -> Engine:
        if self._engine is None:
            from portal.db import make_engine

            self._engine = make_engine(self.settings.database_url)
        return self._engine

    @property
    def engine(self) -> Engine:
        """The database, once checked to stand on the newest migration (raises SchemaNotReady)."""
        engine = self._make_engine()
        if not self._checked:
            from portal.migrate import check_schema

            check_schema(engine)
            self._checked = True
        return engine

    def upgraded_engine(self) -> Engine:
        """For the commands that may create the database: migrate it (creating it if need be)."""
        from portal.migrate import upgrade

        engine = self._make_engine()
        upgrade(engine)
        self._checked = True
        return engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def uow(self) -> Iterator[tuple[UnitOfWork, Principal]]:
        from portal.db import make_sessionmaker, unit_of_work
        from portal.partners import service as partners

        with unit_of_work(make_sessionmaker(self.engine)) as uow:
            yield uow, partners.system_principal(uow.session)


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def _org_by_slug(uow: UnitOfWork, slug: str) -> Organization:
    from sqlalchemy import select

    from portal.models import Organization

    org = uow.session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        raise click.UsageError(f"no organization with slug {slug!r} (see `portal org list`)")
    return org


class PortalGroup(click.Group):
    """Domain errors become a one-line message and exit code 1, never a traceback; a database that
    is missing or not migrated, exit code 2. Subcommand groups of other modules load on first use."""

    # name -> (module:attribute, short help for `portal --help` without importing the module)
    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "edi": (
            "portal.edi_cli:edi_group",
            "Look into, validate and convert EDIFACT, X12 and XML documents.",
        ),
        "exchange": (
            "portal.exchange_cli:exchange",
            "B2B file exchange (EDIFACT, X12, XML over SFTP or a folder).",
        ),
        "order": (
            "portal.order_cli:order",
            "Look up an order: status, lines, routed supplier, the files it travelled in.",
        ),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, attribute = self.LAZY[cmd_name][0].split(":")
            # The module also registers itself on `main` (of `portal.cli`, which under
            # `python -m portal.cli` is not this object): add it here explicitly.
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None:
                rows.append((name, self.LAZY[name][1]))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        from portal.errors import PortalError
        from portal.migrate import SchemaNotReady

        try:
            return super().invoke(ctx)
        except SchemaNotReady as exc:
            raise NotReady(exc.message) from exc
        except PortalError as exc:
            raise click.ClickException(exc.message) from exc
        finally:
            context = ctx.find_object(Context)
            if context is not None:
                context.close()


@click.group(cls=PortalGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """E-CRM partner and supplier portal.

    Configuration comes from PORTAL_* environment variables (see README.md). The database is
    $PORTAL_DATABASE_URL, else var/portal.sqlite3 below the working folder ($PORTAL_DATA_DIR
    changes the folder): run from the checkout's root, the commands reach `make demo`'s data.
    """
    ctx.ensure_object(Context)  # one per invocation; PortalGroup closes its engine at the end


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Create or migrate the schema to the newest version."""
    from portal.migrate import current_revision, describe, head_revision

    engine = ctx._make_engine()
    before = current_revision(engine)
    ctx.upgraded_engine()
    head = head_revision()
    where = f"{describe(engine)} ({engine.dialect.name})"
    if before is None:
        _console().print(f"[green]created schema at revision {head}[/] in {where}")
    elif before == head:
        _console().print(f"[green]schema is up to date at revision {head}[/] in {where}")
    else:
        _console().print(f"[green]upgraded schema from revision {before} to {head}[/] in {where}")


@db.command("search-indexes")
@pass_ctx
def db_search_indexes(ctx: Context) -> None:
    """Create the text-search indexes that are missing (after pg_trgm became available)."""
    from portal.models.search import create_search_objects

    with ctx.upgraded_engine().begin() as conn:
        create_search_objects(conn)
    _console().print("[green]search indexes are in place[/]")


@main.group()
def seed() -> None:
    """Sample data."""


@seed.command("demo")
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="1 = 500 customers, 5,000 orders, 800 cases, 3,000 activities",
)
@click.option("--anchor", type=click.DateTime(["%Y-%m-%d"]), help="'today' for the data (default: today)")
@pass_ctx
def seed_demo_cmd(ctx: Context, scale: float, anchor: object) -> None:
    """Fill an empty database with deterministic, realistic demo data (creates the schema)."""
    from portal.seed import seed_demo

    engine = ctx.upgraded_engine()
    day = anchor.date() if anchor is not None else None  # type: ignore[attr-defined]
    result = seed_demo(engine, scale=scale, anchor=day, progress=True)
    _console().print(
        f"[green]{result.rows:,} rows[/] in {result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s)"
    )


@main.group()
def stats() -> None:
    """Dashboard figures."""


@stats.command("rebuild")
@pass_ctx
def stats_rebuild(ctx: Context) -> None:
    """Recompute the stored order facts and the dashboard tallies from the orders, lines and
    invoices (after writes that bypassed the application; writers wait while it runs)."""
    import time

    from portal.summaries import rebuild

    started = time.perf_counter()
    with ctx.engine.begin() as conn:
        result = rebuild(conn)
    _console().print(
        f"[green]{result.orders:,} orders read, {result.corrected:,} corrected, "
        f"{result.tally_rows:,} tally rows[/] in {time.perf_counter() - started:.1f} s"
    )


@main.group()
def org() -> None:
    """Organizations."""


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@pass_ctx
def org_list(ctx: Context, as_json: bool) -> None:
    """List every organization: slug, name, kind, parent (a dealer group) and GLN."""
    from rich.table import Table

    from portal.partners import service as partners

    with ctx.uow() as (uow, principal):
        orgs = partners.list_organizations(uow.session, principal)
        parents = {o.id: o.slug for o in orgs}
        rows = [
            {
                "id": o.id,
                "slug": o.slug,
                "name": o.name,
                "kind": o.kind.value,
                "parent": parents.get(o.parent_id) if o.parent_id else None,
                "gln": o.gln,
            }
            for o in orgs
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("id", "slug", "name", "kind", "parent", "gln")
    for row in rows:
        table.add_row(*(str(row[k] or "") for k in ("id", "slug", "name", "kind", "parent", "gln")))
    _stdout().print(table)


@org.command("add")
@click.option("--slug", required=True, help="short unique name used by the other commands (--org SLUG)")
@click.option("--name", required=True, help="display name")
@click.option(
    "--kind", type=click.Choice(ORG_KINDS), required=True, help="the first organization is the owner"
)
@click.option("--parent", help="slug of the parent organization (a dealer group)")
@click.option("--gln", help="13-digit Global Location Number (EDI party id)")
@pass_ctx
def org_add(ctx: Context, slug: str, name: str, kind: str, parent: str | None, gln: str | None) -> None:
    """Add an organization; `--kind owner` once, on a new database (creates the schema)."""
    from portal.db import make_sessionmaker, unit_of_work
    from portal.models import OrgKind
    from portal.partners import service as partners

    engine = ctx.upgraded_engine()
    if kind == OrgKind.OWNER.value:
        with unit_of_work(make_sessionmaker(engine)) as uow:
            created = partners.bootstrap_owner(uow=uow, slug=slug, name=name)
    else:
        with ctx.uow() as (uow, principal):
            parent_id = _org_by_slug(uow, parent).id if parent else None
            created = partners.create_organization(
                uow=uow,
                principal=principal,
                slug=slug,
                name=name,
                kind=OrgKind(kind),
                parent_id=parent_id,
                gln=gln,
            )
    _console().print(f"created organization {created.slug} (id {created.id})")


@main.group()
def user() -> None:
    """Users."""


@user.command("add")
@click.option("--org", "org_slug", required=True, help="slug of the user's organization")
@click.option("--email", required=True, help="the login")
@click.option(
    "--role",
    "roles",
    type=click.Choice(ROLES),
    multiple=True,
    required=True,
    help="repeat for several roles; owner staff: admin, sales, support, viewer; other organizations: "
    "admin, member",
)
@click.option("--name", help="display name (default: the e-mail address before the @)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@pass_ctx
def user_add(
    ctx: Context, org_slug: str, email: str, roles: tuple[str, ...], name: str | None, password_stdin: bool
) -> None:
    """Add a user who logs in to the web portal (the password is asked for, or read with
    --password-stdin)."""
    from portal.partners import service as partners

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    with ctx.uow() as (uow, principal):
        target = _org_by_slug(uow, org_slug)
        created = partners.add_user(
            uow=uow,
            principal=principal,
            organization_id=target.id,
            email=email,
            name=name or email.split("@")[0],
            password=password,
            roles=set(roles),
        )
    _console().print(f"created user {created.email} (id {created.id})")


@main.group()
def token() -> None:
    """API tokens (only a hash is stored; the token is shown once)."""


@token.command("issue")
@click.option("--org", "org_slug", required=True, help="slug of the organization the token acts for")
@click.option("--name", required=True, help="what the token is for, e.g. the system using it")
@click.option("--expires", type=int, help="days until the token expires (default: never)")
@click.option(
    "--role",
    "roles",
    type=click.Choice(ROLES),
    multiple=True,
    help="repeat for several (default: sales for the owner, member for others)",
)
@pass_ctx
def token_issue(ctx: Context, org_slug: str, name: str, expires: int | None, roles: tuple[str, ...]) -> None:
    """Print a new token on stdout (nothing else goes to stdout)."""
    from portal.partners import service as partners

    with ctx.uow() as (uow, principal):
        target = _org_by_slug(uow, org_slug)
        issued = partners.issue_token(
            uow=uow,
            principal=principal,
            organization_id=target.id,
            name=name,
            expires_in_days=expires,
            roles=set(roles) or None,
        )
    _console().print(f"token {issued.token.id} for {org_slug}; store it now, it is not shown again")
    click.echo(issued.secret)


@token.command("list")
@pass_ctx
def token_list(ctx: Context) -> None:
    """List the API tokens: id (for `token revoke`), organization, name, the secret's first
    characters, roles, expiry, last use, revocation."""
    from rich.table import Table

    from portal.partners import service as partners

    with ctx.uow() as (uow, principal):
        tokens = partners.list_tokens(uow.session, principal)
        slugs = {o.id: o.slug for o in partners.list_organizations(uow.session, principal)}
        table = Table("id", "org", "name", "prefix", "roles", "expires", "last used", "revoked")
        for t in tokens:
            table.add_row(
                str(t.id),
                slugs.get(t.organization_id, str(t.organization_id)),
                t.name,
                t.prefix + "…",
                t.roles,
                str(t.expires_at or ""),
                str(t.last_used_at or ""),
                str(t.revoked_at or ""),
            )
    _stdout().print(table)


@token.command("revoke")
@click.argument("token_id", type=int)
@pass_ctx
def token_revoke(ctx: Context, token_id: int) -> None:
    """Revoke the token with this id (see `token list`); it stops working on its next request."""
    from portal.partners import service as partners

    with ctx.uow() as (uow, principal):
        partners.revoke_token(uow=uow, principal=principal, token_id=token_id)
    _console().print(f"token {token_id} revoked")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="server processes on this port (uvicorn's own process manager restarts one that dies)",
)
@pass_ctx
def serve(ctx: Context, host: str, port: int, workers: int) -> None:
    """Serve the portal, /graphql and /healthz with uvicorn (the database must be upgraded).

    Every process, of this command or of another started on the same data folder, signs session
    cookies with one key: $PORTAL_SECRET_KEY, else the one kept in $PORTAL_DATA_DIR/secret_key
    (made on first start). Processes on several machines need PORTAL_SECRET_KEY (docs/deploy.md)."""
    from portal.config import SECRET_KEY_FILE, SecretKeyError

    engine = ctx.engine  # refuses a missing or old database before anything listens
    try:
        settings = ctx.settings.for_serving()
    except SecretKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    if not ctx.settings.secret_key_shared:
        _console().print(
            f"session key: {settings.data_dir / SECRET_KEY_FILE} (set PORTAL_SECRET_KEY when serving"
            " from more than one machine)"
        )
    import uvicorn

    # X-Forwarded-Proto/-For only from the proxies named in PORTAL_TRUST_PROXY (docs/security.md).
    trusted = settings.trust_proxy
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": trusted is not None,
        "forwarded_allow_ips": trusted,
    }
    if workers == 1:
        from portal.app import create_app

        uvicorn.run(create_app(settings, engine=engine), **options)
        return
    # Each process builds its own application, settings and database pool (portal.app.serve_app):
    # uvicorn spawns them and needs the application by name. A process starts in seconds, more on a
    # busy machine: uvicorn's default of 5 s to answer its health check would have it killed.
    ctx.close()
    uvicorn.run(
        "portal.app:serve_app", factory=True, workers=workers, timeout_worker_healthcheck=30, **options
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--scale", type=float, default=1.0, show_default=True, help="size of the demo data when seeding"
)
@click.option(
    "--simulate-partner/--no-simulate-partner",
    default=True,
    show_default=True,
    help="a simulated NordTec answers the orders routed to it (`portal exchange simulate`)",
)
@click.option(
    "--partner-delay",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="the simulated NordTec's delay before each answer",
)
@click.pass_context
def demo(
    click_ctx: click.Context,
    host: str,
    port: int,
    scale: float,
    simulate_partner: bool,
    partner_delay: float,
) -> None:
    """Upgrade, seed if empty, print the demo logins and tokens, run the exchange worker and the
    simulated supplier NordTec, serve."""
    import threading
    from contextlib import ExitStack

    from portal.config import SecretKeyError
    from portal.db import make_sessionmaker
    from portal.exchange.worker import run_forever
    from portal.migrate import describe
    from portal.notify.mail import mail_folder
    from portal.seed import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOKENS, seed_demo
    from portal.seed.load import is_empty

    ctx = click_ctx.ensure_object(Context)
    # One key for the server and the worker thread (the worker signs the unsubscribe links the
    # server checks), and the worker's mail links point at this server unless PORTAL_BASE_URL says.
    shown = "localhost" if host in ("0.0.0.0", "::", "") else f"[{host}]" if ":" in host else host  # noqa: S104
    try:
        ctx.settings = (
            Settings.from_env({**os.environ, "PORTAL_DEMO": "1"})
            .with_base_url(f"http://{shown}:{port}")
            .for_serving()
        )
    except SecretKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    engine = ctx._make_engine()
    _console().print(f"database: {describe(engine)} ({engine.dialect.name})")
    ctx.upgraded_engine()
    if is_empty(engine):
        result = seed_demo(engine, scale=scale, progress=True)
        _console().print(f"seeded {result.rows:,} rows")
    out = _stdout()
    out.rule("demo logins (password for all: " + DEMO_PASSWORD + ")")
    for email, what in DEMO_LOGINS:
        out.print(f"  {email:40} {what}")
    out.rule("demo API tokens")
    for slug, secret in DEMO_TOKENS.items():
        out.print(f"  {slug:22} {secret}")
    inbox, outbox = _demo_exchange(ctx)
    out.rule("EDI exchange with the supplier NordTec (a local folder)")
    out.print(f"  NordTec's files for us go to: {inbox}")
    out.print(f"  our files for NordTec appear in: {outbox}")
    if simulate_partner:
        out.print(
            f"  a simulated NordTec answers routed orders: order response, ship notice and invoice,"
            f" {partner_delay:g} s apart (--no-simulate-partner: answer yourself)"
        )
    else:
        out.print(
            "  route an order to NordTec, drop its answer into the first folder, watch the order change"
        )
    out.rule("e-mail")
    folder = mail_folder(ctx.settings)
    if folder is not None:
        out.print(f"  no SMTP server configured (PORTAL_SMTP_HOST): mails are written to {folder}")
        out.print(f"  and shown to the owner admin at http://{host}:{port}/admin/mail")
    else:
        out.print(f"  mails go through {ctx.settings.smtp_host}")
    out.print(f"\ndatabase: {describe(engine)}   ({_commands_hint(os.environ, Path.cwd())})")
    out.print(f"portal: http://{host}:{port}/   health: http://{host}:{port}/healthz")
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        args=(make_sessionmaker(engine),),
        kwargs={
            "interval": 5.0,
            "stop": stop,
            "max_file_bytes": ctx.settings.exchange_max_file_bytes,
            "settings": ctx.settings,
        },
        daemon=True,
        name="exchange",
    )
    thread.start()
    try:
        with ExitStack() as background:
            if simulate_partner:
                from portal.simulator_cli import demo_partner

                background.enter_context(demo_partner(ctx, partner_delay))
            click_ctx.invoke(serve, host=host, port=port)
    finally:
        stop.set()


def _commands_hint(environ: Mapping[str, str], cwd: Path) -> str:
    """How other `portal` commands reach the demo's database: by the variable that chose it, or,
    with neither set, by running them from the same folder (var/ below it)."""
    if environ.get("PORTAL_DATABASE_URL"):
        return "the `portal` commands use it where PORTAL_DATABASE_URL is exported with the same value"
    if environ.get("PORTAL_DATA_DIR"):
        folder = Path(environ["PORTAL_DATA_DIR"]).resolve()
        return f"for the `portal` commands to use it: export PORTAL_DATA_DIR={folder}"
    return f"the `portal` commands run from {cwd} use it"


def _demo_exchange(ctx: Context) -> tuple[Path, Path]:
    """A folder profile for the demo supplier NordTec, created once, below the data folder."""
    from sqlalchemy import select

    from portal.exchange.profiles import create_profile
    from portal.models import ExchangeProfile, Organization

    root = ctx.settings.data_dir / "exchange" / "nordtec"
    with ctx.uow() as (uow, principal):
        org = _org_by_slug(uow, "nordtec")
        if not uow.session.scalar(
            select(ExchangeProfile.id).where(ExchangeProfile.organization_id == org.id)
        ):
            owner = uow.session.get_one(Organization, principal.org_id)
            create_profile(
                uow=uow,
                principal=principal,
                organization_id=org.id,
                transport="folder",
                settings={"root": str(root)},
                partner_id=org.gln or org.slug,
                our_id=owner.gln or owner.slug,
                format="edifact",
            )
    for sub in ("out", "in", "archive"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root / "out", root / "in"


@main.group()
def gql() -> None:
    """The GraphQL contract."""


@gql.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="write here instead of standard output")
def gql_export(output: str | None) -> None:
    """Print the schema in SDL (graphql/schema.graphql is this output)."""
    from portal.gql.schema import schema_sdl

    sdl = schema_sdl()
    if output is None:
        click.echo(sdl, nl=False)
    else:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(sdl)
        _console().print(f"schema written to {output}")


if __name__ == "__main__":
    main()
