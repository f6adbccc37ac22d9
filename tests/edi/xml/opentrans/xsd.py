"""Test-side openTRANS 2.1 XSD check: lxml with a resolver that serves imports from the corpus
folder only (no network). Production validation lives in ``edi.xml.schemas``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from tests.edi.corpus import CORPUS

XSD_DIR = CORPUS / "xml" / "opentrans21" / "xsd"


class _LocalOnly(etree.Resolver):  # type: ignore[misc,unused-ignore]  # lxml has no stubs here
    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        local = XSD_DIR / Path(system_url).name
        if not local.is_file():
            raise LookupError(f"schema import {system_url!r} is not in {XSD_DIR}")
        return self.resolve_filename(str(local), context)


@cache
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalOnly())
    document = etree.parse(str(XSD_DIR / "opentrans_2_1.xsd"), parser)
    return etree.XMLSchema(document)


def xsd_errors(data: bytes) -> list[str]:
    """Every XSD error of ``data`` (empty when valid)."""
    checker = schema()
    checker.validate(etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False)))
    return [f"line {e.line}: {e.message}" for e in checker.error_log]
