from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from portal.cli import main
from portal.db import make_engine
from portal.models import Activity, ApiToken, Case, Customer, Order, OrderTally, Organization, OrgKind
from portal.partners.service import authenticate_token


@pytest.fixture
def runner(empty_database_url: str) -> CliRunner:
    return CliRunner(env={"PORTAL_DATABASE_URL": empty_database_url})


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "seed", "org", "user", "token", "serve", "demo", "stats"):
        assert f"  {command} " in result.output


def test_seed_demo_creates_the_demo_world_at_scale(runner: CliRunner, empty_database_url: str) -> None:
    result = runner.invoke(main, ["seed", "demo", "--scale", "0.1", "--anchor", "2026-03-02"])
    assert result.exit_code == 0, result.output
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as conn:

            def count(model: type, *where: object) -> int:
                return conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

            assert count(Customer) == 50 and count(Order) == 500 and count(Case) == 80
            assert count(Activity) == 300
            kinds = dict(
                conn.execute(select(Organization.kind, func.count()).group_by(Organization.kind)).all()
            )
            assert kinds[OrgKind.SUPPLIER] >= 3 and kinds[OrgKind.PARTNER] == 2
            assert kinds[OrgKind.DEALER] == 4  # a group with two branches and an independent dealer
            assert count(Organization, Organization.parent_id.is_not(None)) == 2
    finally:
        engine.dispose()
    again = runner.invoke(main, ["seed", "demo", "--scale", "0.1"])
    assert again.exit_code == 1 and "already has data" in again.output


def test_seed_is_deterministic() -> None:
    from datetime import date

    from portal.seed.plan import plan_demo

    first = plan_demo(scale=0.02, anchor=date(2026, 3, 2), password_hash="x")
    second = plan_demo(scale=0.02, anchor=date(2026, 3, 2), password_hash="x")
    assert first.tables == second.tables and first.row_count > 500


def test_org_list_json_and_token_issue_prints_only_the_token(
    runner: CliRunner, empty_database_url: str
) -> None:
    assert (
        runner.invoke(
            main, ["org", "add", "--slug", "acme", "--name", "ACME AG", "--kind", "owner"]
        ).exit_code
        == 0
    )
    added = runner.invoke(main, ["org", "add", "--slug", "lief", "--name", "Lieferant", "--kind", "supplier"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(main, ["org", "list", "--json"])
    assert [o["slug"] for o in json.loads(listed.stdout)] == ["acme", "lief"]
    issued = runner.invoke(main, ["token", "issue", "--org", "lief", "--name", "ERP", "--expires", "30"])
    assert issued.exit_code == 0, issued.output
    secret = issued.stdout.strip()
    assert secret.startswith("ptk_") and "\n" not in secret
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(ApiToken.token_hash)).scalar_one() != secret
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            assert authenticate_token(session, secret).org_kind is OrgKind.SUPPLIER
    finally:
        engine.dispose()
    revoked = runner.invoke(main, ["token", "revoke", "1"])
    assert revoked.exit_code == 0, revoked.output


def test_user_add_reads_password_from_stdin_and_rejects_bad_role(runner: CliRunner) -> None:
    runner.invoke(main, ["org", "add", "--slug", "acme", "--name", "ACME AG", "--kind", "owner"])
    ok = runner.invoke(
        main,
        ["user", "add", "--org", "acme", "--email", "a@acme.example", "--role", "sales", "--password-stdin"],
        input="ein-langes-passwort\n",
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        main,
        ["user", "add", "--org", "acme", "--email", "b@acme.example", "--role", "member", "--password-stdin"],
        input="ein-langes-passwort\n",
    )
    assert bad.exit_code == 1 and "roles: unknown for a owner organization: member" in bad.output


def test_the_app_settles_its_heap_at_startup(engine: object) -> None:
    import gc

    from starlette.testclient import TestClient

    from portal.app import create_app
    from portal.config import Settings

    gc.unfreeze()
    with TestClient(create_app(Settings(secret_key="s" * 32), engine=engine)) as client:  # type: ignore[arg-type]
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0  # startup moved the long-lived objects out of the collector's way
    gc.unfreeze()


# --- a database that is missing, empty or behind: one line, `portal db upgrade`, nothing created ---

NEEDS_SCHEMA = [
    ["org", "list"],
    ["token", "list"],
    ["token", "issue", "--org", "nordtec", "--name", "ERP"],
    ["token", "revoke", "1"],
    ["user", "add", "--org", "acme", "--email", "a@acme.example", "--role", "sales", "--password-stdin"],
    ["exchange", "profile", "list"],
    ["exchange", "records"],
    ["exchange", "run", "--once"],
]


@pytest.mark.parametrize("args", NEEDS_SCHEMA, ids=lambda a: " ".join(a[:2]))
def test_a_database_never_upgraded_is_one_line_and_nothing_is_created(
    runner: CliRunner, empty_database_url: str, args: list[str]
) -> None:
    result = runner.invoke(main, args, input="ein-langes-passwort\n")
    assert result.exit_code == 2, result.output
    assert "run `portal db upgrade`" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    if empty_database_url.startswith("sqlite"):
        assert not Path(empty_database_url.removeprefix("sqlite:///")).exists()  # no empty file left


def test_a_database_at_an_older_migration_names_both_revisions(
    runner: CliRunner, empty_database_url: str
) -> None:
    from portal.migrate import head_revision, upgrade

    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0002")
    finally:
        engine.dispose()
    result = runner.invoke(main, ["org", "list"])
    assert result.exit_code == 2, result.output
    assert (
        f"is at revision 0002, this portal needs {head_revision()}: run `portal db upgrade`" in result.output
    )
    upgraded = runner.invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0 and f"from revision 0002 to {head_revision()}" in upgraded.output
    added = runner.invoke(main, ["org", "add", "--slug", "acme", "--name", "ACME", "--kind", "owner"])
    assert added.exit_code == 0, added.output
    assert [o["slug"] for o in json.loads(runner.invoke(main, ["org", "list", "--json"]).stdout)] == ["acme"]


def test_db_upgrade_says_it_created_the_schema_then_that_it_is_up_to_date(runner: CliRunner) -> None:
    from portal.migrate import head_revision

    first = runner.invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0 and f"created schema at revision {head_revision()}" in first.output
    second = runner.invoke(main, ["db", "upgrade"])
    assert second.exit_code == 0 and f"schema is up to date at revision {head_revision()}" in second.output


def test_serve_refuses_a_database_never_upgraded(empty_database_url: str) -> None:
    env = {**os.environ, "PORTAL_DATABASE_URL": empty_database_url}
    process = subprocess.run(
        [sys.executable, "-m", "portal.cli", "serve", "--port", "1"],  # port 1: it must stop before binding
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 2, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and "run `portal db upgrade`" in lines[0], process.stderr
    if empty_database_url.startswith("sqlite"):
        assert not Path(empty_database_url.removeprefix("sqlite:///")).exists()


def test_serve_refuses_fewer_than_one_worker(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--workers", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--workers': 0 is not in the range x>=1" in result.output


def test_serve_without_a_key_or_a_usable_data_folder_says_how_to_fix_it(
    runner: CliRunner, empty_database_url: str, tmp_path: Path
) -> None:
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("")
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_SECRET_KEY"}
    env |= {"PORTAL_DATABASE_URL": empty_database_url, "PORTAL_DATA_DIR": str(not_a_folder)}
    process = subprocess.run(
        [sys.executable, "-m", "portal.cli", "serve", "--port", "1"],  # port 1: it must stop before binding
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 1, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert lines[0].startswith(f"Error: cannot keep a session key in {not_a_folder / 'secret_key'}: ")
    assert "set PORTAL_SECRET_KEY" in lines[0]


# --- one default location for the database ---


def test_the_default_database_is_in_the_data_folder_below_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.config import Settings

    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}).database_url == f"sqlite:///{tmp_path / 'var' / 'portal.sqlite3'}"
    assert Settings.from_env({}).data_dir == tmp_path / "var"
    elsewhere = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path / "data")})
    assert elsewhere.database_url == f"sqlite:///{tmp_path / 'data' / 'portal.sqlite3'}"
    explicit = Settings.from_env({"PORTAL_DATA_DIR": "x", "PORTAL_DATABASE_URL": "sqlite:///y.db"})
    assert explicit.database_url == "sqlite:///y.db"


def test_every_command_reaches_the_database_created_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"PORTAL_DATABASE_URL": "", "PORTAL_DATA_DIR": ""})
    assert (
        runner.invoke(main, ["org", "add", "--slug", "acme", "--name", "ACME", "--kind", "owner"]).exit_code
        == 0
    )
    assert (tmp_path / "var" / "portal.sqlite3").exists()
    issued = runner.invoke(main, ["token", "issue", "--org", "acme", "--name", "ERP"])
    assert issued.exit_code == 0, issued.output
    listed = runner.invoke(main, ["token", "list"])
    assert listed.exit_code == 0 and " acme " in listed.stdout  # the organization's slug, not its id


# --- help texts and start time ---


def _commands(
    group: click.Group, ctx: click.Context, prefix: str = ""
) -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, click.Context(command, parent=ctx), f"{prefix}{name} ")


def test_every_command_has_a_description() -> None:
    ctx = click.Context(main)
    found = dict(_commands(main, ctx))
    assert {
        "org add",
        "org list",
        "user add",
        "token list",
        "token revoke",
        "exchange profile add",
    } <= found.keys()
    missing = [name for name, command in found.items() if not (command.help or "").strip()]
    assert not missing, f"commands without a description: {missing}"


def test_role_and_kind_choices_are_the_models_roles_and_kinds() -> None:
    from portal.cli import ORG_KINDS, ROLES
    from portal.models import EXTERNAL_ROLES, OWNER_ROLES

    assert set(ROLES) == OWNER_ROLES | EXTERNAL_ROLES
    assert set(ORG_KINDS) == {k.value for k in OrgKind}
    result = CliRunner().invoke(main, ["user", "add", "--help"])
    assert "[admin|sales|support|viewer|member]" in result.output


def test_exchange_help_gives_units_and_marks_sftp_options() -> None:
    run_help = CliRunner().invoke(main, ["exchange", "run", "--help"]).output
    assert "--interval SECONDS" in run_help
    add_help = CliRunner().invoke(main, ["exchange", "profile", "add", "--help"]).output
    for option in ("--host", "--username", "--key-file", "--known-hosts"):
        line = next(line for line in add_help.splitlines() if line.strip().startswith(option))
        assert "sftp" in line, line


HEAVY = ("sqlalchemy", "starlette", "strawberry", "uvicorn", "alembic")
PROBE = """
import json, sys
from portal.cli import main
try:
    main(sys.argv[1:], prog_name="portal")
except SystemExit:
    pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args", [["--help"], ["edi", "inspect", "--json", "ORDERS"]], ids=["help", "edi inspect"]
)
def test_help_and_edi_start_without_the_database_and_web_stack(args: list[str]) -> None:
    from tests.portal.test_edi_cli import ORDERS

    argv = [str(ORDERS) if a == "ORDERS" else a for a in args]
    process = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60, check=False
    )
    loaded = set(json.loads(process.stderr.strip().splitlines()[-1]))
    assert "click" in loaded and ("edi" in loaded) == (args[0] == "edi")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_stats_rebuild_repairs_facts_and_tallies_written_past_the_application(
    runner: CliRunner, empty_database_url: str
) -> None:
    seeded = runner.invoke(main, ["seed", "demo", "--scale", "0.05", "--anchor", "2026-03-02"])
    assert seeded.exit_code == 0, seeded.output
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:  # a repair by hand that the flush hook never saw
            waiting = conn.execute(select(Order.id).where(Order.awaiting_confirmation).limit(1)).scalar_one()
            conn.execute(
                Order.__table__.update().where(Order.id == waiting).values(awaiting_confirmation=False)
            )
            conn.execute(OrderTally.__table__.update().values(n=OrderTally.n + 7))
        result = runner.invoke(main, ["stats", "rebuild"])
        assert result.exit_code == 0, result.output
        assert "1 corrected" in result.output
        with engine.connect() as conn:
            assert conn.execute(select(Order.awaiting_confirmation).where(Order.id == waiting)).scalar_one()
            drafts = conn.execute(select(func.count()).where(Order.current_status == "draft")).scalar_one()
            tally = select(OrderTally.n).where(OrderTally.org_id == 0, OrderTally.key == "draft")
            assert drafts > 0 and conn.execute(tally).scalar_one() == drafts
    finally:
        engine.dispose()
