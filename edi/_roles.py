"""Party roles shared by the EDI mappings: which party of a message fills which named document field,
and the role tags (:class:`~edi.documents.OtherParty`) of all the others.

A format's party code (X12 N101, EDIFACT NAD 3035, an openTRANS PARTY_ROLE) becomes a
:data:`~edi.documents.PARTY_ROLES` name through the format's table, or ``"<format>:<code>"`` when
the table has none; writing goes back the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from edi.documents import OtherParty, Party

__all__ = ["Roles", "split_parties"]


class Roles:
    """One format's party codes: ``codes`` maps a code to a role name; the first code of a role
    (in table order) is the one written."""

    __slots__ = ("back", "codes", "prefix")

    def __init__(self, prefix: str, codes: Mapping[str, str]) -> None:
        self.prefix = prefix
        self.codes = dict(codes)
        self.back: dict[str, str] = {}
        for code, role in codes.items():
            self.back.setdefault(role, code)

    def role(self, code: str) -> str:
        return self.codes.get(code) or f"{self.prefix}:{code}"

    def code(self, role: str) -> str | None:
        """The code that writes ``role``, or None when this format has none for it."""
        code = self.back.get(role)
        if code is None and role.startswith(self.prefix + ":"):
            code = role[len(self.prefix) + 1 :] or None
        return code

    def written(self, others: Sequence[OtherParty]) -> Iterator[tuple[str, Party]]:
        """(code, party) for every other party this format can write, in order."""
        for other in others:
            code = self.code(other.role)
            if code is not None:
                yield code, other.party


def split_parties(
    found: Sequence[tuple[str, Party]], wanted: Sequence[Sequence[str]], roles: Roles
) -> tuple[list[Party | None], tuple[OtherParty, ...]]:
    """Fill the named fields and tag the rest. ``found`` is every (code, party) of the message in
    order; ``wanted`` the codes each named field takes, most preferred first. Each named field gets
    the first party with its most preferred code present; every party not taken is an
    :class:`OtherParty`, in message order."""
    positions: dict[str, list[int]] = {}
    for i, (code, _) in enumerate(found):
        if code in positions:
            positions[code].append(i)
        else:
            positions[code] = [i]
    used: list[int] = []
    picked: list[Party | None] = []
    for codes in wanted:
        for code in codes:
            free = positions.get(code)
            if free:
                i = free.pop(0)
                used.append(i)
                picked.append(found[i][1])
                break
        else:
            picked.append(None)
    if len(used) == len(found):  # the usual case: every party has its field
        return picked, ()
    taken = set(used)
    others = tuple(
        OtherParty(roles.role(code), party)
        for i, (code, party) in enumerate(found)
        if i not in taken and code
    )
    return picked, others
