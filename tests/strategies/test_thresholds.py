"""Acceptance thresholds learned from answers: what each answer tells, and what it does not."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.strategies.thresholds import _PRIOR, _STEP, ThresholdModel

# One party, one replication, two issues of three options; estimated values 0, 0.25, 0.5 each.
TABLE = np.array([[[0.0, 0.25, 0.5], [0.0, 0.25, 0.5]]])  # (R=1, I, K)
ROW = np.array([0])
PARTY = np.array([0])


def _model() -> ThresholdModel:
    return ThresholdModel(n_parties=1, replications=1, n_issues=2, memory=3)


def _answer(model: ThresholdModel, offer: list[int], yes: bool, round_: int, red: bool = False):
    model.observe_answers(
        0, ROW, np.array([offer]), np.array([yes]), np.array([red]), round_, TABLE
    )


def _threshold(model: ThresholdModel) -> float:
    return float(model.thresholds(PARTY, ROW, TABLE[None])[0, 0])


def test_no_answer_gives_the_common_prior() -> None:
    assert _threshold(_model()) == _PRIOR


def test_an_acceptance_is_an_upper_bound_and_a_rejection_a_lower_one() -> None:
    model = _model()
    _answer(model, [2, 1], yes=True, round_=1)  # worth 0.75
    assert _threshold(model) == 0.75
    _answer(model, [1, 0], yes=False, round_=2)  # worth 0.25: the threshold lies above it
    assert _threshold(model) == 0.25 + _STEP
    _answer(model, [2, 2], yes=False, round_=3)  # worth 1.0, above the acceptance: it rose
    assert _threshold(model) == 1.0 + _STEP


def test_the_strongest_recent_evidence_is_kept_until_it_is_old() -> None:
    model = _model()
    _answer(model, [2, 1], yes=False, round_=1)  # 0.75 rejected
    _answer(model, [0, 0], yes=False, round_=2)  # a weaker rejection tells less: kept 0.75
    assert _threshold(model) == 0.75 + _STEP
    _answer(model, [0, 1], yes=False, round_=4)  # three rounds on, the old one expires
    assert _threshold(model) == 0.25 + _STEP


def test_a_rejection_naming_a_red_line_tells_nothing_about_the_threshold() -> None:
    model = _model()
    _answer(model, [2, 2], yes=False, round_=1, red=True)
    assert _threshold(model) == _PRIOR


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.booleans()), max_size=12))
def test_the_estimate_never_exceeds_an_acceptance_newer_than_every_rejection(answers) -> None:
    model = _model()
    for round_, (a, b, yes) in enumerate(answers, start=1):
        _answer(model, [a, b], yes=yes, round_=round_)
    estimate = _threshold(model)
    if answers and answers[-1][2]:
        last = TABLE[0, 0, answers[-1][0]] + TABLE[0, 1, answers[-1][1]]
        assert estimate <= last + 1e-12
    assert np.isfinite(estimate)
