"""Compile the portal's message catalogs (.po -> .mo) when the package is built or installed.

Hatchling runs this for wheels and for editable installs (``pip install -e .``, which ``make``
does), so an installed portal starts with compiled catalogs. The ``.mo`` files are not in git; the
wheel takes them in as artifacts. The portal still compiles a catalog at start when its ``.po`` is
newer (someone edited a translation in a checkout), see ``portal.web.i18n.compile_catalogs``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGS = "portal/web/translations"
DOMAIN = "messages"


class CompileCatalogs(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        for po_path in sorted((Path(self.root) / CATALOGS).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name, domain=DOMAIN)
            mo_path = po_path.with_suffix(".mo")
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            tmp.replace(mo_path)
            self.app.display_info(f"compiled {mo_path.relative_to(self.root)}")
