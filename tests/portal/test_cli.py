from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from portal.cli import main
from portal.db import make_engine
from portal.models import Activity, ApiToken, Case, Customer, Order, Organization, OrgKind
from portal.partners.service import authenticate_token


@pytest.fixture
def runner(empty_database_url: str) -> CliRunner:
    return CliRunner(env={"PORTAL_DATABASE_URL": empty_database_url})


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "seed", "org", "user", "token", "serve", "demo"):
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
