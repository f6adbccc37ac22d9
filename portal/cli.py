"""The `portal` command."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select

from portal.access import Principal
from portal.config import Settings
from portal.db import UnitOfWork, make_engine, make_sessionmaker, unit_of_work
from portal.errors import PortalError
from portal.exchange.profiles import create_profile
from portal.exchange.worker import run_forever
from portal.models import ExchangeProfile, Organization, OrgKind
from portal.partners import service as partners

console = Console(stderr=True)


def _stdout() -> Console:
    # Piped output is not cut to 80 columns.
    return Console() if sys.stdout.isatty() else Console(width=200)


class Context:
    def __init__(self) -> None:
        self.settings = Settings.from_env()
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def uow(self) -> Iterator[tuple[UnitOfWork, Principal]]:
        with unit_of_work(make_sessionmaker(self.engine)) as uow:
            yield uow, partners.system_principal(uow.session)


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def _org_by_slug(uow: UnitOfWork, slug: str) -> Organization:
    org = uow.session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        raise click.UsageError(f"no organization with slug {slug!r} (see `portal org list`)")
    return org


class PortalGroup(click.Group):
    """Domain errors become a one-line message and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PortalError as exc:
            raise click.ClickException(exc.message) from exc
        finally:
            context = ctx.find_object(Context)
            if context is not None:
                context.close()


@click.group(cls=PortalGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """E-CRM partner and supplier portal. Configuration comes from PORTAL_* environment variables."""
    ctx.ensure_object(Context)  # one per invocation; PortalGroup closes its engine at the end


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Create or migrate the schema to the newest version."""
    from portal.migrate import upgrade

    upgrade(ctx.engine)
    console.print(f"[green]schema is up to date[/] ({ctx.engine.dialect.name})")


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
    """Fill an empty database with deterministic, realistic demo data."""
    from portal.migrate import upgrade
    from portal.seed import seed_demo

    upgrade(ctx.engine)
    day = anchor.date() if anchor is not None else None  # type: ignore[attr-defined]
    result = seed_demo(ctx.engine, scale=scale, anchor=day, progress=True)
    console.print(
        f"[green]{result.rows:,} rows[/] in {result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s)"
    )


@main.group()
def org() -> None:
    """Organizations."""


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@pass_ctx
def org_list(ctx: Context, as_json: bool) -> None:
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
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice([k.value for k in OrgKind]), required=True)
@click.option("--parent", help="slug of the parent organization (a dealer group)")
@click.option("--gln")
@pass_ctx
def org_add(ctx: Context, slug: str, name: str, kind: str, parent: str | None, gln: str | None) -> None:
    from portal.migrate import upgrade

    upgrade(ctx.engine)
    if kind == OrgKind.OWNER.value:
        with unit_of_work(make_sessionmaker(ctx.engine)) as uow:
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
    console.print(f"created organization {created.slug} (id {created.id})")


@main.group()
def user() -> None:
    """Users."""


@user.command("add")
@click.option("--org", "org_slug", required=True)
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="repeat for several roles")
@click.option("--name")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@pass_ctx
def user_add(
    ctx: Context, org_slug: str, email: str, roles: tuple[str, ...], name: str | None, password_stdin: bool
) -> None:
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
    console.print(f"created user {created.email} (id {created.id})")


@main.group()
def token() -> None:
    """API tokens (only a hash is stored; the token is shown once)."""


@token.command("issue")
@click.option("--org", "org_slug", required=True)
@click.option("--name", required=True)
@click.option("--expires", type=int, help="days until the token expires")
@click.option("--role", "roles", multiple=True)
@pass_ctx
def token_issue(ctx: Context, org_slug: str, name: str, expires: int | None, roles: tuple[str, ...]) -> None:
    """Print a new token on stdout (nothing else goes to stdout)."""
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
    console.print(f"token {issued.token.id} for {org_slug}; store it now, it is not shown again")
    click.echo(issued.secret)


@token.command("list")
@pass_ctx
def token_list(ctx: Context) -> None:
    with ctx.uow() as (uow, principal):
        tokens = partners.list_tokens(uow.session, principal)
        table = Table("id", "org", "name", "prefix", "roles", "expires", "last used", "revoked")
        for t in tokens:
            table.add_row(
                str(t.id),
                str(t.organization_id),
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
    with ctx.uow() as (uow, principal):
        partners.revoke_token(uow=uow, principal=principal, token_id=token_id)
    console.print(f"token {token_id} revoked")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@pass_ctx
def serve(ctx: Context, host: str, port: int) -> None:
    """Serve the portal, /graphql and /healthz with uvicorn."""
    import uvicorn

    from portal.app import create_app

    uvicorn.run(create_app(ctx.settings, engine=ctx.engine), host=host, port=port, log_level="info")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--scale", type=float, default=1.0, show_default=True)
@click.pass_context
def demo(click_ctx: click.Context, host: str, port: int, scale: float) -> None:
    """Upgrade, seed if empty, print the demo logins and tokens, serve."""
    from portal.migrate import upgrade
    from portal.seed import DEMO_PASSWORD, DEMO_TOKENS, seed_demo
    from portal.seed.load import is_empty

    ctx = click_ctx.ensure_object(Context)
    ctx.settings = Settings.from_env({**os.environ, "PORTAL_DEMO": "1"})
    upgrade(ctx.engine)
    if is_empty(ctx.engine):
        result = seed_demo(ctx.engine, scale=scale, progress=True)
        console.print(f"seeded {result.rows:,} rows")
    out = _stdout()
    out.rule("demo logins (password for all: " + DEMO_PASSWORD + ")")
    for email, what in [
        ("admin@waermewerk.example", "owner admin"),
        ("vertrieb@waermewerk.example", "owner sales"),
        ("admin@nordtec.example", "supplier"),
        ("admin@haustechnik-nord.example", "dealer"),
        ("admin@haustechnik-gruppe.example", "dealer group"),
        ("admin@servicepartner-west.example", "service partner"),
    ]:
        out.print(f"  {email:40} {what}")
    out.rule("demo API tokens")
    for slug, secret in DEMO_TOKENS.items():
        out.print(f"  {slug:22} {secret}")
    inbox, outbox = _demo_exchange(ctx)
    out.rule("EDI exchange with the supplier NordTec (a local folder)")
    out.print(f"  NordTec's files for us go to: {inbox}")
    out.print(f"  our files for NordTec appear in: {outbox}")
    out.print("  route an order to NordTec, drop an ORDRSP into the first folder, watch the order change")
    out.print(f"\nportal: http://{host}:{port}/   health: http://{host}:{port}/healthz")
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        args=(make_sessionmaker(ctx.engine),),
        kwargs={"interval": 5.0, "stop": stop},
        daemon=True,
        name="exchange",
    )
    thread.start()
    try:
        click_ctx.invoke(serve, host=host, port=port)
    finally:
        stop.set()


def _demo_exchange(ctx: Context) -> tuple[Path, Path]:
    """A folder profile for the demo supplier NordTec, created once, in the working folder."""
    root = Path.cwd() / "exchange" / "nordtec"
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
        console.print(f"schema written to {output}")


# Subcommand groups that live in their own modules register themselves on import.
from portal import edi_cli, exchange_cli, order_cli  # noqa: E402, F401

if __name__ == "__main__":
    main()
