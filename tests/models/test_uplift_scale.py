"""Qini and AUUC on scikit-uplift's normalised scale, pinned to an independent computation.

The reference below follows scikit-uplift 0.5's documented definitions (``sklift.metrics``:
``qini_curve``, ``perfect_qini_curve``, ``qini_auc_score``, ``uplift_curve``,
``perfect_uplift_curve``, ``uplift_auc_score``), written out point by point: at each distinct
predicted uplift (highest first, ties together) the curve is evaluated on everyone scored at
or above it; the score is (area under the model's curve - area under the chord from (0, 0) to
the last point of the perfect curve) / (the perfect curve's area - that chord's), with the
areas by the trapezoid rule.
"""

from __future__ import annotations

import numpy as np
import pytest

from cvm.models.uplift_evaluation import qini_auc_score, uplift_auc_score


def _points(y, t, score, kind):
    xs, vs = [0.0], [0.0]
    for cut in sorted(set(score.tolist()), reverse=True):
        top = score >= cut
        nt, nc = float(np.sum(top & (t == 1))), float(np.sum(top & (t == 0)))
        yt, yc = float(np.sum(y[top & (t == 1)])), float(np.sum(y[top & (t == 0)]))
        if kind == "qini":
            value = yt - (yc * nt / nc if nc else 0.0)
        else:
            value = ((yt / nt if nt else 0.0) - (yc / nc if nc else 0.0)) * (nt + nc)
        xs.append(float(top.sum()))
        vs.append(value)
    return np.array(xs), np.array(vs)


def _area(x, v):
    return float(sum((x[i + 1] - x[i]) * (v[i + 1] + v[i]) / 2 for i in range(len(x) - 1)))


def _reference(y, t, score, kind):
    if kind == "qini":
        perfect = _points(y, t, y * t - y * (1 - t), "qini")
    else:
        cr = np.sum((y == 1) & (t == 0))
        tn = np.sum((y == 0) & (t == 1))
        summand = y if cr > tn else t
        perfect = _points(y, t, 2 * (y == t) + summand, "uplift")
    chord = perfect[0][-1] * perfect[1][-1] / 2
    return (_area(*_points(y, t, score, kind)) - chord) / (_area(*perfect) - chord)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_match_the_reference_definition(seed):
    rng = np.random.default_rng(seed)
    n = 600
    x = rng.random(n)
    t = (rng.random(n) < 0.4).astype(int)
    y = (rng.random(n) < 0.2 + 0.3 * t * x).astype(float)
    score = np.round(x + rng.normal(0, 0.3, n), 1)  # rounded: many ties
    arms = np.where(t == 1, "mail", "holdout")
    for kind, ours in (("qini", qini_auc_score), ("uplift", uplift_auc_score)):
        expected = _reference(y, t, score, kind)
        got = ours(y, arms, score, control="holdout", treated="mail")
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert 0 < got < 1  # an informative ranking: above random, below perfect


def test_perfect_and_a_third_arm():
    y = np.array([1, 1, 0, 0, 1, 0, 0, 1, 0, 0], dtype=float)
    arm = np.array(["t", "t", "t", "t", "c", "c", "c", "c", "other", "other"])
    t = (arm == "t").astype(float)
    oracle = y * t - y * (1 - t)
    assert qini_auc_score(y, arm, oracle, control="c", treated="t") == pytest.approx(1.0)
    # rows of a third arm never enter the t-vs-c score
    keep = arm != "other"
    assert qini_auc_score(y, arm, y * 0 + np.arange(10), control="c", treated="t") == (
        pytest.approx(_reference(y[keep], t[keep], np.arange(10.0)[keep], "qini"))
    )
