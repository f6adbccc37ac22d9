"""Inbound e-invoices checked like the KoSIT validator checks them, before anything is applied.

An inbound UBL or CII invoice, or the invoice of a ZUGFeRD / Factur-X PDF, is validated by its
scenario (:func:`edi.xml.einvoice.validate_einvoice`: XSD, EN 16931, XRechnung or Factur-X rules,
with KoSIT's levels). What becomes of one that breaks a rule is the exchange profile's
``invalid_einvoices``:

- ``"reject"`` (the default): nothing of it is applied, the record fails naming the broken rules
  and the partner gets a negative acknowledgement listing them: a UBL ApplicationResponse for an
  XML invoice, and for a PDF one in the partner's own format (APERAK for EDIFACT, 824 for X12,
  else an ApplicationResponse);
- ``"accept"``: it is applied as any other invoice, and the findings stay on the exchange record
  for the partner and owner staff to see.

Either way the findings (errors, warnings, information) are kept with the message's result on the
record. The rule sets are compiled once per worker process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import edi
import edi.documents as doc
from edi.errors import EdiError

__all__ = ["EINVOICE_TYPES", "Verdict", "acknowledgement", "check", "is_einvoice"]

EINVOICE_TYPES = frozenset({"Invoice", "CreditNote", "CrossIndustryInvoice", "CrossIndustryDocument"})
MAX_FINDINGS = 50  # kept per message on the record; the count says how many there were
ERROR_CODE = "einvoice_rules"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one e-invoice: the scenario applied, every finding as stored on the record,
    and the rejecting ones as acknowledgement errors."""

    scenario: str
    findings: list[dict[str, str]]
    rejecting: tuple[doc.AckError, ...]
    total: int

    @property
    def broken(self) -> bool:
        return bool(self.rejecting)

    def refusal(self) -> str:
        """Why the record fails, for its ``error``."""
        listed = "; ".join(e.text or e.code for e in self.rejecting[:5])
        more = f" (and {len(self.rejecting) - 5} more)" if len(self.rejecting) > 5 else ""
        return f"the e-invoice breaks the rules of its scenario {self.scenario}: {listed}{more}"

    def result(self) -> dict[str, Any]:
        """What the message's result on the record gets (``scenario``, ``findings``)."""
        return {"scenario": self.scenario, "findings": self.findings, "finding_count": self.total}


def is_einvoice(fmt: str, message: doc.Message) -> bool:
    return fmt in ("ubl", "cii", "zugferd") and message.message_type in EINVOICE_TYPES


def _text(rule: str, message: str) -> str:
    # the rule sets start their messages with "[BR-DE-3]" or "[BR-DE-3]-": say it once
    bare = message.removeprefix(f"[{rule}]").lstrip("- ").strip()
    return f"{rule}: {bare}" if rule else bare


def check(data: bytes) -> Verdict:
    """Validate the file's e-invoice. A file the validator cannot take at all (no scenario can run)
    breaks the rules too: its reason is the one finding."""
    from edi.xml.einvoice import validate_einvoice  # Saxon and the rule sets: only when needed

    try:
        report = validate_einvoice(data)
    except EdiError as exc:
        finding = {"rule": "VALIDATION", "flag": "fatal", "message": str(exc), "location": ""}
        return Verdict("none", [finding], (doc.AckError(code="SV", text=str(exc)),), 1)
    findings = [
        {"rule": f.rule, "flag": f.flag, "message": _text(f.rule, f.message), "location": f.location}
        for f in report.findings
    ]
    rejecting = tuple(
        doc.AckError(
            code="SV" if f.rule == "XSD" else "BV",  # Peppol MLR: syntax / business rule violation
            text=_text(f.rule, f.message),
            segment_tag=f.location or None,
        )
        for f in report.rejecting
    )
    # what rejects first, then warnings and information
    findings.sort(key=lambda f: f["flag"] not in ("fatal", "error"))
    return Verdict(report.scenario.name, findings[:MAX_FINDINGS], rejecting, len(findings))


def acknowledgement(
    decoded: edi.Decoded, message: doc.Message, verdict: Verdict, profile_format: str
) -> tuple[doc.Acknowledgement, str]:
    """The negative acknowledgement of a rejected e-invoice and the format to write it in: the
    acknowledgement the file's syntax has (ApplicationResponse for UBL and CII) with the broken
    rules, or for a PDF one in the partner's format."""
    number = message.envelope.control_reference or "unknown"
    base = edi.acknowledgement(decoded)
    ack = doc.Acknowledgement(
        interchange_reference=base.interchange_reference if base else number,
        status=doc.AckStatus.REJECTED,
        kind="application",
        document_reference=number,
        errors=verdict.rejecting,
        issue_date=datetime.now(UTC).date(),
    )
    if decoded.format in ("ubl", "cii"):
        return ack, "ubl"
    return ack, profile_format if profile_format in ("edifact", "x12") else "ubl"
