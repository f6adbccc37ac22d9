"""X12 throughput: our tokenizer and decoder against plain ``str.split`` and pyx12.

Run with ``python -m benchmarks.edi_bench_x12``. Prints segments per second for

* ``split``: ``bytes.decode`` + ``str.split`` on the terminator, then on the element separator
  (the ceiling: no positions, no envelope, no checks),
* ``parse_segments``: our streaming tokenizer (chunks, positions, tuples),
* ``decode``: ours, all the way to PurchaseOrder documents with envelope checks,
* ``pyx12``: ``pyx12.x12file.X12Reader`` iterating the same data (segments only, with its
  envelope checks),

and the ratios ``parse_segments / split`` (target >= 0.7) and ``decode / pyx12`` (target >= 10).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from benchmarks._timing import timed
from edi.x12 import decode, parse_segments


def make_850_interchange(sets: int = 2000, lines: int = 10) -> bytes:
    """One ISA/GS/IEA interchange with ``sets`` 850 purchase orders of ``lines`` PO1 lines each."""
    segs = [
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00401*"
        "000000001*0*P*>",
        "GS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010",
    ]
    for s in range(sets):
        body = [
            f"ST*850*{s + 1:04d}",
            f"BEG*00*SA*PO{s:06d}**20240101",
            "CUR*BY*USD",
            "DTM*002*20240201",
            "N1*BY*BUYER INC*UL*4012345000009",
            "N3*1 MAIN ST",
            "N4*SPRINGFIELD*IL*62701*US",
            "N1*ST*WAREHOUSE 7*92*WH7",
            "N1*VN*SUPPLIER CO*92*SUP1",
        ]
        for n in range(lines):
            body.append(f"PO1*{n + 1}*{n + 2}*EA*{n}.95**UP*0{s % 1000:05d}{n:06d}*VN*ART{n}*BP*B{n}")
            body.append(f"PID*F****WIDGET NUMBER {n}")
        body.append(f"CTT*{lines}")
        body.append(f"SE*{len(body) + 1}*{s + 1:04d}")
        segs += body
    segs += [f"GE*{sets}*1", "IEA*1*000000001"]
    return ("~\n".join(segs) + "~\n").encode("ascii")


def _split(data: bytes) -> int:
    count = 0
    for seg in data.decode("ascii").split("~\n"):
        if seg:
            seg.split("*")
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
        if not message.ok:
            raise RuntimeError(f"benchmark data did not decode: {message.error}")
        count += message.segment_count or 0
    return count


def _pyx12(data: bytes) -> int:
    import pyx12.x12file

    count = 0
    for _ in pyx12.x12file.X12Reader(io.StringIO(data.decode("ascii"))):
        count += 1
    return count


def run(sets: int = 2000, lines: int = 10, repeat: int = 9) -> dict[str, float]:
    """Measure every contender on the same data, round-robin ``repeat`` times so that load from
    other processes hits all of them alike, keeping each one's best CPU time (``benchmarks._timing``). Returns segments/s per
    contender and the two ratios."""
    data = make_850_interchange(sets, lines)
    segments = _split(data)
    contenders: dict[str, Callable[[bytes], int]] = {
        "split": _split,
        "parse_segments": _ours_segments,
        "decode": _ours_documents,
        "pyx12": _pyx12,
    }
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(repeat):
        for name, fn in contenders.items():
            _, seconds = timed(fn, data)
            best[name] = min(best[name], seconds)
    results = {name: segments / seconds for name, seconds in best.items()}
    results["segments_vs_split"] = results["parse_segments"] / results["split"]
    results["decode_vs_pyx12"] = results["decode"] / results["pyx12"]
    for name, value in results.items():
        unit = "x" if "_vs_" in name else "segments/s"
        print(f"{name:>18}: {value:>12,.2f} {unit}")
    return results


if __name__ == "__main__":
    run()
