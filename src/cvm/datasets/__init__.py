"""A synthetic business with known true parameters, for the demo, the tests and benchmarks.

``simulate`` draws customers, orders, order lines, events, subscriptions, a survey and one
randomized campaign from processes whose parameters are all returned in ``truth``;
``write_files`` writes them as source files the generic ingest profile loads as they are. The
samplers in :mod:`cvm.datasets.btyd` draw purchase summaries directly for millions of customers,
and :mod:`cvm.datasets.raw` writes raw transaction logs of any size to Parquet in bounded memory
(the engines' benchmarks). The package is a building block: it imports no job.
"""

from cvm.datasets.btyd import (
    simulate_bgbb_summary,
    simulate_bgnbd_summary,
    simulate_gamma_gamma_spend,
    simulate_mbgnbd_summary,
    simulate_paretonbd_summary,
    simulate_sbg_durations,
)
from cvm.datasets.business import SimulatedBusiness, simulate
from cvm.datasets.files import write_files
from cvm.datasets.params import SimulationParams

__all__ = [
    "SimulatedBusiness",
    "SimulationParams",
    "simulate",
    "simulate_bgbb_summary",
    "simulate_bgnbd_summary",
    "simulate_gamma_gamma_spend",
    "simulate_mbgnbd_summary",
    "simulate_paretonbd_summary",
    "simulate_sbg_durations",
    "write_files",
]
