"""Progress reporting that the library can emit and any shell can draw."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, "int | None", str], None]
"""``progress(done, total, description)``: called by long-running library functions."""


def no_progress(done: int, total: int | None, description: str) -> None:
    """The default: report nothing."""
