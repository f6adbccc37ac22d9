"""EDIFACT codec throughput, as ratios against baselines measured in the same run.

    .venv/bin/python -m benchmarks.edi_bench_edifact

Prints segments/s for: the plain ``str.split`` tokenizer (the ceiling: decode, split on ' then +
then :), our :func:`edi.edifact.parse_segments`, our :func:`edi.edifact.decode` down to documents,
and pydifact's parser (``Interchange.from_str``). Targets: segments >= 0.7x plain split; documents
>= 5x pydifact.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from benchmarks._timing import timed
from edi.edifact import decode, parse_segments

__all__ = ["make_orders_interchange", "run"]


def make_orders_interchange(messages: int = 2000, lines: int = 10) -> bytes:
    """A syntactically valid EANCOM D96A ORDERS interchange with ``messages`` messages of
    ``lines`` lines each (about 12 + 5 x lines segments per message)."""
    parts = ["UNA:+.? '", "UNB+UNOC:3+4012345000009:14+5412345000013:14+260101:1200+BENCH1'"]
    for m in range(1, messages + 1):
        body = [
            f"UNH+{m}+ORDERS:D:96A:UN:EAN008'",
            f"BGM+220+PO{m:08d}+9'",
            "DTM+137:20260101:102'",
            "DTM+2:20260115:102'",
            "NAD+BY+5412345000013::9++Buyer GmbH+Main street 1+Berlin++10115+DE'",
            "RFF+VA:DE123456789'",
            "NAD+SU+4012345000009::9++Supplier AG+Harbour road 7+Hamburg++20095+DE'",
            "NAD+DP+5412345000020::9'",
            "CUX+2:EUR:9'",
        ]
        for n in range(1, lines + 1):
            body += [
                f"LIN+{n}++40123450000{n % 100:02d}:EN'",
                f"PIA+5+ART{n}:SA+B{n}:IN'",
                f"IMD+F++:::Article number {n} with a longer description'",
                f"QTY+21:{n * 3}'",
                f"PRI+AAA:{n}.25'",
            ]
        body += ["UNS+S'", f"CNT+2:{lines}'"]
        parts += body
        parts.append(f"UNT+{len(body) + 1}+{m}'")
    parts.append(f"UNZ+{messages}+BENCH1'")
    return "".join(parts).encode("latin-1")


def _plain_split(data: bytes) -> int:
    text = data.decode("latin-1")
    count = 0
    for seg in text.split("'"):
        if seg:
            _ = [el.split(":") for el in seg.split("+")]
            count += 1
    return count


def _ours_segments(data: bytes) -> int:
    count = 0
    for _ in parse_segments(data):
        count += 1
    return count


def _ours_documents(data: bytes) -> int:
    count = 0
    for message in decode(data):
        if message.document is None:
            raise RuntimeError(f"benchmark message did not decode: {message.error}")
        count += message.segment_count or 0
    return count + 2  # UNB, UNZ


def _pydifact(data: bytes) -> int:
    from pydifact.segmentcollection import Interchange

    interchange = Interchange.from_str(data.decode("latin-1"))
    return sum(1 for _ in interchange.segments) + 2


def _pydifact_quiet(data: bytes) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns about its missing XML directories
        return _pydifact(data)


def run(messages: int = 2000, lines: int = 10, rounds: int = 9) -> dict[str, float]:
    """Measure and print segments/s and the two target ratios; returns the figures.

    The contenders run interleaved, ``rounds`` times, and the best CPU time of each counts (``benchmarks._timing``), so a busy
    machine disturbs the ratios less than the absolute figures."""
    data = make_orders_interchange(messages, lines)
    small = make_orders_interchange(max(messages // 10, 1), lines)
    contenders: dict[str, tuple[Callable[[bytes], int], bytes]] = {
        "plain_split": (_plain_split, data),
        "parse_segments": (_ours_segments, data),
        "decode_documents": (_ours_documents, data),
        "pydifact": (_pydifact_quiet, small),
    }
    best = dict.fromkeys(contenders, float("inf"))
    counts = dict.fromkeys(contenders, 0)
    for _ in range(rounds):
        for name, (fn, payload) in contenders.items():
            counts[name], seconds = timed(fn, payload)
            best[name] = min(best[name], seconds)
    results = {name: counts[name] / best[name] for name in contenders}
    results["segments_vs_split"] = results["parse_segments"] / results["plain_split"]
    results["documents_vs_pydifact"] = results["decode_documents"] / results["pydifact"]
    print(
        f"input: {len(data):,} bytes, {messages} ORDERS x {lines} lines; best of {rounds} interleaved rounds"
    )
    for name in contenders:
        print(f"  {name:<18} {results[name]:>14,.0f} segments/s")
    print(f"  parse_segments / plain split : {results['segments_vs_split']:.2f}x  (target >= 0.7)")
    print(f"  decode documents / pydifact  : {results['documents_vs_pydifact']:.2f}x  (target >= 5)")
    return results


if __name__ == "__main__":
    run()
