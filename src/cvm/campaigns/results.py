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

from cvm._exceptions import DataError, IngestError
from cvm._sql import load_sql
from cvm.campaigns._script import run_script
from cvm.campaigns.design import Campaign, as_timestamp, insert_campaign, validate

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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(ws: Workspace, path: Path) -> tuple[str, list[str]]:
    if not path.exists():
        raise IngestError(f"{path}: no such file")
    name = path.name.lower()
    reader = (
        "read_parquet(?)"
        if name.endswith((".parquet", ".pq"))
        else "read_csv(?, all_varchar = true, header = true)"
    )
    try:
        found = [
            str(r[0])
            for r in ws.con.execute(f"DESCRIBE SELECT * FROM {reader}", [str(path)]).fetchall()
        ]
    except Exception as exc:  # duckdb raises several error types for unreadable files
        raise IngestError(f"{path}: cannot read the results file: {exc}") from exc
    return reader, found


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
    from cvm.workspace import transaction
    from cvm.workspace.connection import memory_limit

    file = Path(path)
    reader, found = _columns(ws, file)
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
    con = ws.con
    if con.execute(
        "SELECT count(*) FROM campaigns WHERE campaign_id = ?", [campaign_id]
    ).fetchall()[0][0]:
        raise DataError(f"campaign {campaign_id!r} already exists: import under a new id")
    load_id = f"results-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    customer = (
        f"nullif(trim(CAST({_quote(customer_column)} AS VARCHAR)), '')"
        if has_id
        else "$campaign_id || ':' || CAST(line_ - 1 AS VARCHAR)"
    )
    outcome_values = ", ".join(
        f"{_value(_quote(o))} AS o{i}, nullif(trim(CAST({_quote(o)} AS VARCHAR)), '') AS r{i}"
        for i, o in enumerate(outcomes)
    )
    raw = " || ',' || ".join(f"coalesce(CAST({_quote(c)} AS VARCHAR), '')" for c in found)
    docs = ", ".join(
        f"$k{j}, nullif(trim(CAST({_quote(c)} AS VARCHAR)), '')" for j, c in enumerate(covariates)
    )
    params: dict[str, Any] = {"path": str(file)}
    if not has_id:
        params["campaign_id"] = campaign_id
    params.update({f"k{j}": c for j, c in enumerate(covariates)})
    with memory_limit(con, ws.config.load_memory_limit), transaction(con):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE results_raw AS SELECT *,"
            f" {customer} AS customer_id_,"
            f" nullif(trim(CAST({_quote(arm_column)} AS VARCHAR)), '') AS arm_, {outcome_values},"
            f" {'json_object(' + docs + ')' if covariates else 'NULL'} AS features_,"
            f" {raw} AS raw_"
            " FROM (SELECT row_number() OVER () + 1 AS line_, *"
            f" FROM {reader.replace('?', '$path')})",
            params,
        )
        checks = "\n".join(
            f"WHEN r{i} IS NOT NULL AND o{i} IS NULL THEN"
            f" '''{o.replace(chr(39), chr(39) * 2)}'' is not 0/1, yes/no or a number: ' || r{i}"
            for i, o in enumerate(outcomes)
        )
        con.execute(load_sql("cvm.campaigns", "results_validate.sql").replace("/*CHECKS*/", checks))
        n_read, n_good = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE reason IS NULL) FROM results_import"
        ).fetchall()[0]
        arms = dict(
            con.execute(
                "SELECT arm_, count(*) FROM results_import WHERE reason IS NULL"
                " GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        if design.control_arm not in arms or len(arms) < 2:
            shown = ", ".join(map(repr, arms)) or "none"
            raise DataError(
                f"{file}: the test needs rows in the control arm {design.control_arm!r} and in"
                f" at least one other arm of {arm_column!r} (arms found: {shown})"
            )
        design.arms = {a: float(n) for a, n in arms.items() if a != design.control_arm}
        insert_campaign(ws, design)
        new = con.execute(
            "SELECT count(*) FROM results_import r WHERE reason IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM customers c WHERE c.customer_id = r.customer_id_)"
        ).fetchall()[0][0]
        run_script(
            con,
            "results_store.sql",
            {"campaign_id": campaign_id, "load_id": load_id, "starts": design.starts},
        )
        for i, o in enumerate(outcomes):
            con.execute(
                f"INSERT INTO imported_outcomes SELECT $campaign_id, customer_id_, $outcome, o{i}"
                " FROM results_import WHERE reason IS NULL",
                {"campaign_id": campaign_id, "outcome": o},
            )
        con.execute(
            "INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)"
            " SELECT ?, 'imported_outcomes', ?, line_, raw_, reason FROM results_import"
            " WHERE reason IS NOT NULL",
            [load_id, str(file)],
        )
        rejected = dict(
            con.execute(
                "SELECT regexp_replace(reason, ': .*$', ''), count(*) FROM results_import"
                " WHERE reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            "INSERT INTO loads VALUES (?, 'imported_outcomes', ?, ?, ?, ?, ?, 0, ?)",
            [load_id, str(file), now, now, n_read, n_good, n_read - n_good],
        )
        con.execute("DROP TABLE IF EXISTS results_raw")
        con.execute("DROP TABLE IF EXISTS results_import")
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


def _value(column: str) -> str:
    """SQL turning an outcome cell into a number: vendor yes/no as 1/0, else the number."""
    text = f"lower(trim(CAST({column} AS VARCHAR)))"
    return (
        f"CASE WHEN {text} IN ('yes', 'y', 'true', 't') THEN 1.0"
        f" WHEN {text} IN ('no', 'n', 'false', 'f') THEN 0.0"
        f" ELSE CASE WHEN isfinite(try_cast({text} AS DOUBLE)) THEN try_cast({text} AS DOUBLE)"
        " END END"
    )


def outcome_values(column: pd.Series) -> np.ndarray:
    """The same reading of outcome cells in Python (a supplied test file): NaN when unusable."""
    text = column.astype("string").str.strip().str.lower()
    number = pd.to_numeric(text, errors="coerce").to_numpy(float, na_value=np.nan)
    number[~np.isfinite(number)] = np.nan
    yes, no = text.isin(list(_YES)).to_numpy(bool), text.isin(list(_NO)).to_numpy(bool)
    return np.where(yes, 1.0, np.where(no, 0.0, number))
