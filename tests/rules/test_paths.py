"""Every path that runs a user's rule goes through the guard and the locked database.

Segment rules, ``select`` (campaign ``--rule``), offer eligibility and boosts and
``cvm offers validate``: a hostile rule is refused with one line naming it, and a sentinel
file (a named pipe that notices any reader) is never opened.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sentinel import SECRET, fifo_sentinel
from test_guard import hostile
from typer.testing import CliRunner, Result

from cvm._exceptions import ConfigError, DataError
from cvm.cli import app
from cvm.rules import CheckedRule, evaluate_arrow
from cvm.segments import evaluate_rules, segment_table, select
from cvm.segments.settings import parse_rules
from cvm.workspace import Workspace
from handmade import add_customer, add_orders

AS_OF = "2024-06-30"


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    add_customer(workspace, "0042", "2024-01-01", country="GB", consent_email=True)
    add_orders(workspace, "0042", ["2024-01-05", "2024-03-05"], 400.0, "web")
    add_customer(workspace, "0043", "2024-01-01", country="12", consent_email=False)
    add_orders(workspace, "0043", ["2024-02-01"], 0.0, "store")
    return workspace


def test_no_hostile_rule_runs_on_the_workspace(ws: Workspace, tmp_path: Path) -> None:
    table = segment_table(ws, AS_OF, fit_clv=False)
    counts = ws.table_counts()
    with fifo_sentinel(tmp_path) as sentinel:
        corpus = hostile(sentinel.path)
        for expression in corpus:
            with pytest.raises(ConfigError) as refused:
                evaluate_rules(ws, parse_rules({"bad": {"where": expression}}), table=table)
            message = str(refused.value)
            assert message.startswith("segment 'bad': "), message
            assert SECRET not in message and "\n" not in message
    assert sentinel.opened == 0
    assert ws.table_counts() == counts  # nothing written, nothing dropped


def test_pivot_read_csv_does_not_leak_the_file(ws: Workspace, tmp_path: Path) -> None:
    with fifo_sentinel(tmp_path) as sentinel:
        rule = f"1 IN (FROM (PIVOT (SELECT * FROM read_csv('{sentinel.path}')) ON a))"
        with pytest.raises(ConfigError, match=r"segment 'bad': a subquery \(.*PIVOT.*read_csv"):
            evaluate_rules(ws, parse_rules({"bad": {"where": rule}}), AS_OF)
    assert sentinel.opened == 0


def test_glob_show_and_settings_are_refused_in_select(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "listed-secret-name.txt").write_text("x")
    for rule, named in [
        (f"len(glob('{tmp_path}/*')) > 0", "glob()"),
        ("SHOW TABLES", "SHOW"),
        ("current_setting('enable_external_access') = false", "current_setting()"),
        ("setseed(0.5) IS NULL AND clv > 0", "setseed()"),
    ]:
        with pytest.raises(ConfigError) as refused:
            select(ws, rule, AS_OF)
        message = str(refused.value)
        assert message.startswith(f"rule: {named} is not allowed"), message
        assert "listed-secret-name" not in message


def test_the_locked_database_reaches_no_file_even_past_the_guard(tmp_path: Path) -> None:
    # defence in depth: a rule that skipped the guard still finds no file and no setting
    data = duckdb.connect().sql("SELECT 'C1' AS customer_id, 1.0 AS clv").to_arrow_table()
    with fifo_sentinel(tmp_path) as sentinel:
        for sql in [
            f"(SELECT count(*) FROM read_csv('{sentinel.path}')) > 0",
            f"(SELECT count(*) FROM read_text('{sentinel.path}')) > 0",
            f"(SELECT count(*) FROM glob('{tmp_path}/*')) > 0",
        ]:
            rule = CheckedRule("segment 'x'", sql, sql, frozenset({"clv"}))
            with pytest.raises(DataError, match=r"segment 'x': .* failed on the customers' data"):
                evaluate_arrow(data, {"x": rule})
    assert sentinel.opened == 0
    setting = "current_setting('enable_external_access') = false"
    rule = CheckedRule("segment 'x'", setting, setting, frozenset())
    assert bool(evaluate_arrow(data, {"x": rule})["x"].iloc[0])  # it is off there


def test_a_rule_that_fails_on_the_data_names_it(ws: Workspace) -> None:
    rules = parse_rules({"numeric_country": {"where": "CAST(country AS INTEGER) > 1"}})
    with pytest.raises(DataError) as failed:
        evaluate_rules(ws, rules, AS_OF)
    message = str(failed.value)
    assert message.startswith("segment 'numeric_country': 'CAST(country AS INTEGER) > 1' failed")
    assert "GB" in message and "\n" not in message
    # TRY_CAST is the way to write it: the customer with a numeric country is found
    ok = parse_rules({"numeric_country": {"where": "TRY_CAST(country AS INTEGER) > 1"}})
    members = evaluate_rules(ws, ok, AS_OF)
    assert list(members.index[members["numeric_country"]]) == ["0043"]


def test_cli_segment_with_a_failing_rule_prints_one_line(ws: Workspace, runner: CliRunner) -> None:
    path = ws.path
    ws.close()
    with open(path / "cvm.toml", "a", encoding="utf-8") as f:
        f.write('\n[segments.rules.numeric]\nwhere = "CAST(country AS INTEGER) > 1"\n')
    result = runner.invoke(app, ["segment", "-w", str(path), "--as-of", AS_OF, "--no-churn"])
    assert result.exit_code == 1, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(
        result.exception, SystemExit
    )
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("error: segment 'numeric':"), result.output
    assert "failed on the customers' data" in lines[-1]


OFFERS = """
[[offers]]
id = "wb10"
kind = "win-back"
channel = "email"
unit_cost = 0.1
eligible = "clv > 0"
boosts = [{{ where = "{boost}", factor = 1.5 }}]
"""


@pytest.mark.parametrize("with_data", [False, True])
def test_offers_validate_refuses_before_touching_files(
    tmp_path: Path, runner: CliRunner, with_data: bool
) -> None:
    ws = Workspace.create(tmp_path / "ws")
    if with_data:
        add_customer(ws, "0042", "2024-01-01")
        add_orders(ws, "0042", ["2024-01-05", "2024-03-05"], 40.0)
    ws.close()
    with fifo_sentinel(tmp_path) as sentinel:
        boost = f"1 IN (FROM (PIVOT (SELECT * FROM read_csv('{sentinel.path}')) ON a))"
        with open(tmp_path / "ws" / "cvm.toml", "a", encoding="utf-8") as f:
            f.write(OFFERS.format(boost=boost))
        result = runner.invoke(app, ["offers", "validate", "-w", str(tmp_path / "ws")])
    assert sentinel.opened == 0
    assert result.exit_code == 1, result.output
    assert "offer 'wb10' boost 1: a subquery (" in result.output
    assert SECRET not in result.output


def test_offer_rules_decide_eligibility_and_boosts(ws: Workspace) -> None:
    from cvm.decide import parse_offers
    from cvm.decide.catalog import check_offers
    from cvm.decide.eligibility import rule_columns as _rule_columns

    offers = parse_offers(
        [
            {
                "id": "gb",
                "kind": "win-back",
                "channel": "email",
                "unit_cost": 0.1,
                "eligible": "country = 'GB'",
                "boosts": [
                    {"where": "revenue > 100", "factor": 2.0},
                    {"where": "consent_email", "factor": 1.5},
                ],
            },
            {"id": "all", "kind": "win-back", "channel": "email", "unit_cost": 0.1},
        ]
    )
    table = segment_table(ws, AS_OF, fit_clv=False)
    rules = check_offers(ws.engine, table, offers)
    cols = _rule_columns(ws, table, offers, rules).sort_index()
    assert cols["eligible_0"].to_dict() == {"0042": True, "0043": False}
    assert cols["context_0"].to_dict() == {"0042": 3.0, "0043": 1.0}
    assert cols["eligible_1"].all() and (cols["context_1"] == 1.0).all()


def test_campaign_create_refuses_a_hostile_rule(ws: Workspace, runner: CliRunner) -> None:
    path = str(ws.path)
    ws.close()

    def create(rule: str) -> Result:
        options = ["--starts", "2024-07-01", "--ends", "2024-07-07", "--channel", "email"]
        return runner.invoke(
            app, ["campaign", "create", "SPRING", *options, "--rule", rule, "-w", path]
        )

    result = create("len(glob('/root/*')) > 0")
    assert result.exit_code == 1, result.output
    assert "campaign 'SPRING' rule: glob() is not allowed" in result.output
    with Workspace.open(path, read_only=True) as again:
        assert again.table_counts()["campaigns"] == 0
    ok = create("country = 'GB' AND consent_email")
    assert ok.exit_code == 0, ok.output
