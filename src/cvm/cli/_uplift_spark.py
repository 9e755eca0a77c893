"""``cvm campaign uplift --engine spark``: a test's uplift model on a Spark session."""

from __future__ import annotations

from pathlib import Path

from cvm.cli._common import console, progress_bar
from cvm.cli._spark import workspace_settings
from cvm.engines import location


def uplift_on_spark(
    workspace: Path,
    campaign_id: str,
    members: str | None,
    as_of: str | None,
    source: str | None,
    master: str | None,
    scores_dir: str | None,
    sample_rows: int | None,
    seed: int,
) -> None:
    """Fit on a sample of the members' folder, score every customer, write Parquet by run."""
    from cvm._exceptions import ConfigError
    from cvm.campaigns.uplift_on_engine import score_uplift_on_engine, train_uplift_on_engine
    from cvm.clv.on_spark import spark_from_settings

    settings = workspace_settings(workspace)
    if members is None or as_of is None:
        raise ConfigError(
            "uplift on spark needs the test's members (--members DIR: Parquet with customer_id,"
            " arm, outcome) and --as-of, the day before the test began"
        )
    output = settings.spark.output
    target = scores_dir or (location(output, "uplift", campaign_id) if output else None)
    if target is None:
        raise ConfigError(
            "the spark engine writes uplift scores to --scores-dir DIR, or [spark] output"
        )
    rows = sample_rows or settings.spark.sample_rows
    with progress_bar("uplift on spark") as progress:
        progress(0, None, "starting spark")
        engine = spark_from_settings(settings, transactions=source, master=master)
        engine.read("uplift_members", members)  # type: ignore[attr-defined]
        progress(0, None, "features, sample and fit")
        trained = train_uplift_on_engine(engine, as_of, sample_rows=rows, seed=seed)
        progress(0, None, "scoring every customer")
        run_id, day = score_uplift_on_engine(engine, trained, target)
    console.print(
        f"{campaign_id}: {trained.treatment} vs control fitted on {trained.n_train:,} of"
        f" {trained.members:,} members (sample of at most {rows:,}) as of {day};"
        f" scores in {target}/run_id={run_id}"
    )
