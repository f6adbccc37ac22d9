"""Where the shared, read-only EDI/XML corpus lives (``../shared/corpus`` beside the checkout)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("PORTAL_CORPUS_DIR", ROOT.parent / "shared" / "corpus"))
CONFORMANCE = CORPUS.parent / "conformance"


def corpus_files(relative: str, pattern: str = "*") -> list[Path]:
    """Every file below ``CORPUS/relative`` matching ``pattern``, sorted. Fails under CI when the
    corpus is missing, so an empty parametrization never passes silently."""
    base = CORPUS / relative
    files = sorted(p for p in base.rglob(pattern) if p.is_file())
    if not files:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"corpus folder {base} is missing or empty")
        pytest.skip(f"corpus folder {base} not present", allow_module_level=True)
    return files


def conformance_files(relative: str, pattern: str = "*") -> list[Path]:
    """Like :func:`corpus_files`, for the public test files in ``../shared/conformance``."""
    base = CONFORMANCE / relative
    files = sorted(p for p in base.rglob(pattern) if p.is_file())
    if not files:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"conformance folder {base} is missing or empty")
        pytest.skip(f"conformance folder {base} not present", allow_module_level=True)
    return files
