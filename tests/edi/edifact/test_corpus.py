"""Every file in the shared EDIFACT corpus, with the outcome the standard demands.

Outcome per file: the interchange-level error (class, 0085 code, segment tag) or None, and per
message its type and "ok" or the 0085 code of its error. Honest rejections of "valid" samples:

- ``aperak_d96a_rejected``/``aperak_d96a_unoa4``: UNT+8 but the messages have 7 segments (code 29).
- ``orders_d96a_ean008_no_pri``: UNT+267 for a 21-segment message (code 29).
- ``orders_d96a_ean_with_ung_group``: UNT+21 for an 18-segment message (code 29).
- ``release_char_torture``: UNT+14 for 23 segments (code 29); the PAORES type is not mapped anyway.
- ``orders_d96a_ean008_unoa4_una_comma_decimal`` and ``orders_d96a_plain_unoc3`` end without UNZ
  (code 13): the message decodes, then the interchange is rejected.
- ``invoic_d93a_una_comma``: no CUX currency (code 13); its DTM+4 '19999715' is not a date, a
  warning only: the INVOIC mapping does not use the order date.
- ``orders_d96a_ean008_multi_message_bots``: message 9 has no LIN (13); message 10 uses DTM format
  '84' on DTM+9, a date ORDERS does not map: a warning; bots test data.
- ``orders_d01b_unoc_latin1``/``unod``/``unoe``: lorem-ipsum fill (BGM 1225 '1', dates 'Lorem ipsu'
  in format 106, quantities 'Lörém ïpsü'): the charset decodes (see test_syntax), the content cannot
  map (37: the quantities; dates are read after the walk, where the document needs them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edi.edifact import decode_all
from edi.errors import EdiSyntaxError, EnvelopeError
from tests.edi.corpus import corpus_files

FILES = corpus_files("edi/edifact", "*.edi")

_OK = "ok"
EXPECTED: dict[str, tuple[type[Exception] | None, str | None, str | None, list[tuple[str, str]]]] = {
    "aperak_d96a_bots.edi": (None, None, None, [("APERAK", _OK)]),
    "aperak_d96a_rejected.edi": (None, None, None, [("APERAK", "29")]),
    "aperak_d96a_unoa4.edi": (None, None, None, [("APERAK", "29")]),
    "desadv_d96a_ean005_bots1.edi": (None, None, None, [("DESADV", _OK)] * 3),
    "desadv_d96a_unoc1.edi": (None, None, None, [("DESADV", _OK)]),
    "broken_bad_header_tag.edi": (EnvelopeError, "13", "FNB", []),
    "broken_garbage_after_unz.edi": (EdiSyntaxError, "33", None, [("INVOIC", _OK)]),
    "broken_invalid_code_values.edi": (None, None, None, [("INVOIC", "12")]),
    "broken_missing_une.edi": (EnvelopeError, "13", "UNZ", [("INVOIC", _OK)]),
    "broken_missing_unz.edi": (EnvelopeError, "13", "UNB", [("INVOIC", _OK)]),
    "broken_mixed_valid_invalid_messages.edi": (
        EnvelopeError,
        "28",
        "UNZ",
        [("INVOIC", "29"), ("INVOIC", "12"), ("INVOIC", "16"), ("INVOIC", "13"), ("INVOIC", "13")],
    ),
    "broken_orders_d01b_error.edi": (None, None, None, [("ORDERS", "16")]),
    "multiple_ung_groups.edi": (EnvelopeError, "30", "UNG", [("INVOIC", _OK)]),
    "release_char_torture.edi": (None, None, None, [("PAORES", "29")]),
    "release_escaped_release.edi": (None, None, None, [("INVOIC", _OK)]),
    "release_escaped_terminator.edi": (None, None, None, [("INVOIC", _OK)]),
    "repetition_separator_syntax4.edi": (None, None, None, [("INVOIC", _OK)]),
    "trailing_blanks_after_terminator.edi": (None, None, None, [("INVOIC", _OK)]),
    "trailing_component_separator.edi": (None, None, None, [("INVOIC", _OK)]),
    "two_interchanges_one_file.edi": (None, None, None, [("INVOIC", _OK)] * 2),
    "una_all_nondefault_newline_terminator.edi": (None, None, None, [("INVOIC", _OK)]),
    "una_pipe_data_separator.edi": (None, None, None, [("INVOIC", _OK)]),
    "utf8_bom.edi": (None, None, None, [("INVOIC", _OK)]),
    "utf8_content_declared_unoc.edi": (None, None, None, [("DESADV", _OK)]),
    "wrapped_80_columns.edi": (None, None, None, [("INVOIC", _OK)]),
    "invoic_d01b_ean011_unob.edi": (None, None, None, [("INVOIC", _OK)]),
    "invoic_d93a_una_comma.edi": (None, None, None, [("INVOIC", "13")]),
    "invoic_d96a_ean008_bots.edi": (None, None, None, [("INVOIC", _OK)] * 2),
    "invoic_d97a_unoa1.edi": (None, None, None, [("INVOIC", _OK)]),
    "invoic_d97b.edi": (None, None, None, [("INVOIC", _OK)]),
    "orders_d01b_ean010_large_ok.edi": (None, None, None, [("ORDERS", _OK)]),
    "orders_d01b_unoc_latin1.edi": (None, None, None, [("ORDRSP", "37")]),
    "orders_d01b_unod_latin2.edi": (None, None, None, [("ORDRSP", "37")]),
    "orders_d01b_unoe_cyrillic.edi": (None, None, None, [("ORDERS", "37")]),
    "orders_d96a_ean008_multi_message_bots.edi": (
        None,
        None,
        None,
        [("ORDERS", _OK)] * 8 + [("ORDERS", "13")] + [("ORDERS", _OK)] * 15,
    ),
    "orders_d96a_ean008_no_ean_in_lin.edi": (None, None, None, [("ORDERS", _OK)]),
    "orders_d96a_ean008_no_pri.edi": (None, None, None, [("ORDERS", "29")]),
    "orders_d96a_ean008_retail_sample1.edi": (None, None, None, [("ORDERS", _OK)]),
    "orders_d96a_ean008_unoa4_una_comma_decimal.edi": (EnvelopeError, "13", None, [("ORDERS", _OK)]),
    "orders_d96a_ean_with_ung_group.edi": (None, None, None, [("ORDERS", "29")]),
    "orders_d96a_plain_unoc3.edi": (EnvelopeError, "13", None, [("ORDERS", _OK)]),
}


def test_every_corpus_file_has_an_expected_outcome() -> None:
    assert sorted(p.name for p in FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_outcome(path: Path) -> None:
    error_class, code, tag, messages = EXPECTED[path.name]
    result = decode_all(path.read_bytes())
    if error_class is None:
        assert result.error is None, str(result.error)
    else:
        assert type(result.error) is error_class
        assert result.error.code == code
        assert result.error.position is not None
        assert result.error.position.segment_tag == tag
        assert result.error.position.line is not None
        assert result.error.position.offset is not None
    got = [
        (m.message_type, "ok" if m.ok else (m.error.code if m.error else "no document"))
        for m in result.messages
    ]
    assert got == messages


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("broken_")], ids=lambda p: p.name)
def test_broken_files_are_rejected_with_a_named_error(path: Path) -> None:
    result = decode_all(path.read_bytes())
    errors = [result.error] if result.error else []
    errors += [m.error for m in result.messages if m.error is not None]
    assert errors, "a broken file must not be accepted silently"
    for err in errors:
        assert err.code
        assert err.position is not None
        assert err.position.segment_index is not None
        assert str(err.position) in str(err)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_strict_mode_reports_only_named_errors(path: Path) -> None:
    """Strict mode adds repertoire and trailing-separator checks; whatever it finds is an EdiError
    with a code (decode_all would let any other exception through)."""
    result = decode_all(path.read_bytes(), strict=True)
    lenient = decode_all(path.read_bytes())
    assert sum(m.ok for m in result.messages) <= sum(m.ok for m in lenient.messages)
    for err in [result.error] + [m.error for m in result.messages]:
        assert err is None or err.code
