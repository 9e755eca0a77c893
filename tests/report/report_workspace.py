"""A small demo workspace with every section's data, built once per test session.

Demo (transactions, surveys, CLV), a churn model, segments at two days, and, when the
campaigns package can import and measure them, the simulated campaigns. It is closed after
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
        try:
            from cvm.campaigns import import_campaign, measure_campaign
        except ImportError:  # campaigns not available: the section shows its note
            pass
        else:
            data = root / "data"
            result = import_campaign(ws, data / "campaigns.csv", data / "assignments.csv")
            for campaign_id in getattr(result, "campaigns", []) or []:
                measure_campaign(ws, campaign_id, n_boot=100)
    _built["full"] = root
    return root
