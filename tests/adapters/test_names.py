from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters import DEFAULT_IGNORE_PATTERNS, RemotePathError
from adapters._names import is_ignored, temporary_name, unique_name, validate_folder, validate_name


@pytest.mark.parametrize("name", ["ORDERS_4711.edi", "invoice 2026-12.xml", "Bestellung-Müller.edi", "a.b.c"])
def test_plain_names_are_accepted(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "..",
        "../x",
        "x/..",
        "a/b",
        "/abs",
        "a\\b",
        "a..b",
        ".hidden",
        "a\x00b",
        "a\tb",
        "a\x7fb",
        "a\u202eb",
    ],
)
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(RemotePathError):
        validate_name(name)


def test_overlong_name_is_refused() -> None:
    with pytest.raises(RemotePathError):
        validate_name("ä" * 128 + ".edi")  # 260 bytes in UTF-8


@given(st.text())
def test_a_name_that_passes_validation_is_never_a_path(name: str) -> None:
    try:
        validate_name(name)
    except RemotePathError:
        return
    for forbidden in ("/", "\\", "..", "\x00"):
        assert forbidden not in name
    assert not name.startswith(".")
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in name)


@pytest.mark.parametrize("folder", ["..", "in/../..", "a\\b", "in\nbox", ""])
def test_unsafe_folders_are_refused(folder: str) -> None:
    with pytest.raises(RemotePathError):
        validate_folder(folder)


def test_folder_is_normalised_without_trailing_slash() -> None:
    assert validate_folder("/in/partner/") == "/in/partner"
    assert validate_folder("/") == "/"


def test_temporary_name_is_hidden_unique_ignored_and_short() -> None:
    names = {temporary_name("order.edi") for _ in range(50)}
    assert len(names) == 50
    assert all(name.startswith(".order.edi.part-") for name in names)
    assert all(is_ignored(name, DEFAULT_IGNORE_PATTERNS) for name in names)
    assert len(temporary_name("x" * 255).encode()) <= 255


def test_unique_name_counts_up_before_the_extension() -> None:
    taken = {"order.edi", "order-1.edi"}
    assert unique_name("order.edi", taken.__contains__) == "order-2.edi"
    assert unique_name("README", {"README"}.__contains__) == "README-1"
    assert unique_name("free.edi", taken.__contains__) == "free.edi"
