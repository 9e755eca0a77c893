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

import sqlglot.expressions as exp

from cvm.engines import Engine, fill, sql_file
from cvm.ingest._common import drop_tables
from cvm.ingest.identity import apply_merges, resolve_batch, run_named
from cvm.ingest.options import SourceOptions
from cvm.ingest.result import LoadResult
from cvm.ingest.staging import Source, column

__all__ = ["link_identities", "links_profile"]

_WORK = ("_id_pairs", "_id_order_src", "_id_batch_nodes", "_id_batch_edges", "_id_merge_map")
_ORDER_IDS = ("customer_id", "customer_email", "customer_number")


def links_profile(options: SourceOptions) -> bool:
    """Whether a load of this profile and kind adds to the identity graph."""
    if options.profile == "generic" or options.kind not in ("customers", "transactions"):
        return False
    return options.profile != "hubspot-deals"  # its customers are resolved by e-mail already


def _text(name: str | None) -> exp.Expression:
    if name is None:
        return exp.cast(exp.null(), "VARCHAR")
    return exp.Anonymous(this="_cvm_text", expressions=[exp.cast(column(name), "VARCHAR")])


def link_identities(
    engine: Engine,
    options: SourceOptions,
    result: LoadResult,
    source: Source,
    mapping: Mapping[str, str],
) -> int:
    """Fold this load's ids into the identity graph and move its rows to the customers they
    resolve to; returns the customers merged. Runs inside the load's transaction, after the
    rows are written and before the work tables are dropped."""
    if options.kind == "customers":
        run_named(engine, "linking.sql", "from_customers")
    else:
        ids = {name: _text(mapping.get(name)) for name in _ORDER_IDS}
        query = fill(sql_file(__package__, "linking_order_ids.sql"), source=source.relation, **ids)
        engine.run(query, dict(source.params) or None)
        run_named(engine, "linking.sql", "from_orders", source=options.profile)
    now = datetime.now(UTC).replace(tzinfo=None)
    reason = f"same person in {result.source}"
    run_named(engine, "linking.sql", "batch_nodes")
    run_named(engine, "linking.sql", "batch_edges")
    merged = resolve_batch(engine, load_id=result.load_id, reason=reason, now=now)
    run_named(engine, "linking.sql", "repoint_map")
    merged += apply_merges(engine, load_id=result.load_id, reason=reason, now=now)
    drop_tables(engine, *_WORK)
    return merged
