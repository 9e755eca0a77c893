"""Campaigns with randomized control groups, honest measurement, and the learned loop.

Design a campaign (:func:`create_campaign`), build its arms under the contact policy
(:func:`build_campaign`; the policy itself is :func:`contact_policy`), export the target list
(:func:`export_campaign`), measure the incremental effect (:func:`measure_campaign`; read it
back with :func:`stored_results`), and read what was learned (:func:`learned_priors`). Past
randomized campaigns load with :func:`import_campaign`, the results of a test that ran
elsewhere with :func:`import_results` (any outcome measured by :func:`measure_outcome`);
uplift models are fitted on them with :func:`fit_campaign_uplift`.

Set-based work runs through the workspace's engine (``ws.engine``): every statement is a file
of ``campaigns/sql/`` with named parameters, and what varies in structure (a candidates table,
an export layout's columns, a results file's outcome columns) is placed on its SQLGlot tree
(:func:`cvm.engines.fill`). The statistics are pure functions of counts and arrays
(:mod:`~cvm.campaigns.stats`, :mod:`~cvm.campaigns.effects`, :mod:`~cvm.campaigns.power`).

    design.py, build.py, policy.py     a campaign, its arms, who may be contacted
    export.py, formats.py              target lists per tool, with their manifest
    importing.py, results.py, files.py past campaigns and tests that ran elsewhere
    measure.py, effects.py, outcomes.py   lift, money and power per arm
    uplift.py, uplift_features.py, uplift_scoring.py   who responds because of it
"""

from cvm.campaigns.build import BuildResult, build_campaign
from cvm.campaigns.design import Campaign, create_campaign, get_campaign, list_campaigns
from cvm.campaigns.export import ExportResult, export_campaign
from cvm.campaigns.importing import ImportResult, import_campaign
from cvm.campaigns.measure import Measurement, compare_arms, measure_campaign, stored_results
from cvm.campaigns.outcomes import OutcomeMeasurement, measure_outcome
from cvm.campaigns.policy import contact_policy
from cvm.campaigns.power import Plan, baseline_from_history, plan_test
from cvm.campaigns.priors import learned_priors
from cvm.campaigns.results import ResultsImport, import_results
from cvm.campaigns.suppressions import (
    SuppressionResult,
    add_suppressions,
    read_suppression_file,
    suppress_identifiers,
)
from cvm.campaigns.uplift import UpliftResult, campaign_features, fit_campaign_uplift

__all__ = [
    "BuildResult",
    "Campaign",
    "ExportResult",
    "ImportResult",
    "Measurement",
    "OutcomeMeasurement",
    "Plan",
    "ResultsImport",
    "SuppressionResult",
    "UpliftResult",
    "add_suppressions",
    "baseline_from_history",
    "build_campaign",
    "campaign_features",
    "compare_arms",
    "contact_policy",
    "create_campaign",
    "export_campaign",
    "fit_campaign_uplift",
    "get_campaign",
    "import_campaign",
    "import_results",
    "learned_priors",
    "list_campaigns",
    "measure_campaign",
    "measure_outcome",
    "plan_test",
    "read_suppression_file",
    "stored_results",
    "suppress_identifiers",
]
