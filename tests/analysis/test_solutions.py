"""Bargaining solutions: theory on the pie, properties on random outcome sets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negsim.analysis.frontier import pareto_frontier
from negsim.analysis.outcomes import enumerate_outcomes, outcome_utilities
from negsim.analysis.solutions import (
    SOLUTIONS,
    egalitarian_point,
    egalitarian_score,
    kalai_smorodinsky_point,
    local_search,
    max_welfare_point,
    nash_point,
    nash_score,
    solve,
)
from tests.analysis.reference import brute_frontier

POINTS = {
    "nash": nash_point,
    "kalai_smorodinsky": kalai_smorodinsky_point,
    "egalitarian": egalitarian_point,
    "max_welfare": max_welfare_point,
}


def pie() -> tuple[np.ndarray, np.ndarray]:
    """Split of a pie: one issue, x = 0, 0.01, ..., 1; u1 = x, u2 = 1 - x."""
    x = np.arange(101) / 100
    tables = np.array([[x], [1 - x]])
    outcomes = enumerate_outcomes([101])
    return outcomes, outcome_utilities(tables, outcomes)


def test_pie_nash_with_an_outside_option_is_0_6() -> None:
    outcomes, u = pie()
    solution = nash_point(outcomes, u, [0.2, 0.0])
    assert solution.outcome.tolist() == [60]
    np.testing.assert_allclose(solution.utilities, [0.6, 0.4])


def test_pie_symmetric_solutions_all_split_in_half() -> None:
    outcomes, u = pie()
    for point in POINTS.values():
        if point is max_welfare_point:
            continue  # every split has welfare 1: a tie, resolved to the lowest index
        assert point(outcomes, u, [0.0, 0.0]).outcome.tolist() == [50]
    assert max_welfare_point(outcomes, u, [0.0, 0.0]).index == 0
    assert max_welfare_point(outcomes, u, [0.3, 0.3]).outcome.tolist() == [30]


def test_kalai_smorodinsky_follows_the_ideal() -> None:
    # Party 2 can get at most 0.5: KS gives both the same share of their ideal gains.
    x = np.arange(101) / 100
    u = np.c_[x, 0.5 * (1 - x)]
    ks = kalai_smorodinsky_point(np.arange(101)[:, None], u, [0.0, 0.0])
    assert ks.outcome.tolist() == [50]
    egal = egalitarian_point(np.arange(101)[:, None], u, [0.0, 0.0])
    assert egal.outcome.tolist() == [33]  # min(x, (1-x)/2) is largest at x = 1/3


def test_no_individually_rational_outcome_means_no_solution() -> None:
    outcomes, u = pie()
    for point in POINTS.values():
        assert point(outcomes, u, [0.6, 0.6]) is None


def test_frontier_argument_and_unknown_score() -> None:
    outcomes, u = pie()
    front = pareto_frontier(u)
    assert nash_point(outcomes, u, [0.2, 0.0], front).index == 60
    with pytest.raises(ValueError, match="unknown solution"):
        solve(outcomes, u, [0.0, 0.0], "utopia")


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    parties = draw(st.integers(2, 4))
    n = draw(st.integers(1, 40))
    u = draw(arrays(np.int64, (n, parties), elements=st.integers(0, 8))) / 8.0
    d = draw(arrays(np.int64, (parties,), elements=st.integers(0, 4))) / 8.0
    return u, d


@settings(max_examples=200, deadline=None)
@given(problems())
def test_solutions_are_individually_rational_frontier_points(problem) -> None:
    u, d = problem
    outcomes = np.arange(len(u))[:, None]
    rational = (u >= d).all(axis=1)
    front = set(brute_frontier(u).tolist())
    for name in SOLUTIONS:
        solution = solve(outcomes, u, d, name)
        if not rational.any():
            assert solution is None
            continue
        assert (solution.utilities >= d).all()
        assert solution.index in front
        np.testing.assert_array_equal(solution.utilities, u[solution.index])


@settings(max_examples=200, deadline=None)
@given(problems())
def test_solutions_maximise_their_scores_with_lowest_index_ties(problem) -> None:
    u, d = problem
    outcomes = np.arange(len(u))[:, None]
    rational = np.flatnonzero((u >= d).all(axis=1))
    if len(rational) == 0:
        return
    gains = u[rational] - d
    front = set(brute_frontier(u).tolist())
    scores = {
        "nash": np.prod(gains, axis=1),
        "egalitarian": gains.min(axis=1),
        "max_welfare": u[rational].sum(axis=1),
    }
    for name, score in scores.items():
        solution = solve(outcomes, u, d, name)
        assert np.isclose(score[rational == solution.index][0], score.max())
        best = [r for r, s in zip(rational, score, strict=True) if np.isclose(s, score.max())]
        assert solution.index == min(r for r in best if r in front)


@settings(max_examples=50, deadline=None)
@given(problems())
def test_solutions_are_deterministic(problem) -> None:
    u, d = problem
    outcomes = np.arange(len(u))[:, None]
    for name in SOLUTIONS:
        a, b = solve(outcomes, u, d, name), solve(outcomes, u.copy(), d.copy(), name)
        assert (a is None and b is None) or a.index == b.index


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000))
def test_local_search_climbs_within_the_bargaining_set(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tables = rng.dirichlet(np.ones(4), size=3)[:, :, None] * rng.random((3, 4, 3))
    allowed = np.ones((4, 3), dtype=bool)
    allowed[rng.integers(4), rng.integers(1, 3)] = False
    outcomes = np.array([o for o in enumerate_outcomes([3] * 4) if allowed[range(4), o].all()])
    u = outcome_utilities(tables, outcomes)
    d = np.quantile(u, 0.3, axis=0)
    start = outcomes[np.flatnonzero((u >= d).all(axis=1))[0]]
    for score in (nash_score, egalitarian_score):
        end = local_search(tables, allowed, start, d, score)
        assert allowed[range(4), end].all()
        end_u = outcome_utilities(tables, end[None])
        start_u = outcome_utilities(tables, start[None])
        assert (end_u >= d).all()
        assert score(end_u - d, end_u)[0] >= score(start_u - d, start_u)[0]
