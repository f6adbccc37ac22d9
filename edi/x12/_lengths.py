"""Element types and lengths (X12 004010) of the segments this codec writes, for the encoder (values
must fit: an identifier or name cut short would name something else, so a value that does not fit
is refused with an :class:`~edi.errors.EncodeError` naming segment and element) and for validation.

Per tag, per element (1-based): ``(type, minimum, maximum)`` with X12 types ``AN`` string, ``ID``
code, ``N0``/``N2`` implied-decimal integers, ``R`` decimal number, ``DT`` date, ``TM`` time.
Composite elements (AK4 01, the 997/999 context) are not listed and not checked. Dates pass with 6
or 8 digits: versions before 004010 write 6 (this encoder always writes 8)."""

from __future__ import annotations

from collections.abc import Iterator

from edi.errors import EdiError, EdiSyntaxError

__all__ = ["SPEC", "check_lengths", "check_segment"]

Spec = tuple[str, int, int]


def _pairs(start: int, end: int, qualifier: Spec, value: Spec) -> dict[int, Spec]:
    return {i: qualifier if (i - start) % 2 == 0 else value for i in range(start, end + 1)}


_PRODUCT_IDS = _pairs(6, 25, ("ID", 2, 2), ("AN", 1, 48))

SPEC: dict[str, dict[int, Spec]] = {
    "GS": {
        1: ("ID", 2, 2),
        2: ("AN", 2, 15),
        3: ("AN", 2, 15),
        4: ("DT", 6, 8),
        5: ("TM", 4, 8),
        6: ("N0", 1, 9),
        7: ("ID", 1, 2),
        8: ("AN", 1, 12),
    },
    "GE": {1: ("N0", 1, 6), 2: ("N0", 1, 9)},
    "ST": {1: ("ID", 3, 3), 2: ("AN", 4, 9), 3: ("AN", 1, 35)},
    "SE": {1: ("N0", 1, 10), 2: ("AN", 4, 9)},
    "IEA": {1: ("N0", 1, 5), 2: ("N0", 9, 9)},
    "BEG": {1: ("ID", 2, 2), 2: ("ID", 2, 2), 3: ("AN", 1, 22), 4: ("AN", 1, 30), 5: ("DT", 6, 8)},
    "BCH": {
        1: ("ID", 2, 2),
        2: ("ID", 2, 2),
        3: ("AN", 1, 22),
        4: ("AN", 1, 30),
        5: ("AN", 1, 10),
        6: ("DT", 8, 8),
        7: ("AN", 1, 45),
        11: ("DT", 8, 8),
    },
    "POC": {
        1: ("AN", 1, 20),
        2: ("ID", 2, 2),
        3: ("R", 1, 15),
        4: ("R", 1, 15),
        5: ("ID", 2, 2),
        6: ("R", 1, 17),
        7: ("ID", 2, 2),
        **_pairs(8, 27, ("ID", 2, 2), ("AN", 1, 48)),
    },
    "BAK": {
        1: ("ID", 2, 2),
        2: ("ID", 2, 2),
        3: ("AN", 1, 22),
        4: ("DT", 6, 8),
        5: ("AN", 1, 30),
        6: ("AN", 1, 30),
        7: ("AN", 1, 30),
        8: ("AN", 1, 30),
        9: ("DT", 6, 8),
    },
    "BSN": {1: ("ID", 2, 2), 2: ("AN", 2, 30), 3: ("DT", 6, 8), 4: ("TM", 4, 8), 5: ("ID", 4, 4)},
    "BIG": {
        1: ("DT", 6, 8),
        2: ("AN", 1, 22),
        3: ("DT", 6, 8),
        4: ("AN", 1, 22),
        5: ("AN", 1, 30),
        6: ("AN", 1, 8),
        7: ("ID", 2, 2),
    },
    "CUR": {1: ("ID", 2, 3), 2: ("ID", 3, 3)},
    "BPR": {1: ("ID", 1, 2), 2: ("R", 1, 18), 3: ("ID", 1, 1), 4: ("ID", 3, 3), 16: ("DT", 8, 8)},
    "TRN": {1: ("ID", 1, 2), 2: ("AN", 1, 50)},
    "ENT": {1: ("N0", 1, 6)},
    "RMR": {1: ("ID", 2, 3), 2: ("AN", 1, 50), 4: ("R", 1, 18), 5: ("R", 1, 18)},
    "BGN": {1: ("ID", 2, 2), 2: ("AN", 1, 30), 3: ("DT", 8, 8)},
    "OTI": {1: ("ID", 1, 2), 2: ("ID", 2, 3), 3: ("AN", 1, 30)},
    "TED": {1: ("ID", 1, 3), 2: ("AN", 1, 60)},
    "REF": {1: ("ID", 2, 3), 2: ("AN", 1, 30), 3: ("AN", 1, 80)},
    "PER": {
        1: ("ID", 2, 2),
        2: ("AN", 1, 60),
        3: ("ID", 2, 2),
        4: ("AN", 1, 80),
        5: ("ID", 2, 2),
        6: ("AN", 1, 80),
    },
    "DTM": {1: ("ID", 3, 3), 2: ("DT", 6, 8), 3: ("TM", 4, 8)},
    "N1": {1: ("ID", 2, 3), 2: ("AN", 1, 60), 3: ("ID", 1, 2), 4: ("AN", 2, 80)},
    "N2": {1: ("AN", 1, 60), 2: ("AN", 1, 60)},
    "N3": {1: ("AN", 1, 55), 2: ("AN", 1, 55)},
    "N4": {1: ("AN", 2, 30), 2: ("ID", 2, 2), 3: ("ID", 3, 15), 4: ("ID", 2, 3)},
    "PO1": {
        1: ("AN", 1, 20),
        2: ("R", 1, 15),
        3: ("ID", 2, 2),
        4: ("R", 1, 17),
        5: ("ID", 2, 2),
        **_PRODUCT_IDS,
    },
    "ACK": {
        1: ("ID", 2, 2),
        2: ("R", 1, 15),
        3: ("ID", 2, 2),
        4: ("ID", 3, 3),
        5: ("DT", 6, 8),
        **_pairs(7, 28, ("ID", 2, 2), ("AN", 1, 48)),
    },
    "PID": {1: ("ID", 1, 1), 2: ("ID", 2, 3), 3: ("ID", 2, 2), 4: ("AN", 1, 12), 5: ("AN", 1, 80)},
    "CTT": {1: ("N0", 1, 6), 2: ("R", 1, 10)},
    "AMT": {1: ("ID", 1, 3), 2: ("R", 1, 18)},
    "TDS": {1: ("N2", 1, 15), 2: ("N2", 1, 15), 3: ("N2", 1, 15), 4: ("N2", 1, 15)},
    "IT1": {
        1: ("AN", 1, 20),
        2: ("R", 1, 10),
        3: ("ID", 2, 2),
        4: ("R", 1, 17),
        5: ("ID", 2, 2),
        **_PRODUCT_IDS,
    },
    "HL": {1: ("AN", 1, 12), 2: ("AN", 1, 12), 3: ("ID", 1, 2), 4: ("ID", 1, 1)},
    "LIN": {1: ("AN", 1, 20), **_pairs(2, 31, ("ID", 2, 2), ("AN", 1, 48))},
    "SN1": {
        1: ("AN", 1, 20),
        2: ("R", 1, 10),
        3: ("ID", 2, 2),
        4: ("R", 1, 15),
        5: ("R", 1, 15),
        6: ("ID", 2, 2),
    },
    "PRF": {1: ("AN", 1, 22), 2: ("AN", 1, 8), 3: ("AN", 1, 30), 4: ("DT", 6, 8)},
    "TD5": {1: ("ID", 1, 2), 2: ("ID", 1, 2), 3: ("AN", 2, 80), 4: ("ID", 1, 2), 5: ("AN", 1, 35)},
    "NTE": {1: ("ID", 3, 3), 2: ("AN", 1, 80)},
    "MAN": {1: ("ID", 1, 2), 2: ("AN", 1, 48)},
    "AK1": {1: ("ID", 2, 2), 2: ("N0", 1, 9)},
    "AK2": {1: ("ID", 3, 3), 2: ("AN", 4, 9)},
    "AK3": {1: ("ID", 2, 3), 2: ("N0", 1, 6), 3: ("AN", 1, 4), 4: ("ID", 1, 3)},
    "AK5": {i: ("ID", 1, 3) for i in range(1, 7)},
    "AK9": {
        1: ("ID", 1, 1),
        2: ("N0", 1, 6),
        3: ("N0", 1, 6),
        4: ("N0", 1, 6),
        **{i: ("ID", 1, 3) for i in range(5, 10)},
    },
    "ITD": {
        1: ("ID", 2, 2),
        2: ("ID", 1, 2),
        3: ("R", 1, 6),
        4: ("DT", 6, 8),
        5: ("N0", 1, 3),
        6: ("DT", 6, 8),
        7: ("N0", 1, 3),
        8: ("N2", 1, 10),
        12: ("AN", 1, 80),
    },
    "SAC": {
        1: ("ID", 1, 1),
        2: ("ID", 4, 4),
        3: ("ID", 2, 2),
        4: ("AN", 1, 10),
        5: ("N2", 1, 15),
        6: ("ID", 1, 1),
        7: ("R", 1, 6),
        8: ("R", 1, 9),
        9: ("ID", 2, 2),
        10: ("R", 1, 15),
        15: ("AN", 1, 80),
    },
}


def _shape_ok(kind: str, value: str) -> tuple[int, bool]:
    """(counted length, type ok): numbers count digits only (sign and decimal point are free)."""
    if kind in ("N0", "N2", "R"):
        digits = value.lstrip("-").replace(".", "", 1) if kind == "R" else value.lstrip("-")
        return len(digits), digits.isdigit()
    if kind in ("DT", "TM"):
        return len(value), value.isdigit()
    return len(value), True


# Values an acknowledgement copies from the file it answers (AK202: the ST02 of the acknowledged set):
# a too-short one is the sender's fault, reported on that file; the answer must repeat it as sent or
# it would name another set.
ECHOED = frozenset({("AK2", 2)})


def check_segment(seg: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """(element, what is wrong) for every value of ``seg`` outside its type or length (the minimum
    length of an :data:`ECHOED` value is not checked)."""
    spec = SPEC.get(seg[0])
    if spec is None:
        return
    for i, value in enumerate(seg[1:], start=1):
        rule = spec.get(i)
        if rule is None or not value:
            continue
        kind, least, most = rule
        size, ok = _shape_ok(kind, value)
        if not ok:
            yield i, f"{value[:20]!r} is not of type {kind}"
        elif size > most:
            yield i, f"{size} characters where {kind} {least}/{most} allows {most}: {value[:20]!r}"
        elif size < least and (seg[0], i) not in ECHOED:
            yield i, f"{size} characters where {kind} {least}/{most} needs {least}: {value[:20]!r}"


def check_lengths(source: bytes, *, limit: int = 100) -> list[EdiError]:
    """Every value of ``source`` (an X12 file) outside its type or length, in the segments this codec
    writes, each with its position; at most ``limit``."""
    from edi.x12._tokenizer import Tokenizer

    found: list[EdiError] = []
    try:
        for batch in Tokenizer(source).batches():
            for k, seg in enumerate(batch.segments):
                for element, what in check_segment(seg):
                    found.append(
                        EdiSyntaxError(
                            f"{seg[0]}{element:02d}: {what}",
                            position=batch.position(k, element=element),
                            code="6" if "type" in what else "4" if "allows" in what else "5",
                        )
                    )
                    if len(found) >= limit:
                        return found
    except EdiError:
        pass  # decode_all reports what stops the file
    return found
