from __future__ import annotations

import ast
from pathlib import Path

import adapters
from adapters import errors

EXPORTED = [
    "DEFAULT_IGNORE_PATTERNS",
    "AdapterError",
    "AuthenticationFailed",
    "ConfigurationError",
    "ConnectionLost",
    "FetchedFile",
    "FolderTransport",
    "HostKeyMismatch",
    "IntegrityError",
    "PermanentError",
    "PermissionDenied",
    "RemoteFile",
    "RemoteFileNotFound",
    "RemotePathError",
    "RetryPolicy",
    "SftpSettings",
    "SftpTransport",
    "Timeout",
    "TransientError",
    "Transport",
    "UnknownHostKey",
]


def test_exported_names_are_pinned() -> None:
    assert sorted(adapters.__all__) == sorted(EXPORTED)
    assert all(hasattr(adapters, name) for name in EXPORTED)


def test_error_tree_splits_transient_from_permanent() -> None:
    transient = {errors.ConnectionLost, errors.Timeout}
    permanent = {
        errors.ConfigurationError,
        errors.AuthenticationFailed,
        errors.HostKeyMismatch,
        errors.UnknownHostKey,
        errors.RemotePathError,
        errors.RemoteFileNotFound,
        errors.PermissionDenied,
        errors.IntegrityError,
    }
    assert all(issubclass(cls, errors.TransientError) for cls in transient)
    assert all(issubclass(cls, errors.PermanentError) for cls in permanent)
    assert not any(issubclass(cls, errors.TransientError) for cls in permanent)
    assert issubclass(errors.TransientError, errors.AdapterError)
    assert issubclass(errors.PermanentError, errors.AdapterError)
    for cls in transient | permanent:
        assert cls.__name__ in (errors.__doc__ or ""), f"{cls.__name__} missing from the drawn tree"


def test_adapters_never_import_portal_or_edi() -> None:
    package = Path(adapters.__file__).parent
    for module in package.rglob("*.py"):
        tree = ast.parse(module.read_text(), filename=str(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {"portal", "edi"}, f"{module.name} imports {name}"
