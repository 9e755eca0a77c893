"""What a load did, for the CLI, the API and tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime


def new_load_id(kind: str) -> str:
    """A fresh load id: the kind, the UTC time and a random suffix."""
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


@dataclass
class LoadResult:
    """Counts of one load (one file of one kind);
    ``rows_read = loaded + duplicates + rejected + erased``.

    ``updated`` counts rows among ``loaded`` that replaced a stored row (customer snapshots);
    ``skipped`` counts source rows that hold no record of this kind (the line-item rows after
    an order's first row in a Shopify export, deals not closed won, failed payments) and are
    not in ``rows_read``. ``top_reasons`` holds every reason (text before the colon) with its
    count; ``hints`` say how to load the refused rows (e.g. the ``--date-format`` their
    timestamps follow); ``notes`` are warnings that refused no row (a consent column the
    profile could not read, read as no consent); ``erased`` counts rows refused because they
    carry an identifier of an erased customer (not stored anywhere).
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
    hints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things the user should know about this load that are not errors (printed by the CLI)."""
    customers_merged: int = 0  # customer ids folded into another by identity linking
    erased: int = 0
