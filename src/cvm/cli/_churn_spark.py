"""``cvm churn train|score --engine spark``: the churn commands on a Spark session."""

from __future__ import annotations

from pathlib import Path

from cvm.cli._common import console, print_frame, progress_bar
from cvm.cli._spark import workspace_settings
from cvm.engines import location


def train_on_spark(
    workspace: Path,
    as_of: str | None,
    horizon: int | None,
    source: str | None,
    master: str | None,
    sample_rows: int | None,
) -> None:
    """Train the churn model on Spark's features and keep it in the workspace folder."""
    import pandas as pd

    from cvm.clv.on_spark import spark_from_settings
    from cvm.segments.churn_on_engine import train_churn_on_engine
    from cvm.segments.churn_on_spark import save_engine_churn

    settings = workspace_settings(workspace)
    rows = sample_rows or settings.spark.sample_rows
    with progress_bar("training on spark") as progress:
        progress(0, None, "starting spark")
        engine = spark_from_settings(settings, transactions=source, master=master)
        progress(0, None, "features, sample and fit")
        trained = train_churn_on_engine(
            engine,
            as_of,
            horizon_days=int(horizon or settings.segments.churn.horizon_days),
            sample_rows=rows,
            seed=settings.spark.sample_seed,
        )
        path = save_engine_churn(workspace, trained)
    table = pd.DataFrame({"churn model": trained.metrics})
    print_frame(
        table,
        f"holdout sample as of {trained.valid_cutoff} (trained as of {trained.train_cutoff})",
        digits=3,
    )
    for note in trained.notes:
        console.print(note)
    console.print(
        f"fitted on {trained.n_train:,} of {trained.train_customers:,} buyers (sample of at"
        f" most {rows:,}); model {path}"
    )


def score_on_spark(
    workspace: Path,
    as_of: str | None,
    top: int,
    source: str | None,
    master: str | None,
    scores_dir: str | None,
) -> None:
    """Score every buyer on Spark with the newest model trained there; write Parquet."""
    from cvm._exceptions import ConfigError
    from cvm.clv.on_spark import spark_from_settings
    from cvm.segments.churn_on_spark import latest_engine_churn, score_churn_to

    settings = workspace_settings(workspace)
    target = scores_dir or (
        location(settings.spark.output, "churn") if settings.spark.output else None
    )
    if target is None:
        raise ConfigError(
            "the spark engine writes churn scores to a folder: --scores-dir DIR, or [spark] output"
        )
    latest_engine_churn(workspace)  # no model: say so before starting spark
    with progress_bar("scoring on spark") as progress:
        progress(0, None, "starting spark")
        engine = spark_from_settings(settings, transactions=source, master=master)
        progress(0, None, "features and scores")
        run = score_churn_to(engine, workspace, target, as_of=as_of, top=top)
    print_frame(run.top.set_index("customer_id"), f"top {top} customers by churn risk", digits=3)
    console.print(
        f"{run.customers:,} buyers scored on spark as of {run.as_of} with {run.model.name};"
        f" scores in {run.output}/run_id={run.run_id}"
    )
