"""Builders for small X12 interchanges in tests (segments written as ``*``/``~`` strings)."""

from __future__ import annotations

from collections.abc import Sequence

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*0304*^*00401*"
    "000000042*0*P*>"
)


def transaction_set(set_id: str, control: str, body: Sequence[str], *, count: int | None = None) -> list[str]:
    """ST + body + SE with a correct segment count unless ``count`` overrides it."""
    segments = [f"ST*{set_id}*{control}", *body]
    segments.append(f"SE*{count if count is not None else len(segments) + 1}*{control}")
    return segments


def interchange(
    *sets: list[str],
    functional_id: str = "PO",
    group: str = "7",
    ge_count: int | None = None,
    terminator: str = "~\n",
) -> bytes:
    """ISA, one GS..GE group around ``sets``, IEA; all counts right unless overridden."""
    segments = [ISA, f"GS*{functional_id}*SENDER*RECEIVER*20240102*0304*{group}*X*004010"]
    for one in sets:
        segments += one
    segments += [f"GE*{ge_count if ge_count is not None else len(sets)}*{group}", "IEA*1*000000042"]
    return (terminator.join(segments) + terminator).encode("ascii")


PO_BODY = [
    "BEG*00*SA*PO-1**20240102",
    "CUR*BY*EUR",
    "N1*BY*BUYER GMBH*UL*4012345000009",
    "N3*HAUPTSTRASSE 1",
    "N4*BERLIN**10115*DE",
    "N1*SE*SELLER AG*92*S-77",
    "PO1*1*5*EA*2.50**EN*4012345000016*VN*ART-1*BP*B-1",
    "PID*F****BLUE WIDGET",
    "PO1*2*1*CA*10**UP*012345678905",
    "CTT*2",
]


def purchase_order(control: str = "0001", number: str = "PO-1") -> list[str]:
    body = [s.replace("PO-1", number) for s in PO_BODY]
    return transaction_set("850", control, body)
