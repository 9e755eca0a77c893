"""As-of customer features computed in SQL: purchase summaries, cohorts, the 360 profile."""

from cvm.features.summary import holdout_tracking, rfm_summary

__all__ = ["holdout_tracking", "rfm_summary"]
