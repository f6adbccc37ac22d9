"""The ```sh blocks of a Markdown page as runnable steps, and their documented output.

A block is cut into steps: commands, then the full-line ``# ...`` comments right under them, which
document what those commands print. ``...`` in documented output stands for any value: ``{...}``
any object, ``[...]`` any list, ``:...`` any value (a number too), ``, ...]`` more list items,
``"T3JkZXI6..."`` any string starting so,
``# ptk_...`` any text starting so. JSON output is compared by shape: the same keys, the same types,
equal values where the page gives one. A block preceded by ``<!-- doc-test: skip: REASON -->`` is
not run (the test lists those).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SKIP = re.compile(r"<!--\s*doc-test:\s*skip:\s*(.+?)\s*-->")
ANY = "\x00any"
MORE = "\x00more"


@dataclass(frozen=True)
class Step:
    page: str
    line: int  # of the step's first command, 1-based
    code: str
    documented: str | None  # the comment lines under it, without "# "


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    steps: tuple[Step, ...]
    skip: str | None


def sh_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    n = 0
    while n < len(lines):
        if lines[n].strip() != "```sh":
            n += 1
            continue
        before = next((lines[k] for k in range(n - 1, -1, -1) if lines[k].strip()), "")
        skip = SKIP.search(before)
        end = next(k for k in range(n + 1, len(lines)) if lines[k].strip() == "```")
        blocks.append(
            Block(path.name, n + 1, _steps(path.name, n + 2, lines[n + 1 : end]), skip and skip.group(1))
        )
        n = end + 1
    return blocks


def _steps(page: str, first: int, body: list[str]) -> tuple[Step, ...]:
    steps: list[Step] = []
    code: list[str] = []
    comments: list[str] = []
    start = first

    def flush() -> None:
        nonlocal code, comments
        if code:
            documented = "\n".join(c[1:].removeprefix(" ") for c in comments) if comments else None
            steps.append(Step(page, start, "\n".join(code), documented))
        code, comments = [], []

    after_blank = False
    for offset, line in enumerate(body):
        if not line.strip():  # a blank line ends a documented step; it never starts one
            if comments:
                flush()
            elif code:
                code.append(line)
            after_blank = True
            continue
        if line.startswith("#"):
            if after_blank and not comments:
                flush()  # a comment after a blank line explains what follows; it documents no output
            elif code:
                comments.append(line)
            continue  # a comment before any command explains, it documents no output
        after_blank = False
        if comments:
            flush()
        if not code:
            start = first + offset
        code.append(line)
    flush()
    return tuple(steps)


def compare_output(documented: str, actual: str) -> list[str]:
    """What differs between the documented and the actual output (empty: they agree)."""
    text = documented.strip()
    if text.startswith(("{", "[")):
        try:
            got = json.loads(actual)
        except ValueError:
            return [f"expected JSON, got {actual[:300]!r}"]
        return compare(parse_documented(text), got)
    pattern = ".*".join(re.escape(part) for part in text.split("..."))
    if not re.fullmatch(pattern, actual.strip(), re.DOTALL):
        return [f"expected {text!r}, got {actual.strip()[:300]!r}"]
    return []


def parse_documented(text: str) -> Any:
    marked = text.replace("{...}", json.dumps(ANY)).replace("[...]", json.dumps(ANY))
    # a bare ... as a value ("marked":...): any value, a number as well as a string
    marked = re.sub(r"(?<=:)\s*\.\.\.(?=\s*[,}\]])", lambda _: json.dumps(ANY), marked)
    marked = re.sub(r",\s*\.\.\.\s*\]", lambda _: f", {json.dumps(MORE)}]", marked)
    return json.loads(marked)


def compare(documented: Any, actual: Any, path: str = "$") -> list[str]:
    if documented == ANY:
        return []
    if isinstance(documented, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {json.dumps(actual)[:200]}"]
        if documented.keys() != actual.keys():
            return [f"{path}: keys {sorted(actual)}, documented {sorted(documented)}"]
        return [
            problem
            for key in documented
            for problem in compare(documented[key], actual[key], f"{path}.{key}")
        ]
    if isinstance(documented, list):
        more = bool(documented) and documented[-1] == MORE
        items = documented[:-1] if more else documented
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {json.dumps(actual)[:200]}"]
        if len(actual) < len(items) or (not more and len(actual) != len(items)):
            return [f"{path}: {len(actual)} items, documented {len(items)}{' or more' if more else ''}"]
        return [
            p
            for n, (d, a) in enumerate(zip(items, actual, strict=False))
            for p in compare(d, a, f"{path}[{n}]")
        ]
    if isinstance(documented, str):
        if not isinstance(actual, str):
            return [f"{path}: expected a string, got {json.dumps(actual)}"]
        pattern = ".*".join(re.escape(part) for part in documented.split("..."))
        return (
            []
            if re.fullmatch(pattern, actual, re.DOTALL)
            else [f"{path}: {actual!r}, documented {documented!r}"]
        )
    if documented is None or isinstance(documented, bool):
        return (
            []
            if actual is documented
            else [f"{path}: {json.dumps(actual)}, documented {json.dumps(documented)}"]
        )
    if isinstance(actual, bool) or not isinstance(actual, int | float) or actual != documented:
        return [f"{path}: {json.dumps(actual)}, documented {json.dumps(documented)}"]
    return []
