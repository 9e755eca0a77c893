"""The top-level API is explicit: these names, and every one importable."""

from __future__ import annotations

import importlib

import cvm


def test_top_level_names_are_pinned() -> None:
    # fmt: off
    pinned = [
        "ConfigError", "ConvergenceError", "CvmError", "DataError", "IngestError",
        "NotFittedError", "Workspace", "WorkspaceError", "__version__",
    ]
    # fmt: on
    assert sorted(cvm.__all__) == sorted(pinned)


def test_every_error_is_a_cvm_error() -> None:
    for name in cvm.__all__:
        obj = getattr(cvm, name)
        if isinstance(obj, type) and name.endswith("Error"):
            assert issubclass(obj, cvm.CvmError)


def test_domain_packages_declare_their_public_names() -> None:
    for package in (
        "clv",
        "features",
        "models",
        "segments",
        "campaigns",
        "decide",
        "survey",
        "datasets",
        "ingest",
        "workspace",
        "report",
        "rules",
    ):
        module = importlib.import_module(f"cvm.{package}")
        names = getattr(module, "__all__", None)
        assert names, f"cvm.{package} has no __all__"
        for name in names:
            assert hasattr(module, name), f"cvm.{package}.{name} is listed but missing"
