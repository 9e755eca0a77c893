"""Customer lifetime value models: pure numerics on arrays.

Every model follows one contract (see :class:`BaseModel`): ``fit(...)`` returns the model,
fitted values end in ``_`` (``params_``, ``log_likelihood_``, ``standard_errors_``),
predictions are vectorised methods on new arrays, and ``summary()`` is a data frame.
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
from cvm.models.simulate import (
    sample_bgbb,
    sample_bgnbd,
    sample_gamma_gamma,
    sample_mbgnbd,
    sample_paretonbd,
    sample_sbg,
)

__all__ = [
    "BaseModel",
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "ChurnClassifier",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "ShiftedBetaGeometricModel",
    "calibration_table",
    "churn_metrics",
    "customer_equity",
    "customer_lifetime_value",
    "customer_lifetime_value_interval",
    "sample_bgbb",
    "sample_bgnbd",
    "sample_gamma_gamma",
    "sample_mbgnbd",
    "sample_paretonbd",
    "sample_sbg",
]
