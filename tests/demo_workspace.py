"""An open workspace filled by the demo, for module-scoped fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cvm.demo import run_demo
from cvm.workspace import Workspace


def open_demo(folder: Path, n_customers: int, seed: int) -> Iterator[Workspace]:
    """Run the demo into ``folder``/ws and yield it open; closed when the fixture ends."""
    run_demo(folder / "ws", n_customers=n_customers, seed=seed)
    workspace = Workspace.open(folder / "ws")
    yield workspace
    workspace.close()
