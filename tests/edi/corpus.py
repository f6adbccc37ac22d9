"""Where the shared, read-only EDI/XML corpus lives (``../shared/corpus`` beside the checkout).

Without it (a clone on its own), every test that needs it is skipped, and the others run; under
``CI=true`` its absence fails instead, so CI never passes by skipping. Three ways a test meets it:

* :func:`corpus_files` parametrizes over a folder of it;
* :func:`require_corpus` / :func:`corpus_bytes` at a module's top (data read at import): the
  whole module is skipped;
* a test that opens ``CORPUS / ...`` itself: ``tests/conftest.py`` turns the error of a file
  missing from an absent corpus into the same skip (:func:`reads_absent_corpus`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("PORTAL_CORPUS_DIR", ROOT.parent / "shared" / "corpus"))
CONFORMANCE = CORPUS.parent / "conformance"


def missing(what: Path) -> NoReturn:
    """Skip for want of the corpus, or fail under CI."""
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"the corpus is missing ({what}): CI runs every corpus test")
    pytest.skip(f"the corpus is not present ({what})", allow_module_level=True)


def require_corpus() -> None:
    if not CORPUS.is_dir():
        missing(CORPUS)


def corpus_bytes(relative: str) -> bytes:
    """A corpus file's content (at a module's top: without the corpus the module is skipped)."""
    require_corpus()
    return (CORPUS / relative).read_bytes()


def corpus_files(relative: str, pattern: str = "*") -> list[Path]:
    """Every file below ``CORPUS/relative`` matching ``pattern``, sorted. Fails under CI when the
    corpus is missing, so an empty parametrization never passes silently."""
    base = CORPUS / relative
    files = sorted(p for p in base.rglob(pattern) if p.is_file())
    if not files:
        missing(base)
    return files


def reads_absent_corpus(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it came from) is about a path inside the corpus while the
    corpus folder is absent altogether: a test that simply cannot run here. A file missing from a
    corpus that is present is a real failure."""
    if CORPUS.is_dir():
        return False
    seen: BaseException | None = exc
    while seen is not None:
        filename = getattr(seen, "filename", None)
        if str(CORPUS) in str(filename or "") or str(CORPUS) in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def conformance_files(relative: str, pattern: str = "*") -> list[Path]:
    """Like :func:`corpus_files`, for the public test files in ``../shared/conformance``."""
    base = CONFORMANCE / relative
    files = sorted(p for p in base.rglob(pattern) if p.is_file())
    if not files:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"conformance folder {base} is missing or empty")
        pytest.skip(f"conformance folder {base} not present", allow_module_level=True)
    return files
