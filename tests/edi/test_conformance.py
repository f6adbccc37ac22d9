"""Every file of ``../shared/conformance`` (301 public test files of 15 other projects) comes out as
its ``manifest.json`` says, through the commands a user runs and through a round trip.

Expectations (see ``../shared/conformance/SOURCES.md``):

- ``valid``: ``portal edi inspect`` and ``portal edi validate`` exit 0;
- ``parse``: ``inspect`` exits 0;
- ``invalid``: ``validate`` exits 1 and, where the manifest marks the rule strict, names it;
- ``reject``: ``inspect`` and ``validate`` exit 1 with a reason;
- ``unsupported``: any clean answer (exit 0 or 1), never a crash.

Every readable message of a ``valid`` or ``parse`` file is decoded, encoded in its own format and
decoded again, and must come back equal. Validation runs with the official rule distribution of
``../shared/corpus/xml`` (``EDI_SCHEMA_DIR``), as the KoSIT validator would.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import edi
from edi.errors import NotAnInvoiceError
from portal.cli import main
from tests.edi.corpus import CORPUS

CONFORMANCE = CORPUS.parent / "conformance"


def _manifest() -> list[dict[str, Any]]:
    path = CONFORMANCE / "manifest.json"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"conformance manifest {path} is missing")
        pytest.skip(f"{path} not present", allow_module_level=True)
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return entries


MANIFEST = _manifest()

# Where we are sure the manifest's expectation is wrong: the outcome we give instead, and why.
DISPUTED: dict[str, tuple[str, str]] = {
    "bots-plugins/mailbag01.x12": (
        "invalid",
        "two of its sets are 820 (remittance advice), a type no codec here claims; the manifest marks "
        "bots-plugins/820-004010-01.x12 'unsupported' for the same reason, so a file holding them cannot "
        "inspect clean: its twelve 850 decode, the 820 are named as not supported",
    ),
}


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str


def _run(command: str, path: Path) -> Outcome:
    result = CliRunner().invoke(main, ["edi", command, str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"portal edi {command} crashed on {path}") from result.exception
    return Outcome(result.exit_code, result.output)


@pytest.fixture(autouse=True)
def _official_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDI_SCHEMA_DIR", str(CORPUS / "xml"))
    monkeypatch.setenv("COLUMNS", "200")  # rich tables: no wrapped reasons


def test_the_manifest_lists_every_file_once() -> None:
    files = [e["file"] for e in MANIFEST]
    assert len(files) == len(set(files)) == 301
    assert all((CONFORMANCE / f).is_file() for f in files)
    assert set(DISPUTED) <= set(files)


def _round_trip(path: Path) -> None:
    decoded = edi.decode_all(path.read_bytes())
    target = "cii" if decoded.format == "zugferd" else decoded.format
    readable = [m for m in decoded.messages if m.ok and m.document is not None]
    if not readable:  # a booking aid (Factur-X MINIMUM, BASIC WL): read, but no document to write
        assert all(isinstance(m.error, NotAnInvoiceError) for m in decoded.messages), decoded.messages
        return
    for message in readable:
        again = edi.decode_all(edi.encode(message.document, format=target, envelope=message.envelope))
        assert again.ok, f"{path}: the re-encoded message does not decode: {again.error}"
        assert [m.document for m in again.messages] == [message.document], (
            f"{path}: message {message.envelope.message_reference} changes in a {target} round trip"
        )


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_file_comes_out_as_the_manifest_expects(entry: dict[str, Any]) -> None:
    path = CONFORMANCE / entry["file"]
    expect = DISPUTED.get(entry["file"], (entry["expect"], ""))[0]
    inspected = _run("inspect", path)
    validated = _run("validate", path)
    if expect == "valid":
        assert inspected.exit_code == 0, inspected.output
        assert validated.exit_code == 0, validated.output
    elif expect == "parse":
        assert inspected.exit_code == 0, inspected.output
    elif expect == "invalid":
        assert validated.exit_code == 1, validated.output
        if entry.get("rule_strict"):
            assert entry["rule"] in validated.output, validated.output
    elif expect == "reject":
        assert inspected.exit_code == 1, inspected.output
        assert validated.exit_code == 1, validated.output
        assert validated.output.strip(), "a rejection must give a reason"
    else:
        assert expect == "unsupported", expect
        assert inspected.exit_code in (0, 1) and validated.exit_code in (0, 1)
    if expect in ("valid", "parse"):
        _round_trip(path)
