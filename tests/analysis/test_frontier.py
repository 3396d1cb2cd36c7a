"""Pareto frontiers: exact, by distance, thinned, and built issue by issue."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negsim.analysis.bargaining import utility_tables
from negsim.analysis.frontier import (
    distance_to_frontier,
    issue_wise_frontier,
    pareto_frontier,
    simplex_grid,
    supported_outcomes,
    thin_frontier,
)
from negsim.analysis.outcomes import (
    admissible_outcomes,
    allowed_options,
    outcome_utilities,
)
from negsim.utility import TOLERANCE
from tests.analysis.reference import brute_frontier, random_scenario


@st.composite
def point_sets(draw: st.DrawFn, max_points: int = 60) -> np.ndarray:
    """Utilities on a coarse grid (many ties and duplicates) or continuous, 1 to 5 parties."""
    parties = draw(st.integers(1, 5))
    n = draw(st.integers(0, max_points))
    if draw(st.booleans()):
        grid = arrays(np.int64, (n, parties), elements=st.integers(0, 3))
        return draw(grid) / 3.0
    return draw(arrays(float, (n, parties), elements=st.floats(0, 1, width=32)))


def dominated_or_same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each row of `b` is at least row `a` on every axis, shape (len(b),)."""
    return (b >= a).all(axis=1)


def test_pie_frontier_is_the_whole_line() -> None:
    x = np.arange(101) / 100
    assert len(pareto_frontier(np.c_[x, 1 - x])) == 101


def test_small_known_frontiers() -> None:
    u = [[0.2, 0.8, 0.1], [0.5, 0.5, 0.5], [0.4, 0.4, 0.4], [0.5, 0.5, 0.5], [0.2, 0.8, 0.0]]
    assert pareto_frontier(u).tolist() == [0, 1]
    assert pareto_frontier([[0.3], [0.7], [0.7]]).tolist() == [1]
    assert pareto_frontier(np.zeros((0, 3))).tolist() == []
    with pytest.raises(ValueError, match="finite"):
        pareto_frontier([[np.nan, 1.0]])


@settings(max_examples=200, deadline=None)
@given(point_sets())
def test_frontier_matches_brute_force(u: np.ndarray) -> None:
    np.testing.assert_array_equal(pareto_frontier(u), brute_frontier(u))


@settings(max_examples=200, deadline=None)
@given(point_sets())
def test_frontier_points_are_mutually_non_dominated_and_cover_the_rest(u: np.ndarray) -> None:
    front = pareto_frontier(u)
    points = u[front]
    for i, point in enumerate(points):
        others = np.delete(points, i, axis=0)
        assert not dominated_or_same(point, others).any()  # also: no duplicates kept
    for row in u:  # every point has a frontier point >= it, up to near-ties
        assert dominated_or_same(row - 1e-6, points).any()


@settings(max_examples=100, deadline=None)
@given(point_sets(), st.randoms(use_true_random=False))
def test_frontier_is_deterministic_and_order_free(u: np.ndarray, random) -> None:
    np.testing.assert_array_equal(pareto_frontier(u), pareto_frontier(u.copy()))
    order = np.array(random.sample(range(len(u)), len(u)), dtype=np.int64)
    shuffled = u[order]
    a = {tuple(r) for r in u[pareto_frontier(u)]}
    b = {tuple(r) for r in shuffled[pareto_frontier(shuffled)]}
    assert a == b


@pytest.mark.slow
def test_large_frontier_matches_brute_force_on_a_block_boundary() -> None:
    rng = np.random.default_rng(7)
    x = np.abs(rng.normal(size=(1500, 3)))
    x /= np.linalg.norm(x, axis=1, keepdims=True)  # all on a sphere: a big frontier
    u = np.vstack([x, x[:200] * 0.99, x[:100]])  # dominated copies and duplicates
    np.testing.assert_array_equal(pareto_frontier(u), brute_frontier(u))


@settings(max_examples=100, deadline=None)
@given(point_sets(max_points=40))
def test_distance_is_zero_on_the_frontier_and_positive_elsewhere(u: np.ndarray) -> None:
    front = u[pareto_frontier(u)]
    dist = distance_to_frontier(u, front)
    assert (dist >= 0).all()
    assert (distance_to_frontier(front, front) == 0).all()
    if len(front):
        brute = np.sqrt(((u[:, None, :] - front[None, :, :]) ** 2).sum(-1)).min(axis=1)
        np.testing.assert_allclose(dist, brute, atol=1e-12)


def test_distance_to_nothing_is_nan() -> None:
    assert np.isnan(distance_to_frontier([[0.1, 0.2]], np.zeros((0, 2)))).all()


@settings(max_examples=100, deadline=None)
@given(point_sets(), st.integers(1, 20))
def test_thinning_keeps_at_most_cap_and_loses_at_most_its_loss(u: np.ndarray, cap: int) -> None:
    front = u[pareto_frontier(u)]
    kept, loss = thin_frontier(front, cap)
    assert len(kept) <= cap and (len(kept) == len(front) or len(kept) >= 1)
    if len(front) <= cap:
        assert len(kept) == len(front) and loss == 0.0
    for point in front:  # every dropped point has a kept point within `loss` on every axis
        assert (front[kept] >= point - loss - 1e-12).all(axis=1).any()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4), st.booleans())
def test_issue_wise_frontier_equals_the_enumerated_one(seed: int, parties: int, floor: bool):
    scenario = random_scenario(seed, n_parties=parties, n_issues=4, options=(2, 5))
    tables = utility_tables(scenario)
    allowed = allowed_options(scenario.option_mask, scenario.red_lines)
    outcomes = admissible_outcomes(allowed)
    u = outcome_utilities(tables, outcomes)
    d = scenario.reservations if floor else None
    if floor:
        rational = (u >= d - TOLERANCE).all(axis=1)
        outcomes, u = outcomes[rational], u[rational]
    front = pareto_frontier(u)
    found, found_u, delta = issue_wise_frontier(tables, allowed, floor=d)
    assert delta == 0.0
    np.testing.assert_array_equal(found, outcomes[front])
    np.testing.assert_array_equal(found_u, u[front])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 12))
def test_thinned_issue_wise_frontier_keeps_its_error_bound(seed: int, cap: int) -> None:
    scenario = random_scenario(seed, n_parties=3, n_issues=5, options=(3, 4))
    tables = utility_tables(scenario)
    allowed = allowed_options(scenario.option_mask)
    u = outcome_utilities(tables, admissible_outcomes(allowed))
    exact = u[pareto_frontier(u)]
    _, found, delta = issue_wise_frontier(tables, allowed, cap=cap)
    for point in exact:  # the additive epsilon-indicator bound
        assert (found >= point - delta - 1e-9).all(axis=1).any()


def test_simplex_grid_rows_are_weights() -> None:
    grid = simplex_grid(4, 200)
    assert len(grid) <= 200 and len(grid) > 100
    np.testing.assert_allclose(grid.sum(axis=1), 1.0)
    assert (grid >= 0).all() and len(np.unique(grid, axis=0)) == len(grid)


@pytest.mark.parametrize("seed", range(5))
def test_supported_outcomes_maximise_their_weighted_sum(seed: int) -> None:
    scenario = random_scenario(seed, n_parties=3, n_issues=4)
    tables = utility_tables(scenario)
    allowed = allowed_options(scenario.option_mask, scenario.red_lines)
    every = outcome_utilities(tables, admissible_outcomes(allowed))
    found = outcome_utilities(tables, supported_outcomes(tables, allowed, size=50))
    assert np.isclose(found.sum(axis=1).max(), every.sum(axis=1).max())  # max welfare is among
    for lam in simplex_grid(3, 50):
        assert np.isclose((found @ lam).max(), (every @ lam).max())
