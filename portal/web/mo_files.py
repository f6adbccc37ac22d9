"""Compiling a ``.po`` catalog into its ``.mo``: shared by the portal at start and by the build hook.

Imports nothing but Babel and the standard library: ``hatch_build.py`` loads this file by its path
while the package is being built, before any of the portal's dependencies are installed.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"


def catalogs(directory: Path) -> list[Path]:
    """The ``.po`` of every locale below ``directory``."""
    return sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_po(po_path: Path) -> Path:
    """Write the ``.mo`` beside ``po_path`` with an atomic rename (parallel workers never read half
    a file); return its path."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=po_path.parent.parent.name, domain=DOMAIN)
    mo_path = po_path.with_suffix(".mo")
    tmp = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")  # two processes never share one
    with tmp.open("wb") as mo_file:
        write_mo(mo_file, catalog)
    tmp.replace(mo_path)
    return mo_path
