"""SQL lives in ``.sql`` files beside the module that runs it; this reads them once."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_sql(package: str, name: str) -> str:
    """Return the text of ``name`` (e.g. ``"rfm.sql"``) shipped in ``package``."""
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")
