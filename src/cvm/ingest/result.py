"""What a load did, for the CLI, the API and tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """Counts of one load (one file of one kind);
    ``rows_read = loaded + duplicates + rejected + erased``.

    ``updated`` counts rows among ``loaded`` that replaced a stored row (customer snapshots);
    ``skipped`` counts source rows that hold no record of this kind (the line-item rows after
    an order's first row in a Shopify export) and are not in ``rows_read``; ``erased`` counts
    rows refused because they carry an identifier of an erased customer (not stored anywhere).
    """

    kind: str
    source: str
    load_id: str
    rows_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    rejected: int = 0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    updated: int = 0
    skipped: int = 0
    erased: int = 0
