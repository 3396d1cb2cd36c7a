"""Per-replication deal quality against exact enumeration on small scenarios."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.analysis.replication_quality import deal_distances, supported_utilities, weight_grid


def _random_tables(seed: int, rows: int, parties: int, issues: int, options: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(issues), size=(rows, parties))
    values = rng.random((rows, parties, issues, options))
    return weights[..., None] * values


def _all_utilities(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    _, issues, options = table.shape
    outcomes = np.array(list(itertools.product(range(options), repeat=issues)))
    util = table[:, np.arange(issues)[None, :], outcomes].sum(axis=-1).T  # (N, P)
    return outcomes, util


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 4))
def test_supported_outcomes_are_pareto_optimal(seed: int, parties: int) -> None:
    tables = _random_tables(seed, 3, parties, 4, 3)
    allowed = np.ones((4, 3), dtype=bool)
    supported = supported_utilities(tables, allowed, weight_grid(parties, 3))
    for r in range(3):
        _, util = _all_utilities(tables[r])
        for point in supported[r]:
            dominated = (util >= point - 1e-12).all(axis=1) & (util > point + 1e-12).any(axis=1)
            assert not dominated.any()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 3))
def test_distances_are_zero_at_the_nash_point_and_bounded_below_elsewhere(
    seed: int, parties: int
) -> None:
    rows, issues, options = 4, 4, 3
    tables = _random_tables(seed, rows, parties, issues, options)
    reservations = np.zeros((rows, parties))
    allowed = np.ones((issues, options), dtype=bool)
    rng = np.random.default_rng(seed)
    nash_deals, random_deals, exact_gap = [], [], []
    for r in range(rows):
        outcomes, util = _all_utilities(tables[r])
        nash_deals.append(outcomes[np.prod(util, axis=1).argmax()])
        pick = outcomes[rng.integers(len(outcomes))]
        random_deals.append(pick)
        point = util[(outcomes == pick).all(axis=1)][0]
        better = (util >= point - 1e-12).all(axis=1) & (util > point + 1e-12).any(axis=1)
        exact_gap.append(np.linalg.norm(util[better] - point, axis=1).min() if better.any() else 0)
    to_pareto, to_nash = deal_distances(tables, allowed, np.array(nash_deals), reservations)
    np.testing.assert_allclose(to_pareto, 0.0, atol=1e-12)  # the Nash point is efficient
    np.testing.assert_allclose(to_nash, 0.0, atol=1e-12)
    estimate, _ = deal_distances(tables, allowed, np.array(random_deals), reservations)
    for found, exact in zip(estimate, exact_gap, strict=True):
        if exact == 0:
            assert found == 0  # an efficient deal is never called dominated
        else:
            assert found == 0 or found >= exact - 1e-12  # never closer than the nearest truth


def test_weight_grid_lies_on_the_simplex() -> None:
    grid = weight_grid(4, 4)
    assert len(grid) == 35
    np.testing.assert_allclose(grid.sum(axis=1), 1.0)
    assert (grid >= 0).all()
