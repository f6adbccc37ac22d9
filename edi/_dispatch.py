"""One entry point over every format: detect, decode, encode and acknowledge without the caller
naming the syntax."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO, Protocol, cast

from edi import edifact, x12
from edi.documents import AckError, Acknowledgement, AckStatus, Document, Envelope, Message
from edi.edifact._decode import _run as _edifact_stream
from edi.edifact._encode import VERSIONS as EDIFACT_VERSIONS
from edi.edifact._envelope import Interchange
from edi.edifact._lengths import check_lengths
from edi.errors import EdiError, EdiSyntaxError, MappingError, UnsupportedError, ValidationError
from edi.x12._decode import SetInfo
from edi.x12._decode import _decode as _x12_stream
from edi.x12._lengths import check_lengths as check_x12_lengths
from edi.xml import codec as xml_codec
from edi.xml import opentrans
from edi.xml.zugferd import extract_xml, is_pdf

FORMATS = ("edifact", "x12", "ubl", "cii", "zugferd", "opentrans")


@dataclass(frozen=True, slots=True)
class Detected:
    """What a file is: ``format`` is one of :data:`FORMATS`; ``message_type`` the first message's
    type ("ORDERS", "850", "Invoice", "ORDER") when it can be told cheaply."""

    format: str
    message_type: str | None = None


@dataclass(slots=True)
class Decoded:
    """Every message of a file, good and bad, the file-level error that stopped decoding, and the
    file-level warnings: deviations read anyway that belong to no message (an EDIFACT or X12 file
    whose last segment lacks its terminator, a Ctrl-Z end-of-file mark); ``strict`` refuses them."""

    format: str
    messages: list[Message] = field(default_factory=list)
    error: EdiError | None = None
    native: Any = None  # the format's own result, needed to acknowledge it
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and all(m.ok for m in self.messages)


def detect(data: bytes) -> Detected:
    """Tell the format of ``data``. Raises :class:`~edi.errors.UnsupportedError` for anything else; for
    a PDF the error says why it holds no invoice (what `~edi.xml.zugferd.extract_xml` found)."""
    found = edifact.detect(data)
    if found:
        return Detected("edifact", found[1])
    found = x12.detect(data)
    if found:
        return Detected("x12", found[1])
    xml = xml_codec.detect(data)
    if xml:
        return Detected(xml[0], xml[1])
    if is_pdf(data):
        extract_xml(data)  # raises the precise reason: unreadable, or which attachments it carries
        raise UnsupportedError("the invoice embedded in the PDF is not a known XML business document")
    head = data[:40].decode("latin-1", "replace").strip()
    raise UnsupportedError(f"not EDIFACT, X12 or a known XML business document (starts with {head[:20]!r})")


def decode_all(data: bytes, *, strict: bool = False) -> Decoded:
    """Decode a whole file. File-level errors are returned in ``Decoded.error``, never raised, so the
    raw file can always be recorded with what went wrong. An exception that is not an
    :class:`~edi.errors.EdiError` (a bug of ours or of a library on input nobody foresaw) is turned
    into an :class:`~edi.errors.EdiSyntaxError` that names it, for the same reason.

    ``strict`` (EDIFACT and X12) refuses what is otherwise read with a warning: a missing final
    segment terminator, a Ctrl-Z at the end, an unreadable date the mapping does not use, and the
    deviations each codec's own ``strict`` lists."""
    try:
        return _decode_all(data, strict)
    except EdiError as exc:
        return Decoded("unknown", error=exc)
    except Exception as exc:  # the promise is "never raises"; see the docstring
        return Decoded("unknown", error=_unexpected("decoding", exc))


def _unexpected(doing: str, exc: BaseException) -> EdiSyntaxError:
    # MemoryError and RecursionError are input too big or too deep, not a crash: say so.
    if isinstance(exc, RecursionError | MemoryError):
        return EdiSyntaxError(f"the file is nested too deeply or too large for {doing}")
    return EdiSyntaxError(f"the file could not be read ({doing} failed with {type(exc).__name__}: {exc})")


def _decode_all(data: bytes, strict: bool) -> Decoded:
    try:
        kind = detect(data)
    except EdiError as exc:
        pdf = is_pdf(data)
        if pdf or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            # say what is wrong with the PDF or the XML rather than "not a known format"
            try:
                xml_codec.decode(data)
            except EdiError as precise:
                if pdf or not isinstance(precise, UnsupportedError):
                    return Decoded("zugferd" if pdf else "unknown", error=precise)
        return Decoded("unknown", error=exc)
    if kind.format == "edifact":
        result = edifact.decode_all(data, strict=strict)
        return Decoded("edifact", list(result.messages), result.error, result, list(result.warnings))
    if kind.format == "x12":
        x12_result = x12.decode_all(data, strict=strict)
        return Decoded(
            "x12", list(x12_result.messages), x12_result.error, x12_result, list(x12_result.warnings)
        )
    try:
        message = opentrans.decode(data) if kind.format == "opentrans" else xml_codec.decode(data)
    except EdiError as exc:
        return Decoded(kind.format, error=exc)
    return Decoded(kind.format, [message], None, message)


@dataclass(frozen=True, slots=True)
class Summary(Message):
    """A streamed message after its business document was let go (see :class:`MessageStream`): the
    envelope, type, error and warnings stay, ``document`` is ``None`` (acknowledgements received keep
    theirs: they are small), and ``ok`` still says whether the message had decoded to a document."""

    had_document: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and (self.had_document or self.document is not None)


def _summary(message: Message) -> Message:
    if message.document is None or isinstance(message.document, Acknowledgement):
        return message
    return Summary(
        message.format,
        message.message_type,
        message.envelope,
        None,
        message.error,
        message.segment_count,
        message.warnings,
        had_document=True,
    )


_HEAD = 64 * 1024  # more than any format's detect looks at


class Readable(Protocol):
    """What :func:`iter_messages` reads from: ``read(size)`` returns at most ``size`` bytes, fewer
    only at the end (``b""``); ``read()`` the rest."""

    def read(self, size: int = -1, /) -> bytes: ...


class _Rest:
    """A file whose first bytes were read already (``head``): reads them again, then the file."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head: bytes | None = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        head, self._head = self._head, None
        if not head:
            return bytes(self._rest.read(size))
        if size < 0:
            return head + bytes(self._rest.read())
        if size < len(head):
            self._head = head[size:]
            return head[:size]
        return head + bytes(self._rest.read(size - len(head))) if size > len(head) else head


class MessageStream:
    """A file decoded one message at a time, for files too big to hold every document at once.

    Iterate it once: each :class:`~edi.documents.Message` comes with its document, and nothing here
    keeps the document afterwards, so memory holds the file, one message's document and a small
    :class:`Summary` per message already read, where :func:`decode_all` holds every document (about
    five times the file). Given a binary file object instead of bytes, EDIFACT and X12 are read from
    it in chunks, so not even the file is in memory. XML and PDF files are read and decoded whole
    (they hold one document). Like :func:`decode_all` it never raises for bad input: a file-level
    fault ends the iteration and is in :attr:`error`. After the iteration, :meth:`summary` is the
    :class:`Decoded` to give :func:`acknowledgement` and :func:`encode_acknowledgement`: every message
    as a :class:`Summary`. ``format`` is known before the first message; ``strict`` as for
    :func:`decode_all`."""

    def __init__(self, source: bytes | Readable, *, strict: bool = False) -> None:
        self.error: EdiError | None = None
        self.warnings: list[str] = []  # file-level, as Decoded.warnings; complete after the iteration
        self._messages: list[Message] = []
        self._interchanges: list[Interchange] = []
        self._x12_interchanges: list[str] = []
        self._starts: list[int] = []
        self._sets: list[SetInfo] = []
        self._whole: Decoded | None = None
        self._source: Iterator[Message] | None = None
        data: bytes | BinaryIO
        if isinstance(source, bytes):
            data = head = source
        else:  # a file: its start tells the format, then it is read on in chunks (EDIFACT, X12)
            head = bytes(source.read(_HEAD))
            data = cast(BinaryIO, _Rest(head, source))
        try:
            kind = detect(head).format
        except Exception:  # decode_all below says what is wrong with the file
            kind = "unknown"
        self.format = kind
        if kind == "edifact":
            self._source = _edifact_stream(data, strict, self._interchanges, self._starts, self.warnings)
        elif kind == "x12":
            self._source = _x12_stream(data, strict, None, self._sets, self._x12_interchanges, self.warnings)
        else:  # one document (XML, PDF) or none: decoded whole
            self._whole = decode_all(data if isinstance(data, bytes) else data.read(), strict=strict)
            self.format = self._whole.format
            self.error = self._whole.error
            self.warnings = self._whole.warnings

    def __iter__(self) -> Iterator[Message]:
        if self._whole is not None:
            yield from self._whole.messages
            return
        source, self._source = self._source, None
        if source is None:
            raise RuntimeError("a MessageStream can be iterated once")
        try:
            for message in source:
                self._messages.append(_summary(message))
                yield message
        except EdiError as exc:
            self.error = exc
        except Exception as exc:  # the promise is "never raises", as for decode_all
            self.error = _unexpected("decoding", exc)

    def summary(self) -> Decoded:
        """What was read, for the acknowledgement: call it after iterating to the end."""
        if self._whole is not None:
            return self._whole
        messages = self._messages
        native: Any
        if self.format == "edifact":
            envelopes = [i.envelope for i in self._interchanges]
            native = edifact.DecodeResult(messages, self.error, envelopes, self._starts, self.warnings)
        else:
            native = x12.DecodeResult(
                tuple(messages),
                self.error,
                tuple(self._sets),
                tuple(self._x12_interchanges),
                tuple(self.warnings),
            )
        return Decoded(self.format, messages, self.error, native, list(self.warnings))


def iter_messages(source: bytes | Readable, *, strict: bool = False) -> MessageStream:
    """Decode ``source`` (bytes, or a binary file read in chunks) message by message; see
    :class:`MessageStream`. Never raises for bad files (a file object's own errors are its own)."""
    return MessageStream(source, strict=strict)


def check_elements(data: bytes) -> list[EdiError]:
    """Values of an EDIFACT or X12 file longer (or, X12, shorter) than their data element allows, or
    not numeric where a number belongs, with positions, for the segments the codecs write. XML:
    ``[]`` (it has its schemas). Never raises."""
    try:
        if edifact.detect(data):
            return check_lengths(data)
        if x12.detect(data):
            return check_x12_lengths(data)
    except Exception as exc:  # the promise is "never raises", as for decode_all
        return [_unexpected("checking element lengths", exc)]
    return []


def encode(document: Document, *, format: str, envelope: Envelope, version: str | None = None) -> bytes:
    """Write one document in ``format`` ("edifact", "x12", "ubl", "cii", "opentrans").

    Without ``version`` an EDIFACT document is written in the directory ``envelope.version`` names
    when it is one the encoder writes (D96A, D01B), in D01B when it is a later one (so a decoded file
    goes back out with the element lengths it came with), else in D96A."""
    if format == "edifact":
        return edifact.encode(document, envelope, version=version or _edifact_directory(envelope.version))
    if format == "x12":
        return x12.encode(document, envelope, version=version or "004010")
    if format == "opentrans":
        return opentrans.encode(document, envelope=envelope)
    if format in ("ubl", "cii"):
        return xml_codec.encode(document, syntax=format)
    raise UnsupportedError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")


def _edifact_directory(version: str | None) -> str:
    text = (version or "").upper()
    if text in EDIFACT_VERSIONS:
        return text
    # D01B and later: a year from 2001 on; directory names sort by year, then release letter
    if len(text) == 4 and text[0] == "D" and text[1:3].isdigit() and text[1:3] < "90" and text > "D01B":
        return "D01B"
    return "D96A"


def acknowledgement(decoded: Decoded) -> Acknowledgement | None:
    """The syntax acknowledgement a file's format uses (CONTRL, 997, UBL ApplicationResponse for UBL
    and CII), or None where the format has none (openTRANS, ZUGFeRD PDFs) or nothing could be read
    at the level the acknowledgement answers (an X12 file without a readable functional group).
    Never raises: the result can always be written with :func:`encode_acknowledgement`."""
    try:
        ack = _acknowledgement(decoded)
        if ack is not None:
            # what was read may not fit the acknowledgement's syntax (a 997 needs the numeric GS06
            # the group should have had): no acknowledgement rather than one that cannot be sent
            encode_acknowledgement(decoded, ack, _PROBE)
    except EdiError:
        return None
    return ack


_PROBE = Envelope(sender="PROBE", recipient="PROBE", control_reference="1")


def _acknowledgement(decoded: Decoded) -> Acknowledgement | None:
    if decoded.format == "edifact" and decoded.native is not None and decoded.native.interchanges:
        ack: Acknowledgement = edifact.acknowledge(decoded.native)
        return ack
    if decoded.format == "x12" and decoded.native is not None and decoded.messages:
        x12_ack: Acknowledgement = x12.acknowledge(decoded.native)
        return x12_ack
    if decoded.format in ("ubl", "cii") and decoded.messages:
        message = decoded.messages[0]
        reference = message.envelope.control_reference or "unknown"
        errors: tuple[AckError, ...] = ()
        if message.error is not None:
            # Peppol MLR status reasons: BV business rule violation, SV syntax violation
            code = "BV" if isinstance(message.error, ValidationError | MappingError) else "SV"
            errors = (AckError(code=code, text=str(message.error)),)
        return Acknowledgement(
            interchange_reference=reference,
            status=AckStatus.ACCEPTED if message.ok else AckStatus.REJECTED,
            kind="application",
            document_reference=reference,
            errors=errors,
            # an ApplicationResponse must carry its issue date (UBL cbc:IssueDate is mandatory)
            issue_date=datetime.now(UTC).date(),
        )
    return None


def encode_acknowledgement(decoded: Decoded, ack: Acknowledgement, envelope: Envelope) -> bytes | None:
    if decoded.format == "edifact":
        return edifact.encode(ack, envelope)
    if decoded.format == "x12":
        return x12.encode(ack, envelope)
    if decoded.format in ("ubl", "cii"):
        return xml_codec.encode(ack, syntax="ubl")
    return None
