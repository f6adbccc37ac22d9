"""The documentation's commands, run as a newcomer types them, against a real `portal demo`.

`portal demo` (what `make demo` runs: scale 1, seeded today, so the same data and ids) starts in an
empty folder, the checkout's root of a newcomer; then every ```sh block of docs/api.md and
docs/exchange.md runs in order in one bash there, with `portal` on the PATH as after activating the
venv and only the host's port changed, and each step's output is compared with the ``# ...`` lines
documented under it (tests/docs/examples.py). On PostgreSQL the demo and the commands share
PORTAL_DATABASE_URL; on SQLite they find the database by the default rule (var/portal.sqlite3).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docs.examples import Block, Step, compare, compare_output, parse_documented, sh_blocks
from tests.web.live import free_port, private_schema

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
PORTAL = Path(sys.executable).parent / "portal"
DOCUMENTED_PORT = "127.0.0.1:8000"

# Blocks that cannot run yet, by page: exactly these are skipped (a new skip must be listed here).
EXPECTED_SKIPS = {
    "api.md": [],
    "exchange.md": [],
}


@dataclass(frozen=True)
class Demo:
    folder: Path
    port: int
    env: dict[str, str]
    log: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("newcomer")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "EDI_"))}
    env["PATH"] = f"{PORTAL.parent}{os.pathsep}{env.get('PATH', '')}"
    stack = ExitStack()
    if PG_URL:  # on SQLite the demo finds its database where a newcomer's would be
        env["PORTAL_DATABASE_URL"] = stack.enter_context(private_schema(PG_URL, "docs"))
    port = free_port()
    log = folder / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PORTAL), "demo", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"portal demo exited:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # polling until the server answers, with a deadline
        yield Demo(folder, port, env, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stack.close()


def run_page(demo: Demo, page: str) -> None:
    blocks = sh_blocks(ROOT / "docs" / page)
    assert [b.skip for b in blocks if b.skip] == EXPECTED_SKIPS[page]
    runnable = [b for b in blocks if not b.skip]
    assert runnable, f"no sh block in {page}"
    state = demo.folder / f"run-{page}"
    state.mkdir()
    script, steps = _script(runnable, state, demo.port)
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=demo.folder,
        env=demo.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        failed = (state / "current").read_text().strip()
        step = steps[int(failed)]
        pytest.fail(
            f"{page}:{step.line}: exit code {result.returncode}\n{step.code}\n--- stdout\n"
            f"{_read(state / f'{failed}.out')}\n--- stderr\n{_read(state / f'{failed}.err')}"
        )
    problems: list[str] = []
    for n, step in enumerate(steps):
        out = _read(state / f"{n}.out")
        if step.documented is not None:
            problems += [f"{page}:{step.line}: {p}" for p in compare_output(step.documented, out)]
        elif '"errors"' in out or '"userErrors":[{' in out:
            problems.append(f"{page}:{step.line}: errors in {out[:300]}")
    assert not problems, "\n".join(problems)


def _script(blocks: list[Block], state: Path, port: int) -> tuple[str, list[Step]]:
    parts = ["set -eo pipefail"]
    steps: list[Step] = []
    for block in blocks:
        for step in block.steps:
            n = len(steps)
            steps.append(step)
            code = step.code.replace(DOCUMENTED_PORT, f"127.0.0.1:{port}")
            parts.append(
                f"echo {n} > '{state}/current'\n{{\n{code}\n}} > '{state}/{n}.out' 2> '{state}/{n}.err'"
            )
    return "\n".join(parts) + "\n", steps


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


@pytest.mark.slow
def test_demo_prints_where_its_database_is(demo: Demo) -> None:
    head = demo.log.read_text(encoding="utf-8").splitlines()[0]
    expected = "postgresql" if PG_URL else str(demo.folder / "var" / "portal.sqlite3")
    assert head.startswith("database: ") and expected in head, head


# exchange.md first: it lists the exchange profiles of a fresh demo, and api.md adds one.
@pytest.mark.slow
def test_exchange_examples_run_as_documented(demo: Demo) -> None:
    run_page(demo, "exchange.md")


@pytest.mark.slow
def test_api_examples_run_as_documented(demo: Demo) -> None:
    run_page(demo, "api.md")


# The comparison itself, without a server.


def test_pages_have_documented_outputs() -> None:
    steps = [s for page in EXPECTED_SKIPS for b in sh_blocks(ROOT / "docs" / page) for s in b.steps]
    curls = [s for s in steps if s.code.startswith("curl ")]
    assert len(curls) >= 6 and all(s.documented for s in curls), [s.line for s in curls if not s.documented]


def test_shape_comparison_catches_what_breaks() -> None:
    documented = '{"data":{"order":{"id":"T3JkZXI6...","version":2,"lines":[{"no":1}, ...],"x":{...}}}}'
    good = {"data": {"order": {"id": "T3JkZXI6NDIy", "version": 2, "lines": [{"no": 1}, {"no": 2}], "x": {}}}}
    assert compare(parse_documented(documented), good) == []
    assert compare_output(documented, json.dumps(good)) == []
    broken = json.loads(json.dumps(good))
    broken["data"]["order"]["version"] = "2"
    assert compare(parse_documented(documented), broken) == ['$.data.order.version: "2", documented 2']
    del broken["data"]["order"]["x"]
    assert "keys" in compare(parse_documented(documented), broken)[0]
    assert compare(parse_documented(documented), {"errors": [{"message": "no"}]})  # an error is not the shape
    assert compare_output('{"a":[]}', '{"a":[1]}') == ["$.a: 1 items, documented 0"]
    assert compare_output("ptk_...", "ptk_abc\n") == []
    assert compare_output("ptk_...", "Traceback") != []
