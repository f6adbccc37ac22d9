from __future__ import annotations

from edi.xml import artefacts, cii, codec, einvoice, schemas, schematron, ubl, xrechnung_rules, zugferd


def test_public_names_are_pinned() -> None:
    assert codec.__all__ == ["decode", "detect", "encode"]
    assert schemas.__all__ == ["FACTURX_GUIDELINE", "SCHEMA_DIR_ENV", "SchemaStore", "cii_profile"]
    assert schematron.__all__ == [
        "FACTURX_PROFILES",
        "RULES_DIR_ENV",
        "SchematronRules",
        "check_en16931",
        "check_xrechnung",
        "compile_schematron",
        "rejecting",
    ]
    assert artefacts.__all__ == [
        "SCHEMA_DIR_ENV",
        "Located",
        "configured_root",
        "find",
        "packaged_root",
        "packaged_version",
    ]
    assert einvoice.__all__ == ["Report", "RuleSetRun", "Scenario", "select_scenario", "validate_einvoice"]
    assert xrechnung_rules.__all__ == ["CIUS_ID", "CVD_ID", "EXTENSION_ID", "RULES", "check"]
    assert zugferd.__all__ == ["EMBEDDED_NAMES", "embed_xml", "extract_xml", "is_pdf"]
    assert ubl.__all__ == ["DECODERS", "EN16931_CUSTOMIZATION", "XRECHNUNG_CUSTOMIZATION", "decode", "encode"]
    assert cii.__all__ == [
        "EN16931_GUIDELINE",
        "NOT_INVOICES",
        "XRECHNUNG_GUIDELINE",
        "decode",
        "encode",
        "parties",
    ]


def test_every_public_name_exists_and_is_documented() -> None:
    for module in (codec, schemas, schematron, zugferd, ubl, cii, artefacts, einvoice, xrechnung_rules):
        assert module.__doc__
        for name in module.__all__:
            value = getattr(module, name)
            if callable(value):
                assert value.__doc__, f"{module.__name__}.{name} has no docstring"
