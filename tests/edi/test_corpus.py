"""Without the shared corpus (a clone on its own), the tests that need it skip and the others run;
under CI=true its absence fails, so CI never passes by skipping (tests/edi/corpus.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.edi.corpus import ROOT

# Tests that read corpus files in their body, and a module that reads them at its top.
IN_TESTS = "tests/edi/edifact/test_ack.py"
AT_IMPORT = "tests/edi/test_control_characters.py"


def outcomes(tmp_path: Path, *modules: str, ci: bool) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "PYTEST_ADDOPTS"}}
    env["PORTAL_CORPUS_DIR"] = str(tmp_path / "no-corpus-here")
    if ci:
        env["CI"] = "true"
    run = subprocess.run(
        # -n 0: the inner run in one process (addopts' -n auto would start workers that each report
        # the same collection error)
        [
            *(sys.executable, "-m", "pytest", "-q", "-n0"),
            *("-p", "no:randomly", "-p", "no:cacheprovider", *modules),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = run.stdout.strip().splitlines()[-1]
    return {word: int(count) for count, word in re.findall(r"(\d+) (passed|skipped|failed|errors?)", summary)}


def test_without_the_corpus_its_tests_skip_and_the_others_pass(tmp_path: Path) -> None:
    found = outcomes(tmp_path, IN_TESTS, AT_IMPORT, ci=False)
    assert set(found) == {"passed", "skipped"}, found
    assert found["passed"] >= 3 and found["skipped"] >= 5


def test_under_ci_a_missing_corpus_fails(tmp_path: Path) -> None:
    in_tests = outcomes(tmp_path, IN_TESTS, ci=True)
    assert in_tests.get("failed", 0) >= 3 and "skipped" not in in_tests, in_tests
    assert outcomes(tmp_path, AT_IMPORT, ci=True) == {"error": 1}
