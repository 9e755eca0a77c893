"""As-of customer features computed in SQL: purchase summaries, cohorts, the 360 profile."""

from cvm.features.summary import rfm_summary

__all__ = ["rfm_summary"]
