"""cvm.models.clv asks the transaction models for what they declare, never probes them."""

from __future__ import annotations

from pathlib import Path

import cvm.models

PACKAGE = Path(cvm.models.__file__).parent


def test_clv_asks_models_what_they_declare() -> None:
    # the forecasting hooks are declared on TransactionModel, not probed for
    source = (PACKAGE / "clv.py").read_text(encoding="utf-8")
    assert "hasattr(" not in source and "Protocol" not in source
    assert "._alive_part" not in source and "._lifetime_part" not in source
