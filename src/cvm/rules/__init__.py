"""The one guard for user-written expressions: parsed, allow-listed, evaluated on a locked
connection.

Segment rules, campaign audiences (``--rule``), offer eligibility and boosts, and the RFM map
all pass through :func:`check`, which parses the text with SQLGlot and refuses every construct
outside the allow-list (:mod:`cvm.rules.allowlist`), then :func:`evaluate` runs the rendered
tree on an in-memory DuckDB with external access off and its configuration locked.

Both sides are engines: the workspace's (``ws.engine``) hands over only the columns the rules
read, as Arrow; the sandbox is a ``DuckDBEngine`` on
:func:`cvm.workspace.connection.locked_memory`. The statements are ``rules/sql/*.sql`` with
each checked rule put in as a SQLGlot tree, never as text.

>>> rule = check("clv > 500 AND consent_email", "segment 'vip'", ["clv", "consent_email"])
>>> rule.sql
'"clv" > 500 AND "consent_email"'
"""

from cvm.rules.allowlist import CAST_TYPES, FUNCTIONS
from cvm.rules.guard import CheckedRule, check
from cvm.rules.literals import RuleWarning, unseen_values
from cvm.rules.sandbox import bind, evaluate, evaluate_arrow

__all__ = [
    "CAST_TYPES",
    "FUNCTIONS",
    "CheckedRule",
    "RuleWarning",
    "bind",
    "check",
    "evaluate",
    "evaluate_arrow",
    "unseen_values",
]
