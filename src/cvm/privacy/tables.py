"""Which rows of which table are about a customer: derived from the schema, plus the tables
whose link to the customer is not a ``customer_id`` column.

Every table is in exactly one of three places: it has a ``customer_id`` column (covered
without being named), it is a special case in ``rows.sql``, or it is listed in
``WITHOUT_CUSTOMER_ROWS`` with the reason it holds no row about one customer. A test fails when
a new table is in none of them.
"""

from __future__ import annotations

from typing import cast

import sqlglot
import sqlglot.expressions as exp

from cvm.engines import Engine, fill, sql_file
from cvm.engines.sql import READ_DIALECT
from cvm.ingest.identity import customer_tables
from cvm.privacy.subject import queries

SPECIAL = (
    "events",
    "identities",
    "identity_links",
    "customer_merges",
    "transactions",
    "order_items",
    "survey_responses",
    "rejected_rows",
)
"""Tables whose rows about a customer are found by more than their customer_id (rows.sql)."""

WITHOUT_CUSTOMER_ROWS = {
    "loads": "one row per load: file names and counts",
    "offers": "the offer catalog",
    "campaigns": "campaign definitions (audience rules, not lists)",
    "model_runs": "fitted parameters and metrics of a run",
    "plan_runs": "budget and totals of a plan",
    "response_priors": "response rates per campaign, arm and segment",
    "schema_version": "migrations applied",
    "erasures": "the erasure log: keyed hashes and counts only",
    "erased_identifiers": "keyed hashes of erased identifiers",
    "ingest_rekeys": "one row per table re-keyed after an upgrade",
    "jobs": "batch jobs started over HTTP: kind, options, status and a summary of counts",
    "suppressed_identifiers": "the suppression list (e-mails and phones as SHA-256 only), kept"
    " so that an unsubscribe outlives an erasure",
    "api_keys": "the service's keys: names, roles and SHA-256 hashes",
    "audit_log": "privileged calls: key names and route templates, never a customer id",
}
"""Tables that hold no row about one customer. Their text and JSON columns are still searched
for the customer's e-mail, phone and ids, which are redacted where found (``redact``)."""


def row_filters(engine: Engine) -> dict[str, str]:
    """table -> SQL condition selecting its rows about the request's customer, every table
    with such rows, in a stable order (special cases, then the rest by name)."""
    sql = queries("rows.sql")
    present = set(_tables(engine))
    filters = {t: sql[t] for t in SPECIAL if t in present}
    for table in ["customers", *customer_tables(engine)]:
        if table not in filters and table in present:
            filters[table] = sql["default"]
    return filters


def rows_statement(name: str, table: str, condition: str) -> exp.Expression:
    """Statement ``name`` (``select_rows.sql`` or ``delete_rows.sql``) for the rows of
    ``table`` under ``condition`` (one of :func:`row_filters`), built on the SQLGlot tree."""
    where = cast(exp.Expression, sqlglot.parse_one(condition, read=READ_DIALECT))
    return fill(sql_file(__package__, name), table=table, condition=where)


def _tables(engine: Engine) -> list[str]:
    rows = engine.rows(sql_file(__package__, "tables.sql"))
    return [str(r[0]) for r in rows]


def uncovered(engine: Engine) -> list[str]:
    """Tables of the schema in none of the three places (a test keeps this empty)."""
    covered = set(row_filters(engine)) | set(WITHOUT_CUSTOMER_ROWS)
    return [t for t in _tables(engine) if t not in covered]
