"""More than 200,000 distinct histories: the fit starts from a subsample, then polishes on all.

The CDNOW sample (Fader, Hardie & Lee 2005; 2,357 customers) is padded with 200,000 histories of
weight zero (distinct T, so no two rows collapse). The padding changes neither the likelihood
nor the optimum, but pushes the fit onto its large-data path, where a subsample of 50,000 rows
holds only about 600 real customers: the answer must still be the plain fit on CDNOW alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvm.models import BetaGeoModel

CDNOW = Path(__file__).parents[1] / "data" / "cdnow" / "cdnow_sample_summary.csv"
PADDING = 200_000


def _padded() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    real = pd.read_csv(CDNOW)[["x", "t_x", "T"]]
    pad = pd.DataFrame(
        {"x": 0.0, "t_x": 0.0, "T": np.linspace(0.5, 38.0, PADDING) + 1e-7 * np.arange(PADDING)}
    )
    rows = pd.concat([real, pad], ignore_index=True)
    weights = np.r_[np.ones(len(real)), np.zeros(PADDING)]
    return rows, weights, real


def test_large_data_path_finds_the_plain_optimum() -> None:
    rows, weights, real = _padded()
    plain = BetaGeoModel().fit(real["x"], real["t_x"], real["T"])
    big = BetaGeoModel().fit(rows["x"], rows["t_x"], rows["T"], weights=weights)
    assert big.n_obs_ == pytest.approx(len(real))
    assert big.params_.to_numpy() == pytest.approx(plain.params_.to_numpy(), rel=1e-4)
    assert big.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-3)
    # the published estimates (FHL 2005): r .243, alpha 4.414, a .793, b 2.426
    assert big.params_.to_numpy() == pytest.approx([0.243, 4.414, 0.793, 2.426], abs=0.003)
    # standard errors come from the subsample's curvature (about 600 real customers here), so
    # they agree to within that subsample's sampling error, not exactly (1.02 to 1.13 here)
    ratio = big.standard_errors_.to_numpy() / plain.standard_errors_.to_numpy()
    assert np.all((ratio > 0.75) & (ratio < 1.33))
