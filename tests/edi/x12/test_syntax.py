"""ISA separators, the streaming tokenizer, positions in errors, and the serializer."""

from __future__ import annotations

import io

import pytest

from edi.errors import CharsetError, EdiSyntaxError, EncodeError
from edi.x12 import Separators, decode_all, detect, parse_segments, read_isa, serialize_segments
from edi.x12._tokenizer import Tokenizer
from tests.edi.x12._build import ISA, interchange, purchase_order


class TrickleReader(io.RawIOBase):
    """A binary stream that hands out at most ``size`` bytes per read, to put chunk borders
    everywhere: inside the ISA, inside a segment, between a terminator and its line feed."""

    def __init__(self, data: bytes, size: int) -> None:
        self._data = data
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        chunk = self._data[self._pos : self._pos + min(self._size, n if n >= 0 else self._size)]
        self._pos += len(chunk)
        return chunk


def test_isa_gives_element_component_repetition_and_terminator() -> None:
    seps, length = read_isa(ISA + "~\nGS*")
    assert seps == Separators("*", ">", "^", "~", "\n")
    assert length == 106


def test_isa11_before_00402_is_the_standards_id_not_a_separator() -> None:
    seps, _ = read_isa(ISA.replace("*^*00401*", "*U*00401*") + "~")
    assert seps.repetition is None


def test_trimmed_isa_is_read_by_counting_separators() -> None:
    trimmed = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*240102*0304*U*00401*000000042*0*P*>~GS*"
    seps, length = read_isa(trimmed)
    assert (seps.component, seps.segment) == (">", "~")
    assert trimmed[length:] == "GS*"


def test_letter_as_segment_terminator_is_rejected_with_ta1_code() -> None:
    with pytest.raises(EdiSyntaxError, match="segment terminator 'X'") as info:
        read_isa(ISA + "XGS*")
    assert info.value.code == "004"
    assert info.value.position is not None
    assert info.value.position.column == 106


def test_file_that_does_not_start_with_isa_is_rejected() -> None:
    with pytest.raises(EdiSyntaxError, match="not an X12 interchange") as info:
        list(parse_segments(b"UNB+UNOC:3+X+Y'"))
    assert info.value.code == "022"


def test_empty_file_is_rejected() -> None:
    with pytest.raises(EdiSyntaxError, match="empty"):
        list(parse_segments(b" \r\n"))


def test_chunk_borders_anywhere_give_the_same_segments() -> None:
    data = interchange(purchase_order("0001"), purchase_order("0002"), terminator="~\r\n")
    expected = list(parse_segments(data))
    assert len(expected) == 2 + 2 * 12 + 2
    for size in (1, 2, 3, 7, 105, 106, 107):
        assert list(parse_segments(TrickleReader(data, size))) == expected  # type: ignore[arg-type]


def test_whitespace_between_segments_is_ignored_but_not_inside() -> None:
    data = interchange(purchase_order(), terminator="~\r\n  ")
    segments = list(parse_segments(data))
    assert segments[1][0] == "GS"
    assert ("N3", "HAUPTSTRASSE 1") in segments


def test_error_names_byte_offset_line_column_segment_and_tag() -> None:
    data = interchange(purchase_order(), terminator="~\n").replace(b"GE*1*7", b"GE*1*8")
    result = decode_all(data)
    assert result.error is not None
    pos = result.error.position
    assert pos is not None
    lines = data.split(b"\n")
    ge_line = next(n for n, line in enumerate(lines, 1) if line.startswith(b"GE"))
    assert (pos.line, pos.column, pos.segment_tag, pos.element) == (ge_line, 1, "GE", 2)
    assert pos.offset == data.index(b"GE*1*8")
    assert pos.segment_index == 15
    assert f"segment 15 (GE) element 2 at line {ge_line}, column 1 byte {pos.offset}" in str(result.error)


def test_byte_offsets_count_utf8_bytes_not_characters() -> None:
    data = interchange(purchase_order(), terminator="~").replace(b"BLUE WIDGET", "BLÅ WIDGET".encode())
    data = data.replace(b"IEA*1*000000042", b"IEA*2*000000042")
    result = decode_all(data)
    assert result.error is not None
    assert result.error.code == "021"
    assert result.error.position is not None
    assert result.error.position.offset == data.index(b"IEA*2")


def test_undecodable_byte_is_a_charset_error_with_its_offset() -> None:
    data = interchange(purchase_order()).replace(b"BLUE", b"BL\xe5E")
    with pytest.raises(CharsetError, match="0xE5") as info:
        list(parse_segments(data))
    assert info.value.position is not None
    assert info.value.position.offset == data.index(b"\xe5")
    assert ("PID", "F", "", "", "", "BLåE WIDGET") in list(parse_segments(data, encoding="latin-1"))


def test_utf8_bom_and_leading_blank_lines_are_skipped() -> None:
    data = b"\xef\xbb\xbf\r\n" + interchange(purchase_order())
    assert next(iter(parse_segments(data)))[0] == "ISA"
    assert detect(data) == ("x12", "850")


def test_file_ending_before_iea_is_rejected() -> None:
    data = interchange(purchase_order())
    cut = data[: data.index(b"IEA")]
    result = decode_all(cut)
    assert [m.ok for m in result.messages] == [True]
    assert isinstance(result.error, EdiSyntaxError)
    assert result.error.code == "023"
    assert "before the IEA" in result.error.message


def test_truncated_last_segment_is_rejected() -> None:
    data = interchange(purchase_order(), terminator="~").rsplit(b"~IEA", 1)[0]  # ends inside GE
    with pytest.raises(EdiSyntaxError, match="without terminator"):
        list(parse_segments(data))


def test_ebcdic_interchange_is_decoded() -> None:
    data = interchange(purchase_order(), terminator="\n").decode().encode("cp037")
    assert detect(data) == ("x12", "850")
    assert decode_all(data).messages[0].ok
    assert decode_all(TrickleReader(data, 2)).messages[0].ok  # type: ignore[arg-type]


def test_detect_rejects_other_formats_cheaply() -> None:
    assert detect(b"UNA:+.? 'UNB+UNOC:3") is None
    assert detect(b"<?xml version='1.0'?><Order/>") is None
    assert detect(ISA.encode()[:50]) == ("x12", None)


def test_serialize_then_parse_gives_the_same_segments() -> None:
    segments = list(parse_segments(interchange(purchase_order())))
    assert list(parse_segments(serialize_segments(segments))) == segments
    pipes = serialize_segments(segments, Separators(element="|", segment="\n"))
    assert pipes.startswith(b"ISA|00|")
    assert list(parse_segments(pipes)) == segments


def test_serializer_refuses_a_value_containing_a_separator() -> None:
    with pytest.raises(EncodeError, match="N102") as info:
        serialize_segments([("N1", "BY", "A*B")])
    assert info.value.position is not None
    assert (info.value.position.segment_tag, info.value.position.element) == ("N1", 2)


def test_iea_without_terminator_is_read_with_a_warning_and_refused_in_strict_mode() -> None:
    data = interchange(purchase_order(), terminator="~\r\n")[:-3]
    for source in (data, TrickleReader(data, 7)):
        result = decode_all(source)  # type: ignore[arg-type]
        assert result.error is None
        assert [m.ok for m in result.messages] == [True]
        (warning,) = result.warnings
        assert "'IEA*1*000000042' has no segment terminator '~'" in warning
        assert f"byte {data.index(b'IEA')}" in warning
    strict = decode_all(data, strict=True)
    assert isinstance(strict.error, EdiSyntaxError)
    assert "strict mode refuses a missing final terminator" in strict.error.message
    assert strict.error.position is not None
    assert strict.error.position.offset == data.index(b"IEA")


@pytest.mark.parametrize(
    "tail", ["\x1a", "\r\n\x1a\x1a\r\n", "\n" + "\x1a" * 70_000], ids=["one", "crlf", "block"]
)
def test_ctrl_z_after_the_last_interchange_is_ignored_with_a_warning(tail: str) -> None:
    data = interchange(purchase_order()) + tail.encode()
    for source in (data, TrickleReader(data, 5)):
        result = decode_all(source)  # type: ignore[arg-type]
        assert result.error is None
        assert [m.ok for m in result.messages] == [True]
        (warning,) = result.warnings
        assert warning.startswith("a Ctrl-Z (0x1A) end-of-file mark at the end of the file was ignored")
    strict = decode_all(data, strict=True)
    assert isinstance(strict.error, EdiSyntaxError)
    assert "Ctrl-Z" in strict.error.message


def test_ctrl_z_after_an_unterminated_iea_gives_both_warnings_with_their_positions() -> None:
    data = interchange(purchase_order(), terminator="~")[:-1] + b"\x1a"
    result = decode_all(data)
    assert result.error is None
    first, second = result.warnings
    assert first.startswith("the last segment 'IEA*1*000000042' has no segment terminator")
    assert first.endswith(f"byte {data.index(b'IEA')})")
    assert second.startswith("a Ctrl-Z (0x1A) end-of-file mark")
    assert second.endswith(f"byte {len(data) - 1})")


def test_data_after_a_ctrl_z_is_still_refused() -> None:
    result = decode_all(interchange(purchase_order()) + b"\x1aISA")
    assert isinstance(result.error, EdiSyntaxError)
    assert "unexpected data after IEA" in result.error.message
    assert result.warnings == ()


def test_an_iea_whose_terminator_arrives_in_a_later_read_still_ends_its_interchange() -> None:
    first = interchange(purchase_order(), terminator="~")
    second = interchange(purchase_order("0002"), terminator="~").replace(b"*", b"|").replace(b"~", b"!")
    data = first + second
    whole = [seg for batch in Tokenizer(data).batches() for seg in batch.segments]
    for size in (2, 3, 7):
        # small chunks: the buffer is cut into batches long before the end of the file
        trickled = Tokenizer(TrickleReader(data, size), chunk_size=64)  # type: ignore[arg-type]
        assert [seg for batch in trickled.batches() for seg in batch.segments] == whole
    assert ("IEA", "1", "000000042") in whole and whole[-1] == ("IEA", "1", "000000042")
