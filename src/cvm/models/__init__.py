"""Customer lifetime value models: pure numerics on arrays.

Every model follows one contract (see :class:`BaseModel`): ``fit(...)`` returns the model,
fitted values end in ``_`` (``params_``, ``log_likelihood_``, ``standard_errors_``),
predictions are vectorised methods on new arrays, and ``summary()`` is a data frame.
"""

from cvm.models.base import BaseModel
from cvm.models.beta_geo import BetaGeoModel
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
    "BetaGeoModel",
    "sample_bgbb",
    "sample_bgnbd",
    "sample_gamma_gamma",
    "sample_mbgnbd",
    "sample_paretonbd",
    "sample_sbg",
]
