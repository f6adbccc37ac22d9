"""Shared helpers for the UBL / CII / ZUGFeRD tests: the corpus' schema and rule folders."""

from __future__ import annotations

from pathlib import Path

from edi.xml.schemas import SchemaStore
from edi.xml.schematron import SchematronRules
from tests.edi.corpus import CORPUS

XML = CORPUS / "xml"
STORE = SchemaStore(XML)
RULES = SchematronRules(XML)


def rel(path: Path) -> str:
    """Test id: the path below the XML corpus."""
    return str(path.relative_to(XML))
