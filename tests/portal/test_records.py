"""A list's rows are named tuples: by name and by position (the keyset tests compare whole pages)."""

from __future__ import annotations

from portal.records import records


def test_records_read_by_name_and_by_position_and_rename_what_is_no_name() -> None:
    rows = records(("id", "number", "_sort_key"), [(1, "L-1", "2026-12-01"), (2, "L-2", "2026-12-02")])
    assert [(r.id, r.number, r[-1]) for r in rows] == [(1, "L-1", "2026-12-01"), (2, "L-2", "2026-12-02")]
    assert rows[0][1:] == ("L-1", "2026-12-01") and len(rows[0]) == 3
    assert records(("id",), []) == []
