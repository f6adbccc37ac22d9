"""The EDIFACT and X12 files of ``../shared/conformance`` decode as its manifest expects (issue #13
items 4-6): valid/parse files decode without an error, invalid/reject files do not. Round trips and
the XML files are checked elsewhere.

Where the manifest is wrong (see ``DISAGREE``) the test pins what we do instead and says why."""

from __future__ import annotations

import json
import os

import pytest

import edi
from tests.edi.corpus import ROOT

CONFORMANCE = ROOT.parent / "shared" / "conformance"

# file -> (what we do, why the manifest's expectation is wrong)
DISAGREE = {
    "bots-plugins/mailbag01.x12": (
        "invalid",
        "two of its sets are 820s, a transaction set no codec here claims (bots-plugins/820-004010-01.x12 "
        "is 'unsupported' for that reason); everything else in it decodes, its trailing Ctrl-Z included",
    ),
}


def _entries() -> list[dict[str, object]]:
    manifest = CONFORMANCE / "manifest.json"
    if not manifest.is_file():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"{manifest} is missing")
        pytest.skip(f"{manifest} not present", allow_module_level=True)
    entries = [e for e in json.loads(manifest.read_text()) if str(e["file"]).endswith((".edi", ".x12"))]
    if not entries or not set(DISAGREE) <= {e["file"] for e in entries}:
        raise RuntimeError(f"{manifest} lists no EDIFACT/X12 files or not those DISAGREE names")
    return entries


ENTRIES = _entries()


@pytest.mark.parametrize("entry", ENTRIES, ids=[str(e["file"]) for e in ENTRIES])
def test_edifact_and_x12_files_decode_as_the_manifest_expects(entry: dict[str, object]) -> None:
    name = str(entry["file"])
    data = (CONFORMANCE / name).read_bytes()
    expect = DISAGREE.get(name, (entry["expect"], ""))[0]
    decoded = edi.decode_all(data)
    problems = [str(decoded.error)] if decoded.error else []
    problems += [str(m.error) for m in decoded.messages if m.error]
    if expect in ("valid", "parse"):
        assert decoded.messages and not problems, problems
    elif expect in ("invalid", "reject"):
        assert problems or edi.check_elements(data)
    assert decoded.format in ("edifact", "x12", "unknown")
