"""Runs written by an engine as Parquet partitioned by run: found again on disk.

``cvm score --engine spark`` writes ``<output>/run_id=clv-.../``, ``cvm churn score`` writes
``<output>/churn/run_id=churn-.../`` and ``cvm segment`` ``<output>/segments/run_id=
segments-.../`` (the rule segments' members) beside ``<output>/profile/run_id=segments-.../``
(the segment table). :func:`run_folders` lists them (newest last, by the time stamp in the
id), so a run can be read back into a workspace by its id or as the newest of its kind. A
segments run whose rules have no member has no members folder: it is found by its profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cvm._exceptions import ConfigError

__all__ = ["KINDS", "RunFolder", "newest_runs", "run_folders", "run_partition"]

KINDS = ("clv", "churn", "segments")
"""The kinds of run read back, by the prefix of their id; each may sit in a subfolder of its
kind under the results folder (``clv`` scores sit in the folder itself)."""
PROFILES = "profile"
"""The subfolder of the segment tables of segments runs (one row per customer)."""


@dataclass(frozen=True)
class RunFolder:
    """One run's partition: its id, kind, folder and Parquet files."""

    run_id: str
    kind: str
    path: Path
    files: tuple[Path, ...]

    @property
    def stamp(self) -> str:
        """The time stamp of the id (``20261130T031500``): runs sort by it."""
        return self.run_id.removeprefix(f"{self.kind}-")


def _local(base: str | Path) -> Path:
    text = str(base)
    if "://" in text:
        raise ConfigError(
            f"{text}: runs are read back from a local folder; copy the run there first"
            " (e.g. `hdfs dfs -get` or `aws s3 sync`)"
        )
    path = Path(text)
    if not path.is_dir():
        raise ConfigError(f"no such results folder {text!r}")
    return path


def run_folders(base: str | Path) -> list[RunFolder]:
    """Every run partition under ``base`` and its kinds' subfolders, oldest first."""
    root = _local(base)
    found: dict[str, RunFolder] = {}
    for folder in (root, *(root / kind for kind in KINDS), root / PROFILES):
        if not folder.is_dir():
            continue
        for part in sorted(folder.glob("run_id=*")):
            run_id = part.name.removeprefix("run_id=")
            kind = run_id.split("-", 1)[0]
            if kind not in KINDS or not part.is_dir():
                continue
            found.setdefault(run_id, RunFolder(run_id, kind, part, _files(part)))
    return sorted(found.values(), key=lambda r: (r.stamp, r.run_id))


def run_partition(base: str | Path, folder: str, run_id: str) -> RunFolder:
    """The partition ``base``/``folder``/run_id=``run_id`` (no files when it is absent)."""
    part = _local(base) / folder / f"run_id={run_id}"
    return RunFolder(run_id, run_id.split("-", 1)[0], part, _files(part) if part.is_dir() else ())


def _files(part: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in part.rglob("*.parquet") if p.is_file()))


def newest_runs(base: str | Path, run_id: str | None = None) -> list[RunFolder]:
    """The run named ``run_id``, else the newest run of each kind under ``base``."""
    runs = run_folders(base)
    if run_id is not None:
        named = [r for r in runs if r.run_id == run_id]
        if not named:
            raise ConfigError(f"no run {run_id!r} under {base} (look for run_id=... folders)")
        return named
    newest = {r.kind: r for r in runs}  # oldest first: the last of each kind stays
    if not newest:
        raise ConfigError(
            f"no runs under {base}: expected run_id=clv-... (cvm score --engine spark),"
            " churn/run_id=churn-... or segments/run_id=segments-... folders"
        )
    return [newest[k] for k in KINDS if k in newest]
