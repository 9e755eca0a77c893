"""Privacy: a customer's data on request (right of access) and forgetting it (erasure).

Both accept any identifier of the customer. Which rows are about a customer is derived from the
schema (every table with a ``customer_id`` column) plus the tables linked otherwise (order lines
through their orders, events through every id, identities, merges, refused input rows quoting
an identifier): ``cvm.privacy.tables``. Erasure also redacts mentions in other rows and in the
workspace's derived files, rebuilds the database file so that no byte of the customer remains,
and keeps keyed hashes (HMAC-SHA256, per-workspace key) so ingest refuses the customer later.

Every statement runs through the workspace's engine (``ws.engine``) from ``privacy/sql/``; a
table's rows about the customer are one condition of ``rows.sql``, put into ``select_rows.sql``
or ``delete_rows.sql`` on the SQLGlot tree (``tables.rows_statement``). Parquet files under
erasure are read and rewritten by a scratch engine, apart from the workspace's transaction.
Compaction is DuckDB's (it swaps the database file under the workspace's lock).
"""

from cvm.privacy.compact import compact_workspace, compaction_pending
from cvm.privacy.erase import Erasure, erase_customer, erase_customers
from cvm.privacy.export import export_customer
from cvm.privacy.subject import find_customer

__all__ = [
    "Erasure",
    "compact_workspace",
    "compaction_pending",
    "erase_customer",
    "erase_customers",
    "export_customer",
    "find_customer",
]
