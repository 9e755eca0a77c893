"""Reference data sets for the model parity tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cvm.models import BetaGeoBetaBinomModel

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    """CDNOW sample summarised over the 39-week calibration period (weeks).

    Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way", Marketing Science
    24(2); 2,357 customers, distributed by B. Hardie for research and shipped in lifetimes (MIT).
    Columns: ID, x (repeat purchases), t_x, T, zbar (mean repeat spend, $).
    """
    return pd.read_csv(DATA / "cdnow" / "cdnow_sample_summary.csv")


@pytest.fixture(scope="session")
def donations() -> pd.DataFrame:
    """Repeat donations over 6 annual opportunities, 11,104 donors, as weighted rows.

    Fader, Hardie and Shang (2010), "Customer-Base Analysis in a Discrete-Time Noncontractual
    Setting", Marketing Science 29(6); shipped in lifetimes (MIT).
    """
    return pd.read_csv(DATA / "donations" / "donations.csv")


@pytest.fixture(scope="session")
def bgbb(donations: pd.DataFrame) -> BetaGeoBetaBinomModel:
    """BG/BB fitted on the donations (weighted rows); tests only read it."""
    return BetaGeoBetaBinomModel().fit(
        donations["frequency"],
        donations["recency"],
        donations["periods"],
        weights=donations["weights"],
    )
