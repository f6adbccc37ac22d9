"""Decode -> encode -> decode in the same format gives an equal document, for every message of every
corpus and conformance file that decodes (issue #13 item 7): a codec writes what it reads."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

import edi
from edi.documents import Message
from edi.errors import EncodeError
from tests.edi.corpus import CORPUS

CONFORMANCE = CORPUS.parent / "conformance"
_SKIP = {".xsd", ".sch", ".xsl", ".xslt", ".md", ".json", ".txt", ".csv"}
# Files whose documents cannot be written back in their own format, and why.
REFUSED = {
    # declares UNOC (Latin-1) but is UTF-8 holding U+FFFD; the envelope keeps UNOC, which cannot write it
    "corpus/edi/edifact/orders/orders_d01b_ean010_large_ok.edi": "cannot be written in UNOC",
}


def _readable() -> list[tuple[str, Path]]:
    out = []
    for root in (CORPUS, CONFORMANCE):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() not in _SKIP):
            if any(m.ok for m in edi.decode_all(path.read_bytes()).messages):
                out.append((f"{root.name}/{path.relative_to(root).as_posix()}", path))
    if not out:
        pytest.skip("corpus and conformance files not present", allow_module_level=True)
    return out


FILES = _readable()


def _differences(a: Any, b: Any, where: str = "") -> list[str]:
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        return [
            d
            for f in dataclasses.fields(a)
            for d in _differences(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
        ]
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{where}[{i}]")
        ]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def _round_trip(fmt: str, message: Message) -> Any:
    assert message.document is not None
    data = edi.encode(message.document, format="cii" if fmt == "zugferd" else fmt, envelope=message.envelope)
    again = edi.decode_all(data)
    assert again.error is None and len(again.messages) == 1 and again.messages[0].ok, again.error
    return again.messages[0].document


def test_most_files_take_part() -> None:
    assert len(FILES) > 250


@pytest.mark.parametrize(("name", "path"), FILES, ids=[name for name, _ in FILES])
def test_documents_survive_their_own_format(name: str, path: Path) -> None:
    decoded = edi.decode_all(path.read_bytes())
    for message in (m for m in decoded.messages if m.ok):
        if name in REFUSED:
            with pytest.raises(EncodeError, match=REFUSED[name]):
                _round_trip(decoded.format, message)
            continue
        document = _round_trip(decoded.format, message)
        assert document == message.document, _differences(message.document, document)[:5]
