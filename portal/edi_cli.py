"""`portal edi inspect|validate|convert FILE`: EDI files for people, exit code 0 (good) or 1 (bad)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

import edi
import edi.documents as doc
from edi.errors import EdiError, NotAnInvoiceError, UnsupportedError, ValidationError
from edi.xml.einvoice import Report
from portal.cli import _stdout, main

err = Console(stderr=True)
DOCUMENT_TYPES = (
    doc.PurchaseOrder,
    doc.OrderResponse,
    doc.DespatchAdvice,
    doc.Invoice,
    doc.RemittanceAdvice,
    doc.Acknowledgement,
)


@main.group("edi")
def edi_group() -> None:
    """Look into, validate and convert EDIFACT, X12 and XML business documents."""


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from exc


def _parties(document: doc.Document) -> dict[str, str]:
    found: dict[str, str] = {}
    for role in ("buyer", "seller", "delivery_party", "ship_to", "payer", "payee", "sender", "recipient"):
        party = getattr(document, role, None)
        if isinstance(party, doc.Party):
            found[role] = " / ".join(v for v in (party.name, party.gln or party.party_id) if v)
    return found


def _summary(message: doc.Message) -> dict[str, Any]:
    document = message.document
    entry: dict[str, Any] = {
        "type": message.message_type,
        "reference": message.envelope.message_reference,
        "ok": message.ok,
        "warnings": list(message.warnings),
    }
    if document is not None:
        entry["document"] = type(document).__name__
        entry["number"] = getattr(document, "number", None) or getattr(
            document, "interchange_reference", None
        )
        entry["parties"] = _parties(document)
        lines = getattr(document, "lines", ())
        entry["lines"] = len(lines)
    if message.error is not None:
        entry["error"] = _error(message.error)
    return entry


def _error(error: EdiError) -> dict[str, Any]:
    position = dataclasses.asdict(error.position) if error.position else {}
    return {
        "class": type(error).__name__,
        "message": error.message,
        "code": error.code,
        "position": {k: v for k, v in position.items() if v is not None},
    }


@edi_group.command("inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def inspect(file: Path, as_json: bool) -> None:
    """Format, envelope, messages, parties, line counts and errors with their positions."""
    decoded = edi.decode_all(_read(file))
    report: dict[str, Any] = {
        "file": str(file),
        "format": decoded.format,
        "messages": [_summary(m) for m in decoded.messages],
        "error": _error(decoded.error) if decoded.error else None,
        "warnings": list(decoded.warnings),
    }
    if decoded.messages:
        env = decoded.messages[0].envelope
        report["envelope"] = {
            "sender": env.sender,
            "recipient": env.recipient,
            "control_reference": env.control_reference,
            "syntax": env.syntax,
            "version": env.version,
            "test": env.test,
        }
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    else:
        _print_report(report)
    raise SystemExit(0 if _readable(decoded) else 1)


def _readable(decoded: edi.Decoded) -> bool:
    """Every message read. A booking aid (Factur-X MINIMUM, BASIC WL) is read, though never booked
    as an invoice: the report says so and the file is not bad."""
    return (
        decoded.error is None
        and bool(decoded.messages)
        and all(m.ok or isinstance(m.error, NotAnInvoiceError) for m in decoded.messages)
    )


def _print_report(report: dict[str, Any]) -> None:
    out = _stdout()
    out.print(f"[bold]{report['file']}[/]: {report['format']}")
    env = report.get("envelope")
    if env:
        out.print(
            f"  from {env['sender']} to {env['recipient']}, interchange {env['control_reference']}"
            f" ({env['syntax'] or '-'} {env['version'] or ''}){' TEST' if env['test'] else ''}"
        )
    table = Table("#", "type", "document", "number", "lines", "parties", "result")
    for n, m in enumerate(report["messages"], start=1):
        error = m.get("error", {})
        if m["ok"]:
            result = "[green]ok[/]"
        elif error.get("class") == NotAnInvoiceError.__name__:
            result = f"[yellow]read, not booked:[/] {error['message']}"
        else:
            result = f"[red]{error.get('message', 'failed')}[/]"
        where = m.get("error", {}).get("position")
        if where:
            result += f" [dim]{where}[/]"
        table.add_row(
            str(n),
            str(m["type"]),
            m.get("document", "-"),
            str(m.get("number") or "-"),
            str(m.get("lines", "-")),
            "; ".join(f"{k}: {v}" for k, v in m.get("parties", {}).items()),
            result,
        )
    out.print(table)
    for warning in report["warnings"]:
        out.print(f"[yellow]warning:[/] {warning}")
    if report["error"]:
        error = report["error"]
        out.print(f"[red]file error:[/] {error['class']}: {error['message']} [dim]{error['position']}[/]")


@edi_group.command("validate")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--schemas",
    type=click.Path(file_okay=False, path_type=Path),
    help="folder with the official XSDs and Schematron rules (default: $EDI_SCHEMA_DIR; without it the "
    "artefacts installed with the portal and its built-in XRechnung rules are used)",
)
@click.option(
    "--strict",
    is_flag=True,
    help="EDIFACT/X12: refuse what is otherwise read with a warning (missing final terminator, Ctrl-Z "
    "at the end, unreadable dates the mapping does not use, ...)",
)
def validate(files: tuple[Path, ...], schemas: Path | None, strict: bool) -> None:
    """Decode with every check. E-invoices (UBL, CII, ZUGFeRD / Factur-X PDF and XML) are validated like
    the KoSIT validator does: the scenario named by their specification identifier, its XSD and rule
    sets (EN 16931, XRechnung, Factur-X), its severities. Several files: the rules compile once."""
    bad = 0
    for file in files:
        bad += not _validate_one(file, schemas, strict=strict)
    raise SystemExit(1 if bad else 0)


def _validate_one(file: Path, schemas: Path | None, *, strict: bool = False) -> bool:
    data = _read(file)
    decoded = edi.decode_all(data, strict=strict)
    for warning in decoded.warnings:
        err.print(f"[yellow]warning[/] {file}: {warning}")
    report: Report | str | None = None
    if decoded.format in ("ubl", "cii", "zugferd") and _is_invoice(decoded):
        report = _einvoice(data, schemas)
    problems = [f"message {m.envelope.message_reference}: {m.error}" for m in decoded.messages if m.error]
    if isinstance(report, Report) and not report.scenario.invoice:
        # a booking aid (Factur-X MINIMUM, BASIC WL) conforms or not by its profile; that the portal
        # does not book it is said, not counted against it
        for problem in problems:
            err.print(f"[yellow]note:[/] not booked: {problem}")
        problems = []
    if decoded.error:
        problems.insert(0, str(decoded.error))
    # values longer than their data element allows (a decoder reads them; a partner's may not)
    problems += [str(finding) for finding in edi.check_elements(data)]
    if isinstance(report, str):
        problems.append(report)
    elif report is not None:
        _print_einvoice(report)
        problems += [
            f"{f.rule}: {f.message}" + (f" at {f.location}" if f.location else "") for f in report.rejecting
        ]
    elif decoded.format in ("ubl", "cii") and decoded.messages and not problems:
        problems += _xml_checks(data, schemas)
    if problems:
        for problem in problems:
            click.echo(f"INVALID {file}: {problem}")
        return False
    scenario = f", {report.scenario.name}" if isinstance(report, Report) else ""
    click.echo(f"valid {file}: {decoded.format}{scenario}, {len(decoded.messages)} message(s)")
    return True


def _is_invoice(decoded: edi.Decoded) -> bool:
    return any(
        m.message_type in ("Invoice", "CreditNote", "CrossIndustryInvoice", "CrossIndustryDocument")
        for m in decoded.messages
    )


def _einvoice(data: bytes, schemas: Path | None) -> Report | str:
    from edi.xml.einvoice import validate_einvoice

    try:
        return validate_einvoice(data, root=schemas)
    except EdiError as exc:
        return str(exc)


def _print_einvoice(report: Report) -> None:
    out = err
    out.print(f"scenario: [bold]{report.scenario.name}[/]")
    for run in report.runs:
        out.print(f"  ran {run.name} [dim]from {run.source}[/]: {run.findings} finding(s)")
    for note in report.notes:
        out.print(f"  [yellow]note:[/] {note}")
    for f in report.findings:
        if f.flag in ("fatal", "error"):
            continue
        was = f" [dim](rule set: {report.relevelled[f.rule]})[/]" if f.rule in report.relevelled else ""
        out.print(f"  [yellow]{f.flag}[/] {f.rule}: {f.message}{was}")


def _xml_checks(data: bytes, schemas: Path | None) -> list[str]:
    """Other XML business documents: their XSD, where one is installed or configured."""
    from edi.xml.safe import parse_xml
    from edi.xml.schemas import SchemaStore

    try:
        SchemaStore(schemas).validate(parse_xml(data))
    except ValidationError as exc:
        return [f"{f.rule} ({f.flag}) {f.message} at {f.location}" for f in exc.findings] or [str(exc)]
    except UnsupportedError as exc:
        err.print(f"[yellow]note:[/] XSD not checked: {exc}")
    except EdiError as exc:
        return [str(exc)]
    return []


@edi_group.command("convert")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--to", "target", type=click.Choice(["edifact", "x12", "ubl", "cii", "opentrans", "json"]), required=True
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="default: stdout")
def convert(file: Path, target: str, output: Path | None) -> None:
    """Write the file's documents in another format (the envelope is carried over)."""
    decoded = edi.decode_all(_read(file))
    if decoded.error or not decoded.messages or not all(m.ok for m in decoded.messages):
        reason = decoded.error or next((m.error for m in decoded.messages if m.error), "no message")
        raise click.ClickException(f"{file} cannot be converted: {reason}")
    chunks: list[bytes] = []
    for message in decoded.messages:
        assert message.document is not None
        if target == "json":
            chunks.append(
                json.dumps(_jsonable(message.document), indent=2, ensure_ascii=False).encode() + b"\n"
            )
            continue
        try:
            chunks.append(edi.encode(message.document, format=target, envelope=message.envelope))
        except EdiError as exc:
            raise click.ClickException(f"message {message.envelope.message_reference}: {exc}") from exc
    data = b"".join(chunks)
    if output:
        output.write_bytes(data)
        err.print(f"wrote {len(data)} bytes to {output}")
    else:
        click.echo(data.decode("utf-8", "replace"), nl=False)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"kind": type(value).__name__, **result} if isinstance(value, DOCUMENT_TYPES) else result
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    return value
