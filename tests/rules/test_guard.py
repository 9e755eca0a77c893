"""The rule guard: an allow-list over SQLGlot trees, refusing everything else by name.

The hostile corpus holds every DuckDB table function (read from ``duckdb_functions()``, so a
DuckDB upgrade extends it), every statement keyword, and scalar functions that read settings,
the environment, randomness or files. None may pass the guard, and none may touch a file.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvm._exceptions import ConfigError
from cvm.rules import FUNCTIONS, check, evaluate_arrow
from cvm.rules.allowlist import allowed_function_keys, function_key

COLUMNS = ["customer_id", "clv", "revenue", "orders", "country", "first_seen", "consent_email"]
COLUMNS += ["channel_shares", "categories", "attributes", "lifecycle"]


def _table_functions() -> list[str]:
    con = duckdb.connect()
    rows = con.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions()"
        " WHERE function_type IN ('table', 'table_macro') ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


TABLE_FUNCTIONS = _table_functions()
STATEMENTS = [
    "SHOW TABLES",
    "SHOW ALL TABLES",
    "SHOW customers",
    "DESCRIBE customers",
    "DESCRIBE SELECT 1",
    "SUMMARIZE customers",
    "VALUES (1)",
    "FROM customers",
    "SELECT 1",
    "SELECT * FROM customers",
    "WITH t AS (SELECT 1) SELECT * FROM t",
    "PIVOT customers ON country USING count(*)",
    "UNPIVOT customers ON clv INTO NAME k VALUE v",
    "EXPLAIN SELECT 1",
    "PRAGMA version",
    "PRAGMA database_list",
    "SET enable_external_access = true",
    "RESET lock_configuration",
    "SET lock_configuration = false",
    "ATTACH 'x.db' AS x",
    "DETACH x",
    "COPY customers TO 'out.csv'",
    "COPY (SELECT 1) TO 'out.csv'",
    "EXPORT DATABASE 'dump'",
    "IMPORT DATABASE 'dump'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "CALL pragma_version()",
    "CHECKPOINT",
    "VACUUM",
    "BEGIN TRANSACTION",
    "COMMIT",
    "ROLLBACK",
    "USE memory",
    "CREATE TABLE x (a INT)",
    "CREATE MACRO m(a) AS a",
    "CREATE SECRET s (TYPE s3)",
    "DROP TABLE customers",
    "ALTER TABLE customers ADD COLUMN x INT",
    "INSERT INTO customers VALUES (1)",
    "UPDATE customers SET clv = 0",
    "DELETE FROM customers",
    "TRUNCATE customers",
    "clv > 1; DROP TABLE customers",
    "clv > 1; SELECT 1",
    "clv > 1 -- comment",
    "clv > 1 /* comment */",
]
SCALAR = [
    "current_setting('enable_external_access') = false",
    "setseed(0.5) IS NULL",
    "random() < 0.5",
    "uuid() IS NULL",
    "gen_random_uuid() IS NULL",
    "getenv('HOME') IS NULL",
    "version() = 'x'",
    "current_user = 'root'",
    "current_database() = 'x'",
    "current_schema() = 'x'",
    "nextval('s') > 1",
    "currval('s') > 1",
    "now() IS NULL",
    "current_date IS NULL",
    "txid_current() > 1",
    "sum(clv) > 1",
    "count(*) > 1",
    "max(clv) OVER () > 1",
    "list_transform(categories, x -> x) IS NULL",
    "list_filter(categories, lambda x: x = 'a') IS NULL",
    "[1, 2] IS NULL",
    "clv > ?",
    "clv > $1",
    "clv > $name",
    "*",
    "customers.clv > 1",
    "main.customers.clv > 1",
    "clv::STRUCT(a INT) IS NULL",
    "clv::INT[] IS NULL",
    "clv IN (SELECT 1)",
    "EXISTS (SELECT 1)",
    "clv > (SELECT 1)",
    "clv > ALL (SELECT 1)",
    "1 IN (FROM (PIVOT (SELECT * FROM read_csv('/etc/passwd')) ON column0))",
    "len(glob('/root/*')) > 0",
    "clv IN (VALUES (1))",
    "channel_shares[clv] > 1",
    "query('SELECT 1') IS NULL",
    "query_table('customers') IS NULL",
]


def hostile(path: Path) -> list[str]:
    """The corpus: each table function three ways, statements, dangerous scalars."""
    corpus = []
    for name in TABLE_FUNCTIONS:
        corpus += [
            f"{name}('{path}') IS NULL",
            f"(SELECT count(*) FROM {name}('{path}')) > 0",
            f"1 IN (FROM {name}('{path}'))",
        ]
    return corpus + STATEMENTS + SCALAR


def test_the_corpus_is_large_and_holds_every_table_function(tmp_path: Path) -> None:
    corpus = hostile(tmp_path / "x")
    assert len(corpus) >= 200
    for must in ("read_csv", "read_parquet", "glob", "read_text", "read_blob", "query_table"):
        assert must in TABLE_FUNCTIONS


@pytest.mark.parametrize("expression", hostile(Path("/tmp/cvm-sentinel.csv")))
def test_every_hostile_expression_is_refused_without_a_database(
    expression: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the guard works on the parsed tree alone: it may not open any database to decide
    def no_database(*args: object, **kwargs: object) -> None:
        raise AssertionError("the guard opened a database")

    monkeypatch.setattr(duckdb, "connect", no_database)
    with pytest.raises(ConfigError) as refused:
        check(expression, "segment 'x'", COLUMNS)
    message = str(refused.value)
    assert message.startswith("segment 'x': ") and "\n" not in message


@pytest.mark.parametrize(
    ("expression", "named"),
    [
        ("1 IN (FROM (PIVOT (SELECT * FROM read_csv('/etc/passwd')) ON column0))", "PIVOT"),
        ("1 IN (FROM (PIVOT (SELECT * FROM read_csv('/etc/passwd')) ON column0))", "read_csv()"),
        ("len(glob('/root/*')) > 0", "glob() is not allowed"),
        ("SHOW TABLES", "SHOW is not allowed"),
        ("DESCRIBE customers", "DESCRIBE is not allowed"),
        ("VALUES (1)", "VALUES is not allowed"),
        ("current_setting('enable_external_access')", "current_setting() is not allowed"),
        ("setseed(0.5) IS NULL", "setseed() is not allowed"),
        ("getenv('HOME') = 'x'", "getenv() is not allowed"),
        ("clv > 1; DROP TABLE customers", "';' is not allowed"),
        ("sum(clv) > 1", "aggregates are not allowed"),
        ("clv::INT[] IS NULL", "CAST to"),
        ("customers.clv > 1", "name profile columns without a qualifier"),
        ("clvv > 1", "unknown column 'clvv'.*did you mean clv"),
    ],
)
def test_refusal_names_the_construct(expression: str, named: str) -> None:
    with pytest.raises(ConfigError) as refused:
        check(expression, "segment 'x'", COLUMNS)
    message = str(refused.value)
    assert named in message or re.search(named, message), message
    assert "root:" not in message  # nothing was read


@pytest.mark.parametrize(
    "expression",
    [
        "clv > 500 AND consent_email",
        "coalesce(channel_shares['web'], 0) > 0.5 AND list_contains(categories, 'footwear')",
        "attributes->>'tier' = 'gold'",
        "lifecycle IN ('lapsed', 'at_risk') AND clv > 20",
        "country NOT IN ('GB') OR country IS NULL",
        "revenue BETWEEN 10 AND 100 AND lower(country) LIKE 'g%'",
        "CASE WHEN orders > 2 THEN clv ELSE 0 END > 10",
        "CAST(orders AS DOUBLE) / greatest(revenue, 1) < 0.1",
        "date_diff('day', first_seen, DATE '2024-06-30') > 30",
        "first_seen < DATE '2024-06-30' - INTERVAL 30 DAY",
        "year(first_seen) = 2024 AND round(abs(clv), 2) >= 0",
        "TRY_CAST(country AS INTEGER) IS NULL",
    ],
)
def test_legitimate_rules_pass_and_render(expression: str) -> None:
    rule = check(expression, "segment 'x'", COLUMNS)
    assert rule.text == expression and rule.sql
    assert rule.columns <= set(COLUMNS) and rule.columns


def test_every_named_function_is_allowed_and_no_other() -> None:
    keys = allowed_function_keys()
    import sqlglot

    for name, sample in FUNCTIONS.items():
        node = sqlglot.parse_one(sample, read="duckdb")
        assert function_key(node) in keys, name
    # the scalar functions DuckDB has that pass the guard are the named ones and their aliases
    con = duckdb.connect()
    names = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions()"
            " WHERE function_type IN ('scalar', 'macro') AND function_name ~ '^[a-z_0-9]+$'"
        ).fetchall()
    ]
    passed = set()
    for name in names:
        try:
            check(f"{name}(clv)", "f", COLUMNS)
        except ConfigError:
            continue
        passed.add(name)
    unexpected = passed - set(FUNCTIONS)
    # aliases SQLGlot reads as one of the named functions are fine; nothing that reads state
    assert not unexpected & {"current_setting", "setseed", "random", "getenv", "read_text"}
    assert unexpected <= ALIASES, sorted(unexpected - ALIASES)
    assert len(passed) < 100 < len(names)  # a short list out of DuckDB's hundreds


# DuckDB names that SQLGlot parses into the same node as a named function
ALIASES = {
    "array_has",
    "list_has_any",
    "list_has_all",
    "array_has_any",
    "array_has_all",
    "char_length",
    "character_length",
    "ceiling",
    "pow",
    "regexp_full_match",
    "datepart",
    "datetrunc",
    "strpos",
    "instr",
    "position",
    "list_contains",
    "date_sub",
    "dayofmonth",
    "len",
    "lcase",
    "ucase",
    "log",
    "log2",
}


# --- property: the rendered tree means what the user wrote ------------------------------

FRAME_COLUMNS = {"a": "DOUBLE", "b": "DOUBLE", "s": "VARCHAR", "flag": "BOOLEAN"}

numbers = st.one_of(
    st.sampled_from(["a", "b"]),
    st.integers(-5, 5).map(str),
    st.floats(-10, 10, allow_nan=False).map(lambda x: f"{x:.2f}"),
)


def _numeric(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return numbers
    inner = _numeric(depth - 1)
    return st.one_of(
        inner,
        st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(lambda t: f"({' '.join(t)})"),
        inner.map(lambda x: f"abs({x})"),
        st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"greatest({t[0]}, {t[1]})"),
        inner.map(lambda x: f"round({x}, 1)"),
        st.tuples(inner, inner).map(lambda t: f"CASE WHEN flag THEN {t[0]} ELSE {t[1]} END"),
    )


predicates = st.one_of(
    st.tuples(_numeric(2), st.sampled_from(["<", "<=", "=", "<>", ">", ">="]), _numeric(2)).map(
        " ".join
    ),
    st.sampled_from(
        ["flag", "NOT flag", "s LIKE 'x%'", "lower(s) IN ('x1', 'y')", "s IS NULL", "a IS NULL"]
    ),
    _numeric(1).map(lambda x: f"{x} BETWEEN -3 AND 3"),
)
rules = st.recursive(
    predicates,
    lambda inner: st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
        lambda t: f"({' '.join(t)})"
    ),
    max_leaves=4,
)


@pytest.fixture(scope="module")
def frame() -> object:
    con = duckdb.connect()
    return con.sql(
        "SELECT 'C' || i AS customer_id, CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3.0 - 4 END AS a,"
        " (i * 37 % 11) - 5.0 AS b, CASE WHEN i % 5 = 0 THEN NULL ELSE 'x' || (i % 3) END AS s,"
        " i % 2 = 0 AS flag FROM range(40) t(i)"
    ).to_arrow_table()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # a long repr
@settings(max_examples=60, deadline=None)
@given(expression=rules)
def test_rendered_rules_evaluate_like_the_text(expression: str, frame: object) -> None:
    rule = check(expression, "rule", [*FRAME_COLUMNS, "customer_id"])
    got = evaluate_arrow(frame, {"r": rule})["r"]  # type: ignore[arg-type]
    plain = duckdb.connect()
    plain.register("t", frame)
    want = plain.execute(
        f"SELECT customer_id, coalesce(CAST(({expression}) AS BOOLEAN), false) FROM t"
    ).fetchall()
    assert got.to_dict() == dict(want)


@settings(max_examples=60, deadline=None)
@given(expression=rules, name=st.sampled_from(TABLE_FUNCTIONS), where=st.integers(0, 3))
def test_a_table_function_anywhere_is_refused(expression: str, name: str, where: int) -> None:
    call = f"(SELECT count(*) FROM {name}('/etc/passwd'))"
    parts = expression.split(" ")
    parts.insert(min(where, len(parts)), f"{call} > 0 AND")
    text = " ".join(parts) if where else f"{call} > 0 AND {expression}"
    with pytest.raises(ConfigError):
        check(text, "rule", [*FRAME_COLUMNS, "customer_id"])
