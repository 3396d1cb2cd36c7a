"""The bargaining analysis: theory, exact against approximate, the flagship, deal quality."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.analysis.bargaining import (
    BargainingAnalysis,
    analyse,
    analyse_tables,
    deal_quality,
    utility_tables,
)
from negsim.analysis.frontier import distance_to_frontier
from negsim.analysis.solutions import SOLUTIONS
from negsim.formats.load import load_scenario
from negsim.scenario import parse_scenario
from tests.analysis.reference import random_scenario, random_tables
from tests.builders import small_scenario_data

PIE = np.array([[np.arange(101) / 100], [1 - np.arange(101) / 100]])
PIE_MASK = np.ones((1, 101), dtype=bool)


def same_analysis(a: BargainingAnalysis, b: BargainingAnalysis) -> None:
    """Frontier, bargaining set, ideal and solutions identical; ZOPA existence agrees."""
    np.testing.assert_array_equal(a.frontier_outcomes, b.frontier_outcomes)
    np.testing.assert_array_equal(a.frontier_utilities, b.frontier_utilities)
    np.testing.assert_array_equal(a.bargaining_outcomes, b.bargaining_outcomes)
    np.testing.assert_array_equal(a.ideal, b.ideal)
    for name in SOLUTIONS:
        x, y = a.solutions[name], b.solutions[name]
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_array_equal(x.outcome, y.outcome)
            assert x.index == y.index
    assert a.zopa.exists == b.zopa.exists


@pytest.mark.parametrize("method", ["exact", "approximate"])
def test_pie(method: str) -> None:
    result = analyse_tables(PIE, PIE_MASK, [0.2, 0.0], method=method)
    assert len(result.frontier_outcomes) == 101
    assert result.nash.outcome.tolist() == [60]
    np.testing.assert_allclose(result.nash.utilities, [0.6, 0.4])
    even = analyse_tables(PIE, PIE_MASK, [0.0, 0.0], method=method)
    for name in ("nash", "kalai_smorodinsky", "egalitarian"):
        assert even.solutions[name].outcome.tolist() == [50]
    assert even.zopa.exists and even.bargaining_error == 0.0


def test_scenario_wrapper_uses_required_parties_and_their_red_lines() -> None:
    data = small_scenario_data(n_parties=3, reservation=0.3)
    data["parties"]["p2"]["required"] = False
    data["parties"]["p2"]["red_lines"] = {"i0": ["o0"]}
    data["parties"]["p1"]["red_lines"] = {"i1": ["o2"]}
    scenario = parse_scenario(data)
    result = analyse(scenario)
    assert result.parties == ("p0", "p1")
    assert result.admissible_count == 3 * 2  # p1's red line counts, p2's does not
    assert result.reservations.tolist() == [0.3, 0.3]
    chosen = analyse(scenario, parties=["p2", "p0"])
    assert chosen.parties == ("p2", "p0") and chosen.admissible_count == 2 * 2
    with pytest.raises(KeyError, match="no party 'p9'"):
        analyse(scenario, parties=["p9"])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        analyse_tables(PIE, PIE_MASK, [0, 0], method="guess")
    with pytest.raises(ValueError, match="need tables"):
        analyse_tables(PIE, PIE_MASK, [0, 0, 0])
    with pytest.raises(ValueError, match="exceed"):
        analyse_tables(np.zeros((2, 30, 5)), np.ones((30, 5), bool), [0, 0], method="exact")


def test_above_the_limit_the_approximate_method_applies() -> None:
    scenario = random_scenario(1, n_parties=3, n_issues=4)
    assert analyse(scenario, limit=10).method == "approximate"
    assert analyse(scenario).method == "exact"


def test_no_admissible_outcome() -> None:
    forbidden = np.zeros((2, 1, 101), dtype=bool)
    forbidden[0, 0, :50] = True
    forbidden[1, 0, 50:] = True
    for method in ("exact", "approximate"):
        result = analyse_tables(PIE, PIE_MASK, [0, 0], forbidden, method=method)
        assert result.admissible_count == 0 and len(result.frontier_outcomes) == 0
        assert all(s is None for s in result.solutions.values())
        assert not result.zopa.exists and np.isnan(result.ideal).all()


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4), st.integers(2, 5))
def test_approximate_method_is_exact_when_nothing_is_thinned(seed, parties, issues) -> None:
    scenario = random_scenario(seed, n_parties=parties, n_issues=issues, options=(2, 5))
    exact = analyse(scenario, method="exact")
    approximate = analyse(scenario, method="approximate")
    assert approximate.frontier_error == 0.0 and approximate.bargaining_error == 0.0
    same_analysis(exact, approximate)


def test_analysis_is_deterministic() -> None:
    scenario = random_scenario(3, n_parties=4, n_issues=5)
    for method in ("exact", "approximate"):
        a, b = analyse(scenario, method=method), analyse(scenario, method=method)
        same_analysis(a, b)
        assert a.zopa == b.zopa


# Approximation error, measured on enumerable scenarios: 4 parties, 8 issues x 4 options (65,536
# outcomes), reservations at each party's median. The figures are in the module docstring of
# negsim.analysis.bargaining.
SEEDS = range(10)


@pytest.mark.parametrize("seed", SEEDS)
def test_approximation_with_the_default_cap_is_exact(seed: int) -> None:
    tables, mask, d = random_tables(seed, 4, 8, 4)
    exact = analyse_tables(tables, mask, d, method="exact")
    approximate = analyse_tables(tables, mask, d, method="approximate")
    assert approximate.frontier_error == 0.0
    same_analysis(exact, approximate)


@pytest.mark.parametrize("seed", SEEDS)
def test_approximation_error_with_every_partial_frontier_thinned(seed: int) -> None:
    tables, mask, d = random_tables(seed, 4, 8, 4)
    exact = analyse_tables(tables, mask, d, method="exact")
    rough = analyse_tables(tables, mask, d, method="approximate", cap=30)
    assert rough.frontier_error > 0 and rough.bargaining_error > 0
    # Nash product within 2% of the exact one.
    ratio = np.prod(rough.nash.utilities - d) / np.prod(exact.nash.utilities - d)
    assert 0.98 <= ratio <= 1.0 + 1e-12
    # Exact frontier points lie within 0.3 (Euclidean) of the found frontier.
    assert distance_to_frontier(exact.frontier_utilities, rough.frontier_utilities).max() <= 0.3
    # The additive bound holds: each exact point has a found point >= it minus the error.
    for found, error, points in (
        (rough.frontier_utilities, rough.frontier_error, exact.frontier_utilities),
        (rough.bargaining_utilities, rough.bargaining_error, exact.bargaining_utilities),
    ):
        gap = (points[:, None, :] - found[None, :, :]).max(axis=-1).min(axis=1)
        assert gap.max() <= error + 1e-12
    for name in ("egalitarian", "max_welfare"):
        assert rough.solutions[name] is not None


@pytest.mark.slow
def test_flagship() -> None:
    scenario = load_scenario("ukraine_2025")
    result = analyse(scenario)
    assert result.method == "exact"
    assert result.parties == ("us", "russia", "ukraine", "europe")
    assert (result.outcome_count, result.admissible_count) == (12_582_912, 663_552)
    assert (len(result.frontier_outcomes), len(result.bargaining_outcomes)) == (1824, 620)
    assert result.zopa.count == 58_005
    gains = result.egalitarian.utilities - result.reservations
    assert gains.min() >= 0.08  # the calibration note of the scenario file
    approximate = analyse(scenario, method="approximate")
    same_analysis(result, approximate)
    low, high = approximate.zopa.interval
    assert low <= result.zopa.share <= high


def test_deal_quality() -> None:
    result = analyse_tables(PIE, PIE_MASK, [0.2, 0.0])
    deals = np.array([[60], [30], [100], [-1]])
    to_front, to_nash = result.quality(PIE, deals)
    np.testing.assert_allclose(to_front[:3], 0.0, atol=1e-15)
    np.testing.assert_allclose(to_nash[:3], np.sqrt(2) * np.array([0.0, 0.3, 0.4]))
    assert np.isnan(to_front[3]) and np.isnan(to_nash[3])
    per_deal = np.repeat(PIE[None], len(deals), axis=0)  # one table per deal: same answer
    again = deal_quality(per_deal, deals, [0.2, 0.0], result.frontier_utilities, [0.6, 0.4])
    np.testing.assert_allclose(again[0], to_front)
    _, none = deal_quality(PIE, deals, None, result.frontier_utilities, None)
    assert np.isnan(none).all()


def test_deal_quality_measures_to_the_bargaining_set() -> None:
    t = np.array([[[0.0, 0.5, 1.0, 0.2]], [[1.0, 0.5, 0.0, 0.2]]])
    front = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    deals = np.array([[0], [3]])
    whole, _ = deal_quality(t, deals, None, front, None)
    rational, _ = deal_quality(t, deals, [0.4, 0.4], front, None)
    assert whole[0] == 0.0 and rational[0] == pytest.approx(np.sqrt(0.5))
    assert rational[1] == pytest.approx(np.sqrt(0.18))
    fallback, _ = deal_quality(t, deals, [0.9, 0.9], front, None)  # none rational: whole
    np.testing.assert_array_equal(fallback, whole)


def test_summary_is_plain() -> None:
    summary = analyse(parse_scenario(small_scenario_data(reservation=0.4))).summary()
    assert summary["method"] == "exact" and summary["zopa_exists"] is True
    assert summary["nash"] == {"p0": 0.5, "p1": 0.5}
    assert utility_tables(parse_scenario(small_scenario_data())).shape == (2, 2, 3)
