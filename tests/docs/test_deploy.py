"""docs/deploy.md stays true to the code: the commands its units run parse with today's `portal`
command, the settings its environment file names are the ones the portal reads, and the tables
it tunes exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from portal.cli import main
from portal.models import Base
from tests.docs.test_configuration import variables_in_readme

DEPLOY = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")


def unit_commands() -> list[list[str]]:
    """The `portal` command lines of the systemd units (``ExecStart=``), ``%i`` as a port."""
    found = re.findall(r"ExecStart=/opt/portal/bin/portal ([^`\n]+)", DEPLOY)
    return [shlex.split(line.replace("%i", "8001")) for line in found]


def parse(args: list[str]) -> click.Context:
    """Resolve the subcommands and parse the options as `portal` would, without running anything."""
    command: click.Command = main
    parent = main.make_context("portal", list(args), resilient_parsing=True)
    rest = list(args)
    while isinstance(command, click.Group):
        name, rest = rest[0], rest[1:]
        found = command.get_command(parent, name)
        assert found is not None, f"no command {name!r} in `portal {' '.join(args)}`"
        command = found
        if isinstance(command, click.Group):
            parent = command.make_context(name, list(rest), parent=parent, resilient_parsing=True)
    return command.make_context(command.name or "", rest, parent=parent)


def test_the_units_run_commands_that_portal_accepts() -> None:
    commands = unit_commands()
    assert {tuple(c[:2]) for c in commands} == {("serve", "--host"), ("exchange", "run")}
    for args in commands:
        parse(args)  # an unknown option or a bad value raises here
    workers = [c for c in commands if "--workers" in c]
    assert workers and parse(workers[0]).params["workers"] == 4


def test_a_wrong_option_in_a_unit_would_be_caught() -> None:
    with pytest.raises(click.NoSuchOption, match="--threads"):
        parse(["serve", "--port", "8001", "--threads", "4"])
    with pytest.raises(click.BadParameter, match="not a valid integer"):
        parse(["serve", "--workers", "none"])


def test_the_environment_file_names_settings_the_portal_reads() -> None:
    block = DEPLOY.split("/etc/portal/portal.env", 1)[1].split("```ini", 1)[1].split("```", 1)[0]
    names = re.findall(r"^([A-Z_]+)=", block, re.MULTILINE)
    assert "PORTAL_SECRET_KEY" in names and "PORTAL_DATABASE_URL" in names
    assert set(names) <= variables_in_readme()


def test_the_tables_tuned_exist() -> None:
    tuned = set(re.findall(r"ALTER TABLE (\w+) SET", DEPLOY))
    assert {"events", "orders"} <= tuned
    assert tuned <= set(Base.metadata.tables)
