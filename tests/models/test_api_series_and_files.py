"""The models as a lifetimes user meets them: Series in and out, errors naming customers,
customers seen for no time (T = 0), and fitted models saved to and loaded from files."""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvm._exceptions import DataError
from cvm.models import (
    BaseModel,
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    ShiftedBetaGeometricModel,
    customer_lifetime_value,
)


@pytest.fixture(scope="module")
def summary(cdnow: pd.DataFrame) -> pd.DataFrame:
    """CDNOW in weeks, indexed by customer id with leading zeros, as a CRM export has them."""
    frame = cdnow.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary"})
    frame.index = pd.Index([f"{i:05d}" for i in frame["ID"]], name="customer_id")
    return frame[["frequency", "recency", "T", "monetary"]]


@pytest.fixture(scope="module")
def bg(summary: pd.DataFrame) -> BetaGeoModel:
    return BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
def test_predictions_are_series_on_the_input_index(cls: type, summary: pd.DataFrame) -> None:
    s = summary.iloc[::7]
    model = cls().fit(s["frequency"], s["recency"], s["T"])
    alive = model.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    ahead = model.conditional_expected_number_of_purchases_up_to_time(
        10, s["frequency"], s["recency"], s["T"]
    )
    for result in (alive, ahead):
        assert isinstance(result, pd.Series)
        assert result.index.equals(s.index)
    # the same numbers as from arrays, which stay arrays
    arrays = model.conditional_probability_alive(
        s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()
    )
    assert isinstance(arrays, np.ndarray)
    np.testing.assert_array_equal(arrays, alive.to_numpy())
    # a customer looked up by id gets her own value (not a neighbour's)
    one = s.index[3]
    single = model.conditional_probability_alive(
        [s.loc[one, "frequency"]], [s.loc[one, "recency"]], [s.loc[one, "T"]]
    )
    assert alive[one] == pytest.approx(single[0])


def test_spend_and_clv_are_series_too(summary: pd.DataFrame, bg: BetaGeoModel) -> None:
    buyers = summary[summary["frequency"] > 0]
    gg = GammaGammaModel().fit(buyers["frequency"], buyers["monetary"])
    spend = gg.conditional_expected_average_profit(buyers["frequency"], buyers["monetary"])
    assert isinstance(spend, pd.Series) and spend.index.equals(buyers.index)
    clv = customer_lifetime_value(
        bg, buyers["frequency"], buyers["recency"], buyers["T"], spend, time_units_per_year=52
    )
    assert isinstance(clv, pd.Series) and clv.index.equals(buyers.index)
    assert (clv > 0).all()


def test_a_data_error_names_the_customer_ids(summary: pd.DataFrame, bg: BetaGeoModel) -> None:
    bad = summary.copy()
    late = ["00003", "00042"]
    bad.loc[late, "recency"] = bad.loc[late, "T"] + 1
    bad.loc[late, "frequency"] = 2
    with pytest.raises(DataError, match=r"recency must be <= T.*for customers 00003, 00042$"):
        bg.conditional_probability_alive(bad["frequency"], bad["recency"], bad["T"])
    with pytest.raises(DataError, match=r"recency has missing .* for customer 00007$"):
        gap = summary["recency"].copy()
        gap["00007"] = np.nan
        BetaGeoModel().fit(summary["frequency"], gap, summary["T"])
    # positions only when there is nothing better to name
    with pytest.raises(DataError, match=r"at row 1$"):
        bg.conditional_probability_alive([1, 2], [1, 5], [2, 4])


def test_customers_seen_for_no_time_are_left_out_with_a_count(summary: pd.DataFrame) -> None:
    """lifetimes keeps T = 0 rows, which add exactly 0 to every likelihood here; cvm leaves
    them out with a warning counting them, so the fit equals the fit without them."""
    newcomers = pd.DataFrame(
        {"frequency": 0.0, "recency": 0.0, "T": 0.0, "monetary": 0.0},
        index=pd.Index(["90001", "90002", "90003"], name="customer_id"),
    )
    both = pd.concat([summary, newcomers])
    for cls in (BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel):
        with pytest.warns(UserWarning, match=r"3 customer\(s\) with T = 0"):
            model = cls().fit(both["frequency"], both["recency"], both["T"])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            alone = cls().fit(summary["frequency"], summary["recency"], summary["T"])
        np.testing.assert_allclose(model.params_, alone.params_, rtol=1e-6)
        assert model.n_obs_ == len(summary)
        # they are scored: alive (BG/NBD, Pareto/NBD) and the forecast of a new customer
        ahead = model.conditional_expected_number_of_purchases_up_to_time(
            26, newcomers["frequency"], newcomers["recency"], newcomers["T"]
        )
        fresh = model.expected_number_of_purchases_up_to_time(26)[0]
        if cls is not ModifiedBetaGeoModel:
            np.testing.assert_allclose(ahead, fresh, rtol=1e-6)
        assert (ahead > 0).all()
    with pytest.raises(DataError, match="T must be >= 0"):
        BetaGeoModel().fit([1, 0], [1, 0], [2, -1])


FITS = {
    BetaGeoModel: lambda s: BetaGeoModel().fit(s["frequency"], s["recency"], s["T"]),
    ModifiedBetaGeoModel: lambda s: ModifiedBetaGeoModel(penalizer=0.001).fit(
        s["frequency"], s["recency"], s["T"]
    ),
    ParetoNBDModel: lambda s: ParetoNBDModel().fit(s["frequency"], s["recency"], s["T"]),
    GammaGammaModel: lambda s: GammaGammaModel().fit(
        s.loc[s["frequency"] > 0, "frequency"], s.loc[s["frequency"] > 0, "monetary"]
    ),
    ShiftedBetaGeometricModel: lambda s: ShiftedBetaGeometricModel().fit_survival(
        [1000, 631, 468, 382, 326, 289, 262, 241]  # Fader and Hardie (2007), "regular"
    ),
}


@pytest.mark.parametrize("cls", list(FITS), ids=lambda c: c.__name__)
def test_save_and_load_give_the_same_model(
    cls: type, summary: pd.DataFrame, tmp_path: Path
) -> None:
    model = FITS[cls](summary)
    path = model.save(tmp_path / "model.json")
    record = json.loads(path.read_text(encoding="utf-8"))  # plain JSON, no pickle
    assert record["class"] == cls.__name__
    loaded = cls.load(path)
    assert type(loaded) is cls and loaded.penalizer == model.penalizer
    pd.testing.assert_series_equal(loaded.params_, model.params_)
    pd.testing.assert_frame_equal(loaded.summary(), model.summary())
    assert abs(loaded.BIC_ - model.BIC_) < 1e-9
    # the abstract base loads whichever class the file holds
    assert type(BaseModel.load(path)) is cls
    draws = loaded.sample_params(5, random_state=1)
    pd.testing.assert_frame_equal(draws, model.sample_params(5, random_state=1))


def test_a_loaded_model_predicts_the_same(summary: pd.DataFrame, tmp_path: Path) -> None:
    model = ParetoNBDModel().fit(summary["frequency"], summary["recency"], summary["T"])
    loaded = ParetoNBDModel.load(model.save(tmp_path / "pareto.json"))
    cols = summary["frequency"], summary["recency"], summary["T"]
    pd.testing.assert_series_equal(
        loaded.conditional_probability_alive(*cols), model.conditional_probability_alive(*cols)
    )
    np.testing.assert_array_equal(
        loaded.conditional_probability_alive_matrix(), model.conditional_probability_alive_matrix()
    )


def test_bgbb_round_trip(bgbb: BetaGeoBetaBinomModel, tmp_path: Path) -> None:
    loaded = BetaGeoBetaBinomModel.load(bgbb.save(tmp_path / "bgbb.json"))
    pd.testing.assert_series_equal(loaded.params_, bgbb.params_)


def test_wrong_or_damaged_files_are_one_clear_line(bg: BetaGeoModel, tmp_path: Path) -> None:
    saved = bg.save(tmp_path / "bg.json")
    with pytest.raises(DataError, match=r"holds a BetaGeoModel, not a ParetoNBDModel"):
        ParetoNBDModel.load(saved)
    pickled = tmp_path / "bg.pkl"
    pickled.write_bytes(pickle.dumps(bg))
    with pytest.raises(DataError, match=r"is not a saved cvm model \(not JSON\)"):
        BetaGeoModel.load(pickled)
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(DataError, match="is not a saved cvm model"):
        BetaGeoModel.load(other)
    record = json.loads(saved.read_text(encoding="utf-8"))
    record["params"] = record["params"][:2]
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(DataError, match="is a damaged saved model"):
        BetaGeoModel.load(cut)
    truncated = tmp_path / "truncated.json"
    truncated.write_text(saved.read_text(encoding="utf-8")[:100], encoding="utf-8")
    with pytest.raises(DataError, match="not JSON"):
        BetaGeoModel.load(truncated)
    with pytest.raises(DataError, match="cannot read the saved model"):
        BetaGeoModel.load(tmp_path / "missing.json")
    with pytest.raises(DataError) as caught:
        BetaGeoModel.load(pickled)
    assert "\n" not in str(caught.value)


def test_bgbb_predictions_follow_a_series_index(
    bgbb: BetaGeoBetaBinomModel, donations: pd.DataFrame
) -> None:
    d = donations.set_index(pd.Index([f"D{i:04d}" for i in range(len(donations))]))
    alive = bgbb.conditional_probability_alive(d["frequency"], d["recency"], d["periods"])
    ahead = bgbb.conditional_expected_number_of_purchases_up_to_time(
        5, d["frequency"], d["recency"], d["periods"]
    )
    for result in (alive, ahead):
        assert isinstance(result, pd.Series) and result.index.equals(d.index)
    plain = bgbb.conditional_probability_alive(
        d["frequency"].to_numpy(), d["recency"].to_numpy(), d["periods"].to_numpy()
    )
    np.testing.assert_array_equal(plain, alive.to_numpy())
