"""Prepared CSV exports (issue #15): a list too long to download while the user waits is written
by the worker (`run_exports_once`) into a file kept for a week; the user downloads it from "My
exports". See docs/portal.md, "CSV exports"."""

from portal.exports.jobs import ExportReport, run_exports_once
from portal.exports.service import (
    KEEP_FOR,
    export_download,
    get_export,
    my_exports,
    request_export,
)

__all__ = [
    "KEEP_FOR",
    "ExportReport",
    "export_download",
    "get_export",
    "my_exports",
    "request_export",
    "run_exports_once",
]
