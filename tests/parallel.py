"""How `make test` spreads the suite over pytest-xdist workers (``-n auto --dist loadgroup``).

Tests go to the workers one by one, except those that share an expensive setup: a test that uses a
fixture of package, module or class scope (a live `portal serve`, a seeded database, a browser) joins
the group of that package, module or class, and one worker runs the whole group in a row. So such a
setup is made once per run, as without xdist, and a package-scoped server (tests/e2e) is never torn
down and made again in between. Session-scoped fixtures (an empty database, sshd) are cheap and made
once per worker, each with its own names and ports. An explicit ``@pytest.mark.xdist_group("name")``
groups tests too.

xdist's own ``loadgroup`` renames node ids to carry the group, which pytest 9.2's structured node ids
no longer allow; so each worker writes its groups to a file (its collection is the same everywhere),
and the scheduler here, a ``LoadScopeScheduling``, reads them once every worker has collected. Larger
groups are handed out first; single tests fill in at the end.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

GROUPS_DIR = "portal_xdist_groups"
_SHARED_SCOPES = (("package", pytest.Package), ("module", pytest.Module), ("class", pytest.Class))
_dir_key = pytest.StashKey[Path]()


def shared_group(item: pytest.Item) -> str | None:
    """The group of ``item``: its xdist_group mark, else the node of its widest shared fixture scope."""
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    scopes = {defs[-1].scope for defs in info.name2fixturedefs.values() if defs}
    for scope, kind in _SHARED_SCOPES:
        if scope in scopes:
            node = item.getparent(kind)
            if node is not None:
                return node.nodeid or scope
    return None


def write_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worker: record {node id: group} for the controller's scheduler."""
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if not workerinput or GROUPS_DIR not in workerinput:
        return
    groups = {item.nodeid: group for item in items if (group := shared_group(item)) is not None}
    target = Path(workerinput[GROUPS_DIR]) / f"{workerinput['workerid']}.json"
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(groups), encoding="utf-8")
    partial.replace(target)


def groups_dir(config: pytest.Config) -> Path:
    """On the controller: the folder where the workers write their groups (made once, removed at the end)."""
    if _dir_key not in config.stash:
        config.stash[_dir_key] = Path(tempfile.mkdtemp(prefix="portal-xdist-"))
    return config.stash[_dir_key]


def remove_groups_dir(config: pytest.Config) -> None:
    if _dir_key in config.stash:
        shutil.rmtree(config.stash[_dir_key], ignore_errors=True)


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    folder = groups_dir(config)
    groups: dict[str, str] = {}

    class SharedSetupScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def schedule(self) -> None:
            if self.collection is None:  # the first call: every worker has collected
                for path in sorted(folder.glob("*.json")):
                    groups.update(json.loads(path.read_text(encoding="utf-8")))
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            group = groups.get(nodeid)
            return f"group:{group}" if group is not None else nodeid

    return SharedSetupScheduling(config, log)
