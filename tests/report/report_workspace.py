"""A small demo workspace with every section's data, built once per test session.

Demo (transactions, surveys, CLV, the simulated past campaign imported and measured), a churn
model and segments at two days. It is closed after
building so tests can open it read-only (as the dashboard does).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

_built: dict[str, Path] = {}


def full_workspace(factory: pytest.TempPathFactory) -> Path:
    if "full" in _built:
        return _built["full"]
    from cvm.clv.scoring import last_transaction_day
    from cvm.demo import run_demo
    from cvm.segments.churn import save_churn, train_churn
    from cvm.segments.runs import segment
    from cvm.workspace import Workspace

    root = factory.mktemp("report") / "ws"
    run_demo(root, n_customers=600, seed=1)
    with Workspace.open(root) as ws:
        end = last_transaction_day(ws)
        save_churn(ws, train_churn(ws, end))
        segment(ws, end - timedelta(days=91))
        segment(ws, end)
    _built["full"] = root
    return root
