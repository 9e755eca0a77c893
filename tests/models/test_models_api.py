"""The public API of cvm.models and the shared estimator contract."""

from __future__ import annotations

import numpy as np
import pytest

import cvm.models
from cvm._exceptions import NotFittedError
from cvm.models import BaseModel, BetaGeoModel

MODELS = [BetaGeoModel, cvm.models.ParetoNBDModel, cvm.models.ModifiedBetaGeoModel,
          cvm.models.BetaGeoBetaBinomModel, cvm.models.GammaGammaModel,
          cvm.models.ShiftedBetaGeometricModel]  # fmt: skip


def test_public_names() -> None:
    # fmt: off
    pinned = [
        "BaseModel", "BetaGeoBetaBinomModel", "BetaGeoModel", "ChurnClassifier",
        "ClassTransformationUplift", "GammaGammaModel", "ModifiedBetaGeoModel", "ParetoNBDModel",
        "ShiftedBetaGeometricModel", "TransactionModel", "TwoModelUplift", "XLearnerUplift",
        "auuc", "calibration_table", "churn_metrics", "customer_equity", "customer_lifetime_value",
        "customer_lifetime_value_interval", "qini_coefficient", "qini_curve", "uplift_by_decile",
        "uplift_categories", "uplift_curve",
    ]
    # fmt: on
    assert sorted(cvm.models.__all__) == sorted(pinned)


@pytest.mark.parametrize("cls", MODELS)
def test_estimator_contract(cls: type[BaseModel]) -> None:
    model = cls(penalizer=0.01)
    # __init__ stores hyperparameters only
    assert vars(model) == {"penalizer": 0.01, "max_iter": 1000, "max_seconds": 120.0}
    assert "penalizer=0.01" in repr(model)
    for method in ("summary", "sample_params"):
        with pytest.raises(NotFittedError, match="fit"):
            getattr(model, method)(*([5] if method == "sample_params" else []))


def test_penalizer_shrinks_parameters(cdnow) -> None:
    plain = BetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    shrunk = BetaGeoModel(penalizer=0.1).fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert np.sum(shrunk.params_**2) < np.sum(plain.params_**2)
    assert shrunk.log_likelihood_ < plain.log_likelihood_


def test_sample_params_centre_on_the_fit(cdnow) -> None:
    model = BetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    draws = model.sample_params(4000, random_state=1)
    assert list(draws.columns) == ["r", "alpha", "a", "b"]
    # the median of the log-normal draws is the fitted value
    np.testing.assert_allclose(draws.median(), model.params_, rtol=0.03)
