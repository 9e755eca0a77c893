"""Customer lifetime value on a workspace: fit, score, evaluate, and keep each run.

The models themselves are pure numerics in :mod:`cvm.models`; this package feeds them as-of
summaries from :mod:`cvm.features` and stores what they predict, through ``ws.engine`` (SQL
in ``clv/sql/*.sql``). :mod:`cvm.clv.profile` fills the customer profile's CLV columns, from a
stored run or a fit as of the profile's day, for the jobs that read the profile.
:mod:`cvm.clv.on_engine` is the same job on any engine (the summary as SQL beside the data, the
fit on the distinct histories, the scoring in batches): ``cvm score --engine spark``.
"""

from cvm.clv.evaluation import Evaluation, evaluate
from cvm.clv.fitting import ClvFit, fit_clv
from cvm.clv.registry import DEFAULT_MODELS, TRANSACTION_MODELS
from cvm.clv.runs import save_run
from cvm.clv.scoring import last_transaction_day, score_clv

__all__ = [
    "DEFAULT_MODELS",
    "TRANSACTION_MODELS",
    "ClvFit",
    "Evaluation",
    "evaluate",
    "fit_clv",
    "last_transaction_day",
    "save_run",
    "score_clv",
]
