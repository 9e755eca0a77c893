"""What a rule may contain: node types, scalar functions and CAST types.

A rule is one expression over a customer's row. Everything not named here is refused, so a
DuckDB upgrade that adds a table function, a setting or a statement adds nothing a rule can do.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp

__all__ = ["CAST_TYPES", "FUNCTIONS", "OPERATORS", "function_key"]

# Literals, operators and the shapes of an expression (column references are checked apart).
OPERATORS: tuple[type[exp.Expression], ...] = (
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.Neg,
    exp.Not,
    exp.And,
    exp.Or,
    exp.Xor,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.IntDiv,
    exp.Mod,
    exp.Pow,
    exp.DPipe,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.NullSafeEQ,
    exp.NullSafeNEQ,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Case,
    exp.If,
    exp.Cast,
    exp.TryCast,
    exp.Interval,
    exp.Extract,
)

# Scalar functions by the name a user writes, each with a sample call: the sample is parsed
# once to learn which tree node SQLGlot makes of it (``len`` and ``length`` are one node).
FUNCTIONS: dict[str, str] = {
    "coalesce": "coalesce(a, b)",
    "ifnull": "ifnull(a, b)",
    "nullif": "nullif(a, b)",
    "least": "least(a, b)",
    "greatest": "greatest(a, b)",
    "abs": "abs(a)",
    "round": "round(a, 1)",
    "floor": "floor(a)",
    "ceil": "ceil(a)",
    "sign": "sign(a)",
    "sqrt": "sqrt(a)",
    "ln": "ln(a)",
    "log10": "log10(a)",
    "exp": "exp(a)",
    "power": "power(a, 2)",
    "lower": "lower(a)",
    "upper": "upper(a)",
    "length": "length(a)",
    "len": "len(a)",
    "strlen": "strlen(a)",
    "trim": "trim(a)",
    "ltrim": "ltrim(a)",
    "rtrim": "rtrim(a)",
    "concat": "concat(a, b)",
    "substring": "substring(a, 1, 2)",
    "substr": "substr(a, 1, 2)",
    "left": "left(a, 2)",
    "right": "right(a, 2)",
    "replace": "replace(a, 'x', 'y')",
    "starts_with": "starts_with(a, 'x')",
    "ends_with": "ends_with(a, 'x')",
    "contains": "contains(a, 'x')",
    "regexp_matches": "regexp_matches(a, 'x')",
    "date_diff": "date_diff('day', a, b)",
    "datediff": "datediff('day', a, b)",
    "date_part": "date_part('year', a)",
    "date_trunc": "date_trunc('month', a)",
    "year": "year(a)",
    "month": "month(a)",
    "day": "day(a)",
    "dayofweek": "dayofweek(a)",
    "quarter": "quarter(a)",
    "list_contains": "list_contains(a, 'x')",
    "list_has": "list_has(a, 'x')",
    "array_contains": "array_contains(a, 'x')",
    "array_length": "array_length(a)",
    "json_extract_string": "json_extract_string(a, '$.k')",
}

# CAST / TRY_CAST targets: plain scalar types only.
CAST_TYPES = frozenset(
    {
        exp.DataType.Type.BOOLEAN,
        exp.DataType.Type.TINYINT,
        exp.DataType.Type.SMALLINT,
        exp.DataType.Type.INT,
        exp.DataType.Type.BIGINT,
        exp.DataType.Type.FLOAT,
        exp.DataType.Type.DOUBLE,
        exp.DataType.Type.DECIMAL,
        exp.DataType.Type.VARCHAR,
        exp.DataType.Type.TEXT,
        exp.DataType.Type.DATE,
        exp.DataType.Type.TIMESTAMP,
        exp.DataType.Type.TIMESTAMPTZ,
    }
)


def function_key(node: exp.Func) -> tuple[str, str]:
    """What identifies a function node: its class, or its name when SQLGlot has no class."""
    if isinstance(node, exp.Anonymous):
        return ("name", str(node.name).lower())
    return ("node", type(node).__name__)


@cache
def allowed_function_keys() -> frozenset[tuple[str, str]]:
    """The keys of :data:`FUNCTIONS`, learned by parsing each sample call."""
    keys = set()
    for sample in FUNCTIONS.values():
        node = sqlglot.parse_one(sample, read="duckdb")
        assert isinstance(node, exp.Func), sample
        keys.add(function_key(node))
    return frozenset(keys)
