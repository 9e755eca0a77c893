"""As-of customer features computed in SQL: purchase summaries, cohorts, the 360 profile.

SQL only, on an engine (``ws.engine``, or a private in-memory one for a file or a frame):
the files are ``features/sql/*.sql`` with named parameters, and what varies in structure (the
source relation, a list of attribute columns) is filled on the SQLGlot tree. Nothing here fits
a model: a profile with CLV fitted on the fly is the CLV job's (:mod:`cvm.clv.profile`).
"""

from cvm.features.summary import holdout_tracking, rfm_summary

__all__ = ["holdout_tracking", "rfm_summary"]
