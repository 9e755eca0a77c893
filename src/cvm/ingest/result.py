"""What a load did, for the CLI, the API and tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """Counts of one load (one file of one kind); ``rows_read = loaded + duplicates + rejected``."""

    kind: str
    source: str
    load_id: str
    rows_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    rejected: int = 0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
