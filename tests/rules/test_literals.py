"""A rule comparing a text column with a value no row holds is named, with the values held."""

from __future__ import annotations

import warnings

import pyarrow as pa
import pytest

from cvm.rules import RuleWarning, check, evaluate_arrow, unseen_values

DATA = pa.table(
    {
        "customer_id": ["001", "002", "003"],
        "tier": ["gold", "silver", None],
        "country": pa.array(["US", "DE", "US"]).dictionary_encode(),
        "clv": [10.0, 20.0, 30.0],
    }
)


def _rules(**texts: str) -> dict:
    return {n: check(t, f"segment {n!r}", DATA.column_names) for n, t in texts.items()}


def test_each_unseen_value_is_named_once_with_what_exists() -> None:
    notes = unseen_values(
        DATA, _rules(a="tier = 'Gold'", b="country IN ('US', 'FR') AND clv > 5", c="'x' = tier")
    )
    assert notes == [
        "segment 'a': tier = 'Gold' matches no customer; tier holds 'gold', 'silver';"
        " did you mean gold?",
        "segment 'b': country = 'FR' matches no customer; country holds 'DE', 'US'",
        "segment 'c': tier = 'x' matches no customer; tier holds 'gold', 'silver'",
    ]


def test_values_that_occur_numbers_and_empty_tables_are_quiet() -> None:
    rules = _rules(a="tier = 'gold' OR country = 'DE'", b="clv > 15", c="tier <> 'bronze'")
    assert unseen_values(DATA, rules) == []
    assert unseen_values(DATA.slice(0, 0), _rules(a="tier = 'nope'")) == []


def test_evaluation_warns_and_still_answers() -> None:
    with pytest.warns(RuleWarning, match="tier = 'platinum' matches no customer"):
        held = evaluate_arrow(DATA, _rules(top="tier = 'platinum'"))
    assert held["top"].tolist() == [False, False, False]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evaluate_arrow(DATA, _rules(top="tier = 'gold'"))["top"].sum() == 1
