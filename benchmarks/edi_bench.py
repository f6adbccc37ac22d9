"""EDI decoding speed in one run: a 2,000-message ORDERS interchange (10 lines each) and the same as
X12 850, through our decoders, pydifact's parser, pyx12's reader and a plain ``str.split`` tokenizer
(the ceiling).

    python -m benchmarks.edi_bench

Targets: to segments >= 0.7 x plain split; to documents >= 5 x pydifact and >= 10 x pyx12. The
per-format details live in ``edi_bench_edifact`` and ``edi_bench_x12``; each interleaves its
contenders round-robin (9 rounds) and keeps each one's best CPU time, measured as ``timeit`` does
(garbage collector off during a timed call; see ``benchmarks._timing``).
"""

from __future__ import annotations

from benchmarks import edi_bench_edifact, edi_bench_x12


def main() -> None:
    print("== EDIFACT ORDERS, 2,000 messages x 10 lines")
    edifact = edi_bench_edifact.run()
    print("== X12 850, 2,000 sets x 10 lines")
    x12 = edi_bench_x12.run()
    print("== summary (ratios)")
    for name, value in {
        **{f"edifact {k}": v for k, v in edifact.items()},
        **{f"x12 {k}": v for k, v in x12.items()},
    }.items():
        print(f"  {name:40} {value:>12,.2f}")


if __name__ == "__main__":
    main()
