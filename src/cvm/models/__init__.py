"""Customer lifetime value models: pure numerics on arrays.

Every model follows one contract (see :class:`BaseModel`): ``fit(...)`` returns the model,
fitted values end in ``_`` (``params_``, ``log_likelihood_``, ``standard_errors_``),
predictions are vectorised methods on new arrays, and ``summary()`` is a data frame. Models of
repeat purchases also declare the forecasting hooks of :class:`TransactionModel`, which
:mod:`cvm.models.clv` discounts. :func:`cvm.models.checks.yield_model_checks` runs the
contract's checks on any model class (as scikit-learn's ``check_estimator`` does).

The package imports nothing of cvm but its exceptions: it is pure numerics on arrays.
Samplers of the models' processes, for tests and benchmarks, are in :mod:`cvm.datasets`.

Names are imported on first use (PEP 562), so ``import cvm.models`` costs nothing and a path
that fits BG/NBD never loads scikit-learn (churn and uplift) or scipy.stats.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvm.models.base import BaseModel
    from cvm.models.beta_geo import BetaGeoModel
    from cvm.models.beta_geo_beta_binom import BetaGeoBetaBinomModel
    from cvm.models.churn import ChurnClassifier, calibration_table, churn_metrics
    from cvm.models.clv import (
        customer_equity,
        customer_lifetime_value,
        customer_lifetime_value_interval,
    )
    from cvm.models.gamma_gamma import GammaGammaModel
    from cvm.models.modified_beta_geo import ModifiedBetaGeoModel
    from cvm.models.pareto_nbd import ParetoNBDModel
    from cvm.models.shifted_beta_geometric import ShiftedBetaGeometricModel
    from cvm.models.transaction import TransactionModel
    from cvm.models.uplift import ClassTransformationUplift, TwoModelUplift, XLearnerUplift
    from cvm.models.uplift_evaluation import (
        auuc,
        qini_coefficient,
        qini_curve,
        uplift_by_decile,
        uplift_categories,
        uplift_curve,
    )

# public name -> the module that defines it
_WHERE = {
    "BaseModel": "base",
    "BetaGeoBetaBinomModel": "beta_geo_beta_binom",
    "BetaGeoModel": "beta_geo",
    "ChurnClassifier": "churn",
    "ClassTransformationUplift": "uplift",
    "GammaGammaModel": "gamma_gamma",
    "ModifiedBetaGeoModel": "modified_beta_geo",
    "ParetoNBDModel": "pareto_nbd",
    "ShiftedBetaGeometricModel": "shifted_beta_geometric",
    "TransactionModel": "transaction",
    "TwoModelUplift": "uplift",
    "XLearnerUplift": "uplift",
    "auuc": "uplift_evaluation",
    "calibration_table": "churn",
    "churn_metrics": "churn",
    "customer_equity": "clv",
    "customer_lifetime_value": "clv",
    "customer_lifetime_value_interval": "clv",
    "qini_coefficient": "uplift_evaluation",
    "qini_curve": "uplift_evaluation",
    "uplift_by_decile": "uplift_evaluation",
    "uplift_categories": "uplift_evaluation",
    "uplift_curve": "uplift_evaluation",
}

__all__ = [
    "BaseModel",
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "ChurnClassifier",
    "ClassTransformationUplift",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "ShiftedBetaGeometricModel",
    "TransactionModel",
    "TwoModelUplift",
    "XLearnerUplift",
    "auuc",
    "calibration_table",
    "churn_metrics",
    "customer_equity",
    "customer_lifetime_value",
    "customer_lifetime_value_interval",
    "qini_coefficient",
    "qini_curve",
    "uplift_by_decile",
    "uplift_categories",
    "uplift_curve",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cvm.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cvm.models.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
