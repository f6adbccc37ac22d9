"""The syntax layer: service characters, release character, repetition, charsets, layout."""

from __future__ import annotations

import io

import pytest

from edi.edifact import (
    DEFAULT_CHARS,
    Repetition,
    Segment,
    ServiceChars,
    decode_all,
    parse_segments,
    serialize_segments,
)
from edi.edifact._tokenizer import Tokenizer
from edi.errors import CharsetError, EdiSyntaxError
from tests.edi.corpus import CORPUS

EDGE = CORPUS / "edi" / "edifact" / "edge"
ORDERS = CORPUS / "edi" / "edifact" / "orders"


def _segs(data: bytes, **kw: bool) -> list[Segment]:
    return list(parse_segments(data, **kw))


def _find(segs: list[Segment], tag: str) -> list[Segment]:
    return [s for s in segs if s[0] == tag]


def test_segment_is_a_flat_tuple_of_tag_and_elements() -> None:
    segs = _segs(b"UNB+UNOC:3+A+B+260101:1200+1'UNH+1+ORDERS:D:96A:UN'QTY+21:10'UNT+3+1'UNZ+1+1'")
    assert segs[2] == ("QTY", ("21", "10"))
    assert segs[1] == ("UNH", "1", ("ORDERS", "D", "96A", "UN"))


def test_release_character_cases_from_the_torture_file() -> None:
    ift = [s[2] for s in _find(_segs((EDGE / "release_char_torture.edi").read_bytes()), "IFT")]
    assert "NO MORE FLIGHTS 2?" in ift
    assert "NO MORE ' FLIGHTS 3" in ift
    assert "NO MORE ? FLIGHTS 3" in ift
    assert "NO MORE ?' FLIGHTS 3" in ift
    assert "FIELD 1?" in ift
    assert ("FIELD 1.1?", "FIELD 1.2") in ift
    segs = _find(_segs((EDGE / "release_char_torture.edi").read_bytes()), "IFT")
    assert ("IFT", "3", "FIELD 1???+FIELD 2"[:0] + "FIELD 1?+FIELD 2") in segs


def test_released_terminator_inside_nad_and_at_segment_end() -> None:
    nad = _find(_segs((EDGE / "release_escaped_terminator.edi").read_bytes()), "NAD")[1]
    assert nad[3] == ("Schoenstrasse D'Or7", "81543", "Munich")
    assert nad[-1] == "DE'"


def test_released_release_character_in_element() -> None:
    ftx = _find(_segs((EDGE / "release_escaped_release.edi").read_bytes()), "FTX")[0]
    assert ftx[1] == "AAI?"
    assert ftx[4] == "Free text Free ?text Free text"


def test_star_is_data_in_syntax_version_1() -> None:
    com = _find(_segs((EDGE / "repetition_separator_syntax4.edi").read_bytes()), "COM")[0]
    assert com == ("COM", ("1", "2*3", "4"))


def test_star_repeats_elements_in_syntax_version_4() -> None:
    data = b"UNB+UNOC:4+A+B+20260101:1200+1'UNH+1+ORDERS:D:96A:UN'COM+1:2*3:4+x?*y'UNT+3+1'UNZ+1+1'"
    com = _find(_segs(data), "COM")[0]
    assert com[1] == Repetition([("1", "2"), ("3", "4")])
    assert com[2] == "x*y"


def test_una_with_pipe_data_separator() -> None:
    segs = _segs((EDGE / "una_pipe_data_separator.edi").read_bytes())
    assert segs[0][0] == "UNB"
    assert _find(segs, "NAD")[0][3] == ("P.O.Box 2021", "80803", "Munich")


def test_una_with_all_non_default_characters() -> None:
    segs = _segs((EDGE / "una_all_nondefault_newline_terminator.edi").read_bytes())
    assert segs[0][3] == ("006415160", "1")  # '?4' releases a non-service character: kept as '4'
    assert _find(segs, "QTY")[0] == ("QTY", ("47", "1020", "EA"))


def test_newline_as_segment_terminator() -> None:
    data = (
        b"UNA:+.? \nUNB+UNOC:3+A+B+260101:1200+1\r\nUNH+1+ORDERS:D:96A:UN\n"
        b"FTX+AAI+++a?\nb\n\nUNT+3+1\nUNZ+1+1\n"
    )
    segs = _segs(data)
    assert [s[0] for s in segs] == ["UNB", "UNH", "FTX", "UNT", "UNZ"]
    assert segs[2][4] == "a\nb"


def test_wrapped_80_column_file_has_no_newlines_in_data() -> None:
    segs = _segs((EDGE / "wrapped_80_columns.edi").read_bytes())
    assert segs[0][5] == "00000000000778"
    assert len(segs) == 26
    assert all("\n" not in str(s) for s in segs)


def test_trailing_blanks_after_terminator_are_not_data() -> None:
    segs = _segs((EDGE / "trailing_blanks_after_terminator.edi").read_bytes())
    assert segs[2][0] == "BGM"
    assert _find(segs, "PIA")


def test_utf8_bom_is_skipped() -> None:
    assert _segs((EDGE / "utf8_bom.edi").read_bytes())[0][0] == "UNB"


def test_charsets_follow_unb_s001() -> None:
    latin2 = _segs((ORDERS / "orders_d01b_unod_latin2.edi").read_bytes())
    cyrillic = _segs((ORDERS / "orders_d01b_unoe_cyrillic.edi").read_bytes())
    latin1 = _segs((ORDERS / "orders_d01b_unoc_latin1.edi").read_bytes())
    assert latin1[3] == ("DTM", ("101", "Lörém ïpsü", "106"))
    assert "Lořem ípšum dołoř šít ámet" in str(latin2[9])
    assert "Лорем ипсу" in str(cyrillic[3])


def test_utf8_bytes_in_declared_unoc_decode_as_utf8_with_warning() -> None:
    data = (EDGE / "utf8_content_declared_unoc.edi").read_bytes()
    tok = Tokenizer(data)
    batches = list(tok.batches())
    imd = next(s for b in batches for s in b.segments if s[0] == "IMD")
    assert imd[3] == ("", "", "", "MUNCIË THE MIDDLE")
    assert any("UTF-8" in w for b in batches for w in b.warnings)


def test_utf8_bytes_in_declared_unoc_are_refused_in_strict_mode() -> None:
    with pytest.raises(CharsetError) as exc:
        _segs((EDGE / "utf8_content_declared_unoc.edi").read_bytes(), strict=True)
    assert exc.value.position is not None
    assert exc.value.position.offset == 272
    assert exc.value.position.line == 13


def test_unoa_strict_rejects_lowercase_with_position() -> None:
    data = b"UNB+UNOA:3+A+B+260101:1200+1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++Hello'UNT+3+1'UNZ+1+1'"
    assert _find(_segs(data), "FTX")[0][4] == "Hello"
    with pytest.raises(CharsetError) as exc:
        _segs(data, strict=True)
    assert exc.value.position is not None
    assert exc.value.position.offset == data.index(b"Hello") + 1
    assert exc.value.position.column == data.index(b"Hello") + 2


def test_unsupported_syntax_identifier_is_a_charset_error() -> None:
    with pytest.raises(CharsetError) as exc:
        _segs(b"UNB+UNOX:3+A+B+260101:1200+1'UNZ+0+1'")
    assert exc.value.code == "2"


def test_undecodable_utf8_in_unow_names_the_byte() -> None:
    data = b"UNB+UNOW:3+A+B+260101:1200+1'UNH+1+X:D:96A:UN'FTX+\xff'UNT+3+1'UNZ+1+1'"
    with pytest.raises(CharsetError) as exc:
        _segs(data)
    assert exc.value.position is not None and exc.value.position.offset == data.index(b"\xff")


def test_release_character_split_across_chunks() -> None:
    data = b"UNB+UNOC:3+A+B+260101:1200+1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++it?'s?+ok'UNT+3+1'UNZ+1+1'"
    for size in range(1, 12):
        segs = [s for b in Tokenizer(io.BytesIO(data), chunk_size=size).batches() for s in b.segments]
        assert segs[2][4] == "it's+ok", size
        assert len(segs) == 5


def test_serialize_releases_every_service_character() -> None:
    seg: Segment = ("FTX", "AAI", "", "", ("a:b+c'd?e", "*"))
    text = serialize_segments([seg])
    assert text == "FTX+AAI+++a?:b?+c?'d??e:*'"
    syntax4 = ServiceChars(repetition="*")
    assert serialize_segments([seg], syntax4) == "FTX+AAI+++a?:b?+c?'d??e:?*'"


def test_parse_then_serialize_gives_the_same_segments() -> None:
    for name in (
        "release_char_torture.edi",
        "una_pipe_data_separator.edi",
        "trailing_component_separator.edi",
    ):
        segs = _segs((EDGE / name).read_bytes())
        text = serialize_segments(segs, DEFAULT_CHARS, una=True, newline=True)
        assert _segs(text.encode("latin-1")) == segs


def test_unterminated_last_segment_other_than_unz_means_a_truncated_file() -> None:
    assert _segs(b"UNB+UNOC:3+A+B+260101:1200+1'UNZ+0+1")[-1] == ("UNZ", "0", "1")
    result = decode_all(b"UNB+UNOC:3+A+B+260101:1200+1'UNH+1+ORDERS:D:96A:UN'UNT+2+1")
    assert isinstance(result.error, EdiSyntaxError)
    assert "not terminated: the file is truncated" in result.error.message
    assert result.warnings == []


def test_bad_una_is_rejected() -> None:
    with pytest.raises(EdiSyntaxError):
        _segs(b"UNA::.? 'UNB+UNOC:3+A+B+260101:1200+1'")


def test_trailing_separator_is_accepted_but_refused_in_strict_mode() -> None:
    data = (EDGE / "trailing_component_separator.edi").read_bytes()
    assert _find(_segs(data), "RFF")[0] == ("RFF", ("VA", "382324067", ""))
    with pytest.raises(EdiSyntaxError) as exc:
        _segs(data, strict=True)
    assert exc.value.code == "45"
    assert exc.value.position is not None
    assert (exc.value.position.segment_tag, exc.value.position.line) == ("RFF", 6)


@pytest.mark.parametrize(
    ("charset", "codec", "word"),
    [
        ("UNOC", "iso8859_1", "Müller"),
        ("UNOD", "iso8859_2", "Łódź"),
        ("UNOE", "iso8859_5", "Москва"),
        ("UNOF", "iso8859_7", "Αθήνα"),
        ("UNOW", "utf_8", "東京 Zürich"),
        ("UNOY", "utf_8", "Αθήνα Москва"),
    ],
)
def test_text_is_decoded_with_the_charset_of_unb(charset: str, codec: str, word: str) -> None:
    data = f"UNB+{charset}:3+A+B+260101:1200+1'UNH+1+X:D:96A:UN'FTX+AAI+++{word}'UNT+3+1'UNZ+1+1'"
    ftx = _find(_segs(data.encode(codec)), "FTX")[0]
    assert ftx[4] == word


_ONE = b"UNB+UNOC:3+A+B+260101:1200+1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+1'"
CTRL_Z = b"\x1a"


def test_unz_without_terminator_is_read_with_a_warning_and_refused_in_strict_mode() -> None:
    result = decode_all(_ONE[:-1] + b"\r\n")
    assert result.error is None
    assert [m.envelope.message_reference for m in result.messages] == ["1"]
    (warning,) = result.warnings
    assert "'UNZ+1+1') has no segment terminator" in warning
    at = _ONE.index(b"UNZ")
    assert f"segment 4 (UNZ) at line 1, column {at + 1} byte {at}" in warning
    strict = decode_all(_ONE[:-1], strict=True)
    assert isinstance(strict.error, EdiSyntaxError)
    assert "strict mode refuses a missing final terminator" in strict.error.message
    assert strict.error.position is not None
    assert (strict.error.position.segment_tag, strict.error.position.offset) == ("UNZ", at)


@pytest.mark.parametrize(
    "tail",
    [b"\x1a", b"\r\n\x1a", b"\x1a\x1a\x1a\r\n", b"\n" + b"\x1a" * 70_000],
    ids=["one", "crlf", "many", "block"],
)
def test_ctrl_z_at_the_end_is_ignored_with_a_warning(tail: bytes) -> None:
    data = _ONE + tail
    for source in (data, io.BytesIO(data)):
        result = decode_all(source)
        assert result.error is None
        assert len(result.messages) == 1
        (warning,) = result.warnings
        assert warning.startswith("a Ctrl-Z (0x1A) end-of-file mark at the end of the file was ignored")
        assert f"byte {data.index(CTRL_Z)}" in warning


def test_ctrl_z_after_an_unterminated_unz_gives_both_warnings() -> None:
    result = decode_all(_ONE[:-1] + b"\x1a")
    assert result.error is None
    assert len(result.warnings) == 2


def test_ctrl_z_at_the_end_is_refused_in_strict_mode() -> None:
    result = decode_all(_ONE + b"\x1a", strict=True)
    assert isinstance(result.error, EdiSyntaxError)
    assert "Ctrl-Z" in result.error.message
    assert result.error.position is not None
    assert result.error.position.offset == len(_ONE)


def test_ctrl_z_followed_by_data_is_still_a_control_character() -> None:
    result = decode_all(_ONE + b"\x1aUNB")
    assert isinstance(result.error, CharsetError)
    assert result.warnings == []
