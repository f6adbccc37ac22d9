"""Read what the document needs, warn about the rest (issue #13 item 5): a date the mapping does not
use that cannot be read, and empty trailing data elements, do not cost the message; strict mode
still refuses them."""

from __future__ import annotations

from datetime import date

import pytest

from edi.documents import Invoice, PaymentTerms
from edi.edifact import decode_all
from edi.errors import EdiSyntaxError, MappingError

HEAD = "UNA:+.? 'UNB+UNOC:3+4012345000009:14+5412345000013:14+260101:1200+R1'UNH+1+INVOIC:D:96A:UN:EAN008'"


def _invoice(*, header: str = "", line: str = "", bgm: str = "BGM+380+INV-1+9'") -> bytes:
    body = [
        bgm,
        "DTM+137:20260105:102'",
        header,
        "NAD+BY+5412345000013::9'",
        "NAD+SU+4012345000009::9'",
        "CUX+2:EUR:4'",
        "PAT+1++5:3:D:30'",
        "DTM+13:20260204:102'",
        "LIN+1++4012345000016:EN'",
        "QTY+47:2'",
        line,
        "MOA+203:20'",
        "PRI+AAA:10'",
        "UNS+S'",
        "MOA+77:23.8'",
    ]
    segments = [s for s in body if s]
    message = "".join(segments) + f"UNT+{len(segments) + 2}+1'"
    return (HEAD + message + "UNZ+1+R1'").encode("ascii")


def _decoded(data: bytes, *, strict: bool = False) -> tuple[Invoice | None, list[str], Exception | None]:
    result = decode_all(data, strict=strict)
    assert result.error is None
    (message,) = result.messages
    document = message.document
    assert document is None or isinstance(document, Invoice)
    return document, list(message.warnings), message.error


@pytest.mark.parametrize(
    ("dtm", "problem"),
    [
        ("DTM+138:19980610:103'", "DTM format '103' is not supported"),  # EdiFabric's RepeatingSegment
        ("DTM+XXX::102'", "DTM XXX value '' is not a valid date in format 102"),  # bots' xml envelope demo
        ("DTM+137:2026013X:102'", "DTM 137 value '2026013X' is not a valid date"),  # a second 137
    ],
    ids=["unsupported-format", "empty-value", "repeated-qualifier"],
)
def test_an_unreadable_date_the_mapping_does_not_use_is_a_warning(dtm: str, problem: str) -> None:
    document, warnings, error = _decoded(_invoice(header=dtm))
    assert error is None
    assert document is not None
    assert document.issue_date == date(2026, 1, 5)
    (warning,) = warnings
    assert warning.startswith(problem)
    assert "[segment 5 (DTM) element 1 at line 1, column 136 byte 135]" in warning  # where it is
    assert warning.endswith("the date is not used by the mapping and was ignored")
    _, _, strict = _decoded(_invoice(header=dtm), strict=True)
    assert isinstance(strict, MappingError)
    assert strict.message.startswith(problem)


def test_dates_are_read_where_the_document_needs_them() -> None:
    document, warnings, error = _decoded(_invoice(header="DTM+35:20260103:102'", line="DTM+171:1998:102'"))
    assert error is None
    assert document is not None
    assert (document.issue_date, document.delivery_date) == (date(2026, 1, 5), date(2026, 1, 3))
    assert document.payment_terms == PaymentTerms(due_date=date(2026, 2, 4), net_days=30)  # PAT 5:3:D:30
    # INVOIC maps no line date: an unreadable one is a warning
    assert [w.split(" [")[0] for w in warnings] == ["DTM 171 value '1998' is not a valid date in format 102"]
    # the invoice date and the due date are needed: unreadable, they are errors with their position
    issue = _invoice().replace(b"DTM+137:20260105:102'", b"DTM+137:19980610:103'")
    _, _, error = _decoded(issue)
    assert isinstance(error, MappingError)
    assert (error.message, error.code) == (
        "DTM format '103' is not supported (use 102, 203, 204 or 718)",
        "12",
    )
    assert error.position is not None
    assert (error.position.segment_tag, error.position.segment_index, error.position.element) == ("DTM", 4, 1)
    _, _, error = _decoded(_invoice().replace(b"DTM+13:20260204:102'", b"DTM+13::102'"))
    assert isinstance(error, MappingError)
    assert "DTM 13 value ''" in error.message


def test_empty_trailing_data_elements_are_legal() -> None:
    document, warnings, error = _decoded(_invoice(bgm="BGM+380+INV-1+9++++'", line="QTY+47:2:::'"))
    assert error is None
    assert document is not None
    assert (document.number, document.type_code) == ("INV-1", "380")
    assert warnings == []
    # a filled element too many is still one too many
    _, _, error = _decoded(_invoice(bgm="BGM+380+INV-1+9+++X'"))
    assert isinstance(error, EdiSyntaxError)
    assert (error.code, error.message) == (
        "16",
        "BGM has 6 data elements, at most 4 allowed (unreleased separator in the data?)",
    )
    assert error.position is not None
    assert (error.position.segment_tag, error.position.element) == ("BGM", 5)
    # and strict mode refuses trailing separators (ISO 9735, 0085 code 45)
    result = decode_all(_invoice(bgm="BGM+380+INV-1+9++++'"), strict=True)
    assert isinstance(result.error, EdiSyntaxError)
    assert result.error.code == "45"
