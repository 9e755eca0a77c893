"""Import the results of a randomized test that ran elsewhere, from one file.

One row per customer: an arm column, one or more outcome columns (0/1, yes/no or numbers), and
any other columns, kept as the campaign's covariates (``campaign_covariates``, a JSON object of
text values per customer, typed later by the shared attribute encoder). Outcomes go to
``imported_outcomes`` (long: one row per customer and outcome), arms to ``assignments``.
Customers unknown to the workspace are created (the test's population is the campaign's);
without a customer column each row is a new customer ``<campaign id>:<row number>``. Rows
that cannot be used land in ``rejected_rows`` with their line and reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlglot.expressions as exp

from cvm._exceptions import DataError
from cvm.campaigns.design import (
    Campaign,
    as_timestamp,
    campaign_exists,
    insert_campaign,
    validate,
)
from cvm.campaigns.files import cell, file_columns, named, raw_line, reader
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["ResultsImport", "import_results", "outcome_values"]

_YES = {"yes", "y", "true", "t"}
_NO = {"no", "n", "false", "f"}


@dataclass
class ResultsImport:
    """What an import of test results loaded, created and rejected."""

    campaign_id: str
    load_id: str
    rows: int
    arms: dict[str, int]
    control_arm: str
    outcomes: list[str]
    covariates: list[str]
    new_customers: int
    rejected: dict[str, int] = field(default_factory=dict)


def import_results(
    ws: Workspace,
    campaign_id: str,
    path: str | Path,
    *,
    arm_column: str,
    control_arm: str,
    outcomes: list[str],
    customer_column: str = "customer_id",
    cost_per_contact: float = 0.0,
    value_per_conversion: float | None = None,
    starts: Any = None,
    ends: Any = None,
    channel: str = "email",
    name: str | None = None,
) -> ResultsImport:
    """Create campaign ``campaign_id`` from a results file (see the module docstring).

    Parameters
    ----------
    arm_column, control_arm : the column naming each row's arm, and the control arm's value
        (any name; compared after trimming spaces).
    outcomes : the outcome columns (at least one): 0/1, yes/no/true/false or numbers.
    customer_column : the customer id column; when the file has none, the row number.
    cost_per_contact, value_per_conversion : money for the incremental effect and ROI.
    starts, ends : the test's dates (default: today); history features are as of the day
        before ``starts``.

    Raises
    ------
    DataError / IngestError
        an unreadable file, a missing column, a campaign that exists, no control or no
        treatment row.
    """
    file = Path(path)
    found = file_columns(ws, file, "the results file")
    if not outcomes:
        raise DataError(
            f"{file}: name the outcome column(s) with --outcome (columns: {', '.join(found)})"
        )
    needed = [arm_column, *outcomes]
    missing = [c for c in needed if c not in found]
    if missing:
        raise DataError(
            f"{file}: no column {', '.join(map(repr, missing))} (columns: {', '.join(found)})"
        )
    if len(set(outcomes)) != len(outcomes) or arm_column in outcomes:
        raise DataError("--outcome columns must be distinct and differ from --arm-column")
    has_id = customer_column in found
    covariates = [c for c in found if c not in {arm_column, *outcomes, customer_column}]
    today = pd.Timestamp.now().normalize()
    start = as_timestamp(starts, "--starts") if starts is not None else today.to_pydatetime()
    end = as_timestamp(ends, "--ends") if ends is not None else start
    design = validate(
        Campaign(
            campaign_id=campaign_id,
            channel=channel,
            starts=start,
            ends=end,
            name=name,
            status="completed",
            audience={"kind": "imported", "file": str(file)},
            arms={"imported": 1.0},
            cost_per_contact=float(cost_per_contact),
            control_arm=control_arm.strip(),
            value_per_conversion=value_per_conversion,
            outcomes=list(outcomes),
            arm_column=arm_column,
            customer_column=customer_column if has_id else None,
        )
    )
    if value_per_conversion is not None and value_per_conversion < 0:
        raise DataError("--value-per-conversion must be non-negative")
    if campaign_exists(ws, campaign_id):
        raise DataError(f"campaign {campaign_id!r} already exists: import under a new id")
    load_id = f"results-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    stage = _staging(file, found, arm_column, outcomes, covariates, customer_column, has_id)
    params: dict[str, Any] = {"path": str(file)}
    if not has_id:
        params["campaign_id"] = campaign_id
    params.update({f"k{j}": c for j, c in enumerate(covariates)})
    engine = ws.engine
    with engine.memory_limit(ws.config.load_memory_limit), engine.transaction():
        engine.run(stage, params)
        engine.run(
            fill(sql_file(__package__, "results_validate.sql"), outcome_problem=_problem(outcomes))
        )
        n_read, n_good = engine.one(sql_file(__package__, "results_counts.sql")) or (0, 0)
        arms = dict(engine.rows(sql_file(__package__, "results_arms.sql")))
        if design.control_arm not in arms or len(arms) < 2:
            shown = ", ".join(map(repr, arms)) or "none"
            raise DataError(
                f"{file}: the test needs rows in the control arm {design.control_arm!r} and in"
                f" at least one other arm of {arm_column!r} (arms found: {shown})"
            )
        design.arms = {a: float(n) for a, n in arms.items() if a != design.control_arm}
        insert_campaign(ws, design)
        new = engine.scalar(sql_file(__package__, "results_new_customers.sql"))
        engine.script(
            sql_file(__package__, "results_store.sql"),
            {"campaign_id": campaign_id, "load_id": load_id, "starts": design.starts},
        )
        for i, o in enumerate(outcomes):
            engine.run(
                fill(sql_file(__package__, "results_outcome.sql"), value=f"o{i}"),
                {"campaign_id": campaign_id, "outcome": o},
            )
        engine.run(
            sql_file(__package__, "results_rejects.sql"), {"load_id": load_id, "source": str(file)}
        )
        rejected = dict(engine.rows(sql_file(__package__, "results_reject_counts.sql")))
        now = datetime.now(UTC).replace(tzinfo=None)
        engine.run(
            sql_file(__package__, "results_load.sql"),
            {
                "load_id": load_id,
                "source": str(file),
                "started": now,
                "finished": now,
                "read": n_read,
                "loaded": n_good,
                "rejected": n_read - n_good,
            },
        )
        engine.script(sql_file(__package__, "results_drop.sql"))
    return ResultsImport(
        campaign_id=campaign_id,
        load_id=load_id,
        rows=int(n_good),
        arms={str(a): int(n) for a, n in arms.items()},
        control_arm=design.control_arm,
        outcomes=list(outcomes),
        covariates=covariates,
        new_customers=int(new),
        rejected={str(r): int(n) for r, n in rejected.items()},
    )


def _staging(
    file: Path,
    found: list[str],
    arm_column: str,
    outcomes: list[str],
    covariates: list[str],
    customer_column: str,
    has_id: bool,
) -> exp.Expression:
    """The statement staging a results file as ``results_raw`` (see ``results_raw.sql``)."""
    customer = (
        cell("text_value", customer_column)
        if has_id
        else sql_file(__package__, "results_row_id.sql").tree().expressions[0].this
    )
    values: list[exp.Expression] = []
    for i, o in enumerate(outcomes):
        values.append(named(cell("outcome_value", o), f"o{i}"))
        values.append(named(cell("text_value", o), f"r{i}"))
    features: exp.Expression = exp.null()
    if covariates:
        pairs: list[exp.Expression] = []
        for j, c in enumerate(covariates):
            pairs += [exp.Placeholder(this=f"k{j}"), cell("text_value", c)]
        features = exp.Anonymous(this="json_object", expressions=pairs)
    return fill(
        sql_file(__package__, "results_raw.sql"),
        customer=customer,
        arm=arm_column,
        outcomes=values,
        features=features,
        raw=raw_line(found),
        source=reader(file),
    )


def _problem(outcomes: list[str]) -> exp.Expression:
    """The first outcome cell of a row that is not 0/1, yes/no or a number, as a reason."""
    checks: list[exp.Expression] = []
    for i, o in enumerate(outcomes):
        message = exp.Literal.string(f"'{o}' is not 0/1, yes/no or a number: ")
        tree = fill(
            sql_file(__package__, "results_problem.sql"),
            text=f"r{i}",
            number=f"o{i}",
            message=message,
        )
        checks += tree.expressions[0].args["ifs"]
    return exp.Case(ifs=checks)


def outcome_values(column: pd.Series) -> np.ndarray:
    """The same reading of outcome cells in Python (a supplied test file): NaN when unusable."""
    text = column.astype("string").str.strip().str.lower()
    number = pd.to_numeric(text, errors="coerce").to_numpy(float, na_value=np.nan)
    number[~np.isfinite(number)] = np.nan
    yes, no = text.isin(list(_YES)).to_numpy(bool), text.isin(list(_NO)).to_numpy(bool)
    return np.where(yes, 1.0, np.where(no, 0.0, number))
