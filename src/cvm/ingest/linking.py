"""One person across vendor files: link a file's customer ids to e-mails and shop numbers.

A Salesforce contact (``0035g00000AbCdEAA1``, ana@example.com), a WooCommerce order by
ana@example.com from shop customer 17 and a Stripe charge of ``cus_PQR001`` paid by
ana@example.com are one customer. Each vendor-profile load adds what it reveals to the identity
graph (``cvm.ingest.identity``), whose survivor rule (the customer id first seen earliest) makes
the result the same whichever file is loaded first. The generic profile links nothing: two
customer ids of a hand-made file that share an address (a family's e-mail) stay two customers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import duckdb

from cvm.ingest.identity import _apply_merges, _run, resolve_batch
from cvm.ingest.options import SourceOptions
from cvm.ingest.result import LoadResult
from cvm.ingest.staging import ident

__all__ = ["link_identities", "links_profile"]

_WORK = ("_id_pairs", "_id_order_src", "_id_batch_nodes", "_id_batch_edges", "_id_merge_map")


def links_profile(options: SourceOptions) -> bool:
    """Whether a load of this profile and kind adds to the identity graph."""
    if options.profile == "generic" or options.kind not in ("customers", "transactions"):
        return False
    return options.profile != "hubspot-deals"  # its customers are resolved by e-mail already


def link_identities(
    con: duckdb.DuckDBPyConnection,
    options: SourceOptions,
    result: LoadResult,
    relation: str,
    params: Mapping[str, object],
    mapping: Mapping[str, str],
) -> int:
    """Fold this load's ids into the identity graph and move its rows to the customers they
    resolve to; returns the customers merged. Runs inside the load's transaction, after the
    rows are written and before the work tables are dropped."""
    if options.kind == "customers":
        _run(con, "linking.sql", "from_customers")
    else:
        cols = [
            f"_cvm_text(CAST({ident(mapping[c])} AS VARCHAR)) AS {c}" if c in mapping
            else f"NULL::VARCHAR AS {c}"
            for c in ("customer_id", "customer_email", "customer_number")
        ]  # fmt: skip
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _id_order_src AS SELECT {', '.join(cols)}"
            f" FROM {relation}",
            dict(params),
        )
        _run(con, "linking.sql", "from_orders", source=options.profile)
    now = datetime.now(UTC).replace(tzinfo=None)
    reason = f"same person in {result.source}"
    _run(con, "linking.sql", "batch_nodes")
    _run(con, "linking.sql", "batch_edges")
    merged = resolve_batch(con, load_id=result.load_id, reason=reason, now=now)
    _run(con, "linking.sql", "repoint_map")
    merged += _apply_merges(con, load_id=result.load_id, reason=reason, now=now)
    for name in _WORK:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return merged
