"""Fixtures for campaign tests: a fresh workspace holding a small known customer base."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from campaign_helpers import seed_customers

from cvm.workspace import Workspace


@pytest.fixture(scope="session", autouse=True)
def one_thread() -> Iterator[None]:
    """One OpenMP thread for the boosting models: on a shared machine, much faster."""
    import sklearn.ensemble  # noqa: F401 - loads OpenMP so that the limit reaches it
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "crm")
    seed_customers(ws)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def past_campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict]]:
    """A simulated business (customers, transactions) with its past campaign imported."""
    from cvm.campaigns import import_campaign
    from cvm.datasets import simulate, write_files
    from cvm.ingest import load_file

    root = tmp_path_factory.mktemp("past")
    business = simulate(15000, seed=5, events=False)
    files = write_files(business, root / "data")
    ws = Workspace.create(root / "ws")
    load_file(ws, "customers", files["customers"])
    load_file(ws, "transactions", files["transactions"])
    imported = import_campaign(ws, files["campaigns"], files["assignments"])
    assert imported.campaigns == ["CMP0001"]
    info = {"truth": business.truth["campaign"], "files": files,
            "types": business.customer_truth.set_index("customer_id")["customer_type"]}  # fmt: skip
    yield ws, info
    ws.close()
