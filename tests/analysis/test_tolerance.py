"""The analysis and the engine agree on ties: one tolerance for acceptance, ZOPA and frontiers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negsim.analysis.bargaining import analyse_tables
from negsim.analysis.frontier import issue_wise_frontier, pareto_frontier
from negsim.analysis.outcomes import admissible_outcomes, outcome_utilities
from negsim.analysis.solutions import nash_point
from negsim.analysis.zopa import estimate_zopa, zopa
from negsim.strategies.acceptance import accepts
from negsim.utility import TOLERANCE
from tests.analysis.reference import brute_frontier

TIE = 0.7 - 0.2  # 0.49999999999999994 in floating point


def test_the_tie_is_a_rounding_of_one_half() -> None:
    assert TIE == 0.49999999999999994 and TIE < 0.5


def test_an_outcome_worth_its_reservation_less_rounding_is_in_the_zopa() -> None:
    z = zopa([[TIE, 0.6], [0.3, 0.9]], [0.5, 0.5])
    assert z.exists and z.count == 1
    assert not zopa([[0.5 - 2 * TOLERANCE, 0.6]], [0.5, 0.5]).exists  # beyond the tolerance
    tables = np.array([[[0.7, 0.3]], [[0.6, 0.9]]]) - np.array([[[0.2, 0.0]], [[0.0, 0.0]]])
    estimate = estimate_zopa(tables, np.ones((1, 2), bool), [0.5, 0.5], samples=2000, rng=0)
    assert estimate.exists and 0.4 < estimate.share < 0.6  # option 0, worth TIE to party 0


def test_the_tie_is_in_the_bargaining_set_and_can_be_the_nash_point() -> None:
    tables = np.array([[[0.7, 0.3]], [[0.6, 0.9]]]) - np.array([[[0.2, 0.0]], [[0.0, 0.0]]])
    result = analyse_tables(tables, np.ones((1, 2), bool), [0.5, 0.5])
    assert result.zopa.count == 1
    assert result.bargaining_outcomes.tolist() == [[0]]
    assert result.nash is not None and result.nash.outcome.tolist() == [0]
    points = np.array([[TIE, 0.6], [0.3, 0.9]])
    assert nash_point(np.array([[0], [1]]), points, [0.5, 0.5]).index == 0
    rough = analyse_tables(tables, np.ones((1, 2), bool), [0.5, 0.5], method="approximate")
    assert rough.bargaining_outcomes.tolist() == [[0]]


@settings(max_examples=300, deadline=None)
@given(
    st.floats(0.0, 1.0),
    st.sampled_from([0.0, 1e-16, -1e-16, -5.6e-17, 5e-10, -5e-10, -9.9e-10, -1.1e-9, 2e-9, -2e-9]),
    st.floats(0.0, 1.0),
)
def test_acceptance_and_zopa_agree(reservation: float, shift: float, target: float) -> None:
    """An offer the responder accepts at its reservation is in the ZOPA, and only such offers."""
    utility = reservation + shift
    accepted = accepts(
        np.array([utility]),
        np.array([min(target, reservation)]),
        np.array([reservation]),
        np.array([False]),
    )[0]
    assert accepted == zopa([[utility]], [reservation]).exists


def test_frontier_points_a_rounding_apart_are_one_point() -> None:
    u = np.array([[0.5, 0.3, 0.2], [0.5 + 1e-13, 0.3 - 1e-13, 0.2], [0.1, 0.9, 0.0]])
    assert pareto_frontier(u).tolist() == [0, 2]
    assert pareto_frontier(u[[1, 0, 2]]).tolist() == [0, 2]  # the first of them is kept
    two = np.array([[0.3 + 0.4, 0.1], [0.7, 0.1 + 1e-13], [0.2, 0.9]])
    assert pareto_frontier(two).tolist() == [1, 2]  # (0.7, 0.1 + 1e-13) beats it exactly
    assert pareto_frontier([[0.4, 0.6], [0.4 - 1e-13, 0.6 + 1e-13]]).tolist() == [0]


def test_a_near_tie_does_not_keep_a_dominated_point() -> None:
    # (0.229, 0.8) would stay on an exact frontier only because 0.229 - 2.8e-17 < 0.229.
    u = np.array([[0.229, 0.8], [0.229 - 2.8e-17, 0.9], [0.5, 0.1]])
    assert pareto_frontier(u).tolist() == [1, 2]
    # Within the tolerance on one axis, better by more on another: dominated, for 3 parties too.
    assert pareto_frontier([[0.5, 0.3, 0.4], [0.5 - 5e-10, 0.4, 0.4]]).tolist() == [1]


def test_the_issue_wise_frontier_settles_ties_as_the_enumeration_does() -> None:
    # Short decimals: 0.1 + 0.2 and 0.3 differ by one rounding.
    tables = np.array([[[0.1, 0.3, 0.0], [0.2, 0.0, 0.1]], [[0.2, 0.1, 0.4], [0.1, 0.3, 0.0]]])
    allowed = np.ones((2, 3), dtype=bool)
    outcomes = admissible_outcomes(allowed)
    u = outcome_utilities(tables, outcomes)
    found, _, delta = issue_wise_frontier(tables, allowed)
    assert delta == 0.0
    np.testing.assert_array_equal(found, outcomes[pareto_frontier(u)])


@st.composite
def near_ties(draw: st.DrawFn) -> np.ndarray:
    """Points of a coarse grid, many nudged by less than the tolerance or by a little more."""
    parties = draw(st.integers(1, 4))
    n = draw(st.integers(0, 40))
    grid = draw(arrays(np.int64, (n, parties), elements=st.integers(0, 3))) / 3.0
    nudge = st.sampled_from([0.0, 0.0, 1e-16, -1e-16, 1e-13, -1e-13, 5e-10, -5e-10, 2e-9, -2e-9])
    return grid + draw(arrays(float, (n, parties), elements=nudge))


@settings(max_examples=300, deadline=None)
@given(near_ties())
def test_frontier_with_near_ties_matches_brute_force(u: np.ndarray) -> None:
    front = pareto_frontier(u)
    np.testing.assert_array_equal(front, brute_frontier(u))
    points = u[front]
    for i, point in enumerate(points):  # no two frontier points the same within 1e-12
        others = np.delete(points, i, axis=0)
        assert not (np.abs(others - point) <= 1e-12).all(axis=1).any()
