"""ZOPA: exact counts against brute force, Monte-Carlo estimates against exact counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.analysis.bargaining import analyse, utility_tables
from negsim.analysis.outcomes import outcome_count
from negsim.analysis.zopa import estimate_zopa, zopa
from tests.analysis.reference import brute_outcomes, brute_utilities, random_scenario


def brute_count(scenario) -> int:
    """Outcomes crossing no red line of a required party and worth the reservation to all."""
    tables = utility_tables(scenario)
    count = 0
    for outcome, u in zip(
        outcomes := brute_outcomes(scenario.n_options.tolist()),
        brute_utilities(tables, outcomes),
        strict=True,
    ):
        crosses = any(
            scenario.red_lines[p, i, k]
            for p in np.flatnonzero(scenario.required)
            for i, k in enumerate(outcome)
        )
        rational = all(u[p] >= scenario.reservations[p] for p in np.flatnonzero(scenario.required))
        count += (not crosses) and rational
    return count


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_zopa_count_equals_brute_force(seed: int, parties: int) -> None:
    scenario = random_scenario(seed, n_parties=parties)
    result = analyse(scenario).zopa
    expected = brute_count(scenario)
    assert result.count == expected and result.exists == (expected > 0)
    assert result.size_exact and result.samples == 0
    assert result.share == pytest.approx(expected / outcome_count(scenario.n_options))


def test_zopa_counts_only_admissible_rows_and_uses_the_total() -> None:
    u = [[0.5, 0.5], [0.9, 0.1], [0.3, 0.6], [0.6, 0.6]]
    z = zopa(u, [0.3, 0.3], admissible=[True, True, True, False], total=8)
    assert (z.exists, z.count, z.share, z.interval) == (True, 2, 0.25, (0.25, 0.25))
    assert not zopa(u, [0.95, 0.95]).exists


@pytest.mark.parametrize("seed", range(6))
def test_estimate_interval_holds_the_exact_share(seed: int) -> None:
    scenario = random_scenario(seed, n_parties=3, n_issues=5, options=(3, 4))
    exact = analyse(scenario).zopa
    estimate = analyse(scenario, method="approximate", samples=20_000, rng=seed).zopa
    assert not estimate.size_exact and estimate.samples == 20_000
    low, high = estimate.interval
    assert low <= exact.share <= high
    assert estimate.exists == exact.exists


def test_estimate_is_deterministic_and_seeded() -> None:
    t = np.array([[[0.0, 0.5, 1.0]], [[1.0, 0.5, 0.0]]])
    mask = np.ones((1, 3), dtype=bool)
    a = estimate_zopa(t, mask, [0.4, 0.4], samples=5000)
    assert a == estimate_zopa(t, mask, [0.4, 0.4], samples=5000)
    assert a != estimate_zopa(t, mask, [0.4, 0.4], samples=5000, rng=1)
    gen = estimate_zopa(t, mask, [0.4, 0.4], samples=5000, rng=np.random.default_rng(0))
    assert gen == a
    forbidden = np.zeros((2, 1, 3), dtype=bool)
    forbidden[0, 0, 1] = True  # the only agreeable option is a red line
    assert not estimate_zopa(t, mask, [0.4, 0.4], forbidden, samples=5000).exists
