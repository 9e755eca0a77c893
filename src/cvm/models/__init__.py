"""Customer lifetime value models: pure numerics on arrays.

Every model follows one contract (see :class:`BaseModel`): ``fit(...)`` returns the model,
fitted values end in ``_`` (``params_``, ``log_likelihood_``, ``standard_errors_``),
predictions are vectorised methods on new arrays, and ``summary()`` is a data frame.
Samplers of the models' processes, for tests and benchmarks, are in :mod:`cvm.datasets`.
"""

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
from cvm.models.uplift import (
    ClassTransformationUplift,
    TwoModelUplift,
    XLearnerUplift,
    auuc,
    qini_coefficient,
    qini_curve,
    uplift_by_decile,
    uplift_categories,
    uplift_curve,
)

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
