"""Hand-built PDFs that carry an embedded ``factur-x.xml`` in odd ways (for the hardening tests).

Written byte by byte with a correct cross-reference table, so that what the reader sees is exactly the
fault under test and not a repair of a broken file."""

from __future__ import annotations

import zlib


def pdf(objects: list[bytes]) -> bytes:
    """A PDF whose object ``n`` (1-based) is ``objects[n - 1]``; object 1 must be the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def _catalog_and_filespec(ef: bytes) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /Names [(factur-x.xml) 4 0 R] >>",
        b"<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F " + ef + b" >> >>",
    ]


def embedded(xml: bytes) -> bytes:
    """A well-formed PDF carrying ``xml`` flate-compressed as factur-x.xml."""
    body = zlib.compress(xml)
    return pdf([*_catalog_and_filespec(b"5 0 R"), stream(b"/Type /EmbeddedFile /Filter /FlateDecode", body)])


def flate_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    """factur-x.xml inflating to ``size`` bytes (200 MiB by default) from about 0.1 % of that."""
    packer = zlib.compressobj(9)
    block = b"<" * (1024 * 1024)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    parts.append(packer.flush())
    return pdf(
        [
            *_catalog_and_filespec(b"5 0 R"),
            stream(b"/Type /EmbeddedFile /Filter /FlateDecode", b"".join(parts)),
        ]
    )


def jbig2() -> bytes:
    """factur-x.xml 'compressed' with /JBIG2Decode, an image filter."""
    return pdf(
        [*_catalog_and_filespec(b"5 0 R"), stream(b"/Type /EmbeddedFile /Filter /JBIG2Decode", b"\x97JB2")]
    )


def not_a_stream() -> bytes:
    """The embedded file entry points at a dictionary instead of a stream."""
    return pdf([*_catalog_and_filespec(b"5 0 R"), b"<< /Type /EmbeddedFile /Length 0 >>"])


def number_instead_of_file() -> bytes:
    """The embedded file entry is a number."""
    return pdf(_catalog_and_filespec(b"42"))
