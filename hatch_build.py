"""Compile the portal's message catalogs (.po -> .mo) when the package is built or installed.

Hatchling runs this for wheels and for editable installs (``pip install -e .``, which ``make``
does), so an installed portal starts with compiled catalogs. The ``.mo`` files are not in git; the
wheel takes them in as artifacts. The portal still compiles a catalog at start when its ``.po`` is
newer (someone edited a translation in a checkout), see ``portal.web.i18n.compile_catalogs``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogs(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        # By path, not `import portal...`: the portal's dependencies are not installed while it builds.
        spec = importlib.util.spec_from_file_location("_mo_files", root / "portal/web/mo_files.py")
        assert spec is not None and spec.loader is not None
        mo_files = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mo_files)
        for po_path in mo_files.catalogs(root / "portal/web/translations"):
            written = mo_files.compile_po(po_path)
            self.app.display_info(f"compiled {written.relative_to(root)}")
