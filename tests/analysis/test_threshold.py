"""Threshold estimation: the fit finds a known crossing, its interval covers it 95% of the time,
the adaptive search stops for a stated reason, and what cannot be located is one line."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from negsim.analysis.threshold import (
    Search,
    ThresholdError,
    estimate,
    logistic_fit,
    out_of_order,
)

Curve = Callable[[Any], Any]
TRUE = 0.6  # the crossing of the synthetic curves
SLOPE = -10.0  # logit per unit: the flagship's curve near its crossing falls about this fast


def logistic(x: np.ndarray) -> np.ndarray:
    """A falling logistic curve through 0.5 at TRUE."""
    return 1 / (1 + np.exp(-SLOPE * (np.asarray(x) - TRUE)))


def skewed(x: np.ndarray) -> np.ndarray:
    """A falling curve that is not logistic (a Gumbel tail): a fit over the whole range is off."""
    return np.exp(-np.exp((np.asarray(x) - 0.6) / 0.05))


SKEWED_TRUE = 0.6 + 0.05 * math.log(math.log(2))


def run(search: Search, curve: Curve, rng: np.random.Generator, n: int = 200) -> Search:
    """Drive `search` on binomial counts of `curve` until it stops."""
    values = search.first()
    while values:
        for x in values:
            search.add(x, int(rng.binomial(n, curve(x))), n)
        values = search.step()
    return search


def test_the_fit_recovers_a_known_logistic_curve_from_exact_shares() -> None:
    x = np.linspace(0.4, 0.8, 9)
    n = np.full(9, 10**6)
    a, b, _ = logistic_fit(x, n * logistic(x), n)  # type: ignore[misc]
    assert b == pytest.approx(SLOPE, rel=1e-6)
    assert a == pytest.approx(-SLOPE * TRUE, rel=1e-6)


def test_the_estimate_recovers_a_known_threshold_from_seeded_counts() -> None:
    # 9 points of 2,000 replications: the standard error is about 0.0017, so 0.01 is about 6 of
    # them; the interval must hold the truth and be narrower than 0.02 either side
    rng = np.random.default_rng(11)
    x = np.linspace(0.4, 0.8, 9)
    n = np.full(9, 2000)
    fit = estimate(x, rng.binomial(n, logistic(x)), n, 0.5, (0.2, 0.9))
    assert abs(fit.threshold - TRUE) < 0.01
    assert fit.low <= TRUE <= fit.high
    assert fit.half_width < 0.02 and not fit.separated


def test_the_estimate_finds_a_rising_curve_and_other_levels() -> None:
    rng = np.random.default_rng(3)
    x = np.linspace(0.0, 1.0, 11)
    n = np.full(11, 3000)
    truth = 0.5 + math.log(0.8 / 0.2) / 8  # logit p = 8 (x - 0.5) reaches 0.8 here
    k = rng.binomial(n, 1 / (1 + np.exp(-8 * (x - 0.5))))
    fit = estimate(x, k, n, 0.8, (0.0, 1.0))
    assert fit.slope > 0 and fit.low <= truth <= fit.high and abs(fit.threshold - truth) < 0.02


@pytest.mark.slow
def test_the_interval_covers_the_truth_in_95_percent_of_seeded_repetitions() -> None:
    # 2,000 repetitions: the coverage's Monte Carlo standard error is 0.005, so +-0.025 is five
    # of them; a fixed design of 7 points of 150 replications, few enough that the interval is
    # wide and asymmetric
    rng = np.random.default_rng(2024)
    x = np.linspace(0.45, 0.75, 7)
    n = np.full(7, 150)
    covered = [
        (fit := estimate(x, rng.binomial(n, logistic(x)), n, 0.5, (0.2, 0.9))).low
        <= TRUE
        <= fit.high
        for _ in range(2000)
    ]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.025)


@pytest.mark.slow
def test_the_search_finds_a_threshold_on_a_curve_that_is_not_logistic() -> None:
    # the local fit must not take the shape of the whole range: 200 seeded searches on a Gumbel
    # tail stop on the tolerance, spend a few thousand negotiations, and cover the truth at
    # least 90% of the time (the Monte Carlo standard error at 95% is 0.015: 0.90 is 3 of them)
    rng = np.random.default_rng(5)
    searches = [run(Search(0.2, 0.8), skewed, rng) for _ in range(200)]
    assert {s.stop for s in searches} == {"tolerance"}
    assert all(s.fit is not None and s.fit.half_width <= 0.01 for s in searches)
    assert np.mean([s.spent for s in searches]) < 5000
    covered = [s.fit.low <= SKEWED_TRUE <= s.fit.high for s in searches if s.fit is not None]
    assert np.mean(covered) >= 0.90


def test_a_search_places_its_next_points_inside_the_range_around_the_estimate() -> None:
    search = Search(0.2, 0.8, points=5)
    assert search.first() == pytest.approx([0.2, 0.35, 0.5, 0.65, 0.8])
    rng = np.random.default_rng(1)
    for x in search.first():
        search.add(x, int(rng.binomial(200, logistic(x))), 200)
    values = search.step()
    assert len(values) == 5 and search.fit is not None
    assert min(values) >= 0.2 and max(values) <= 0.8
    assert min(values) < search.fit.threshold < max(values)


def test_a_search_stops_at_its_budget_and_says_so() -> None:
    search = run(Search(0.2, 0.8, tolerance=0.001, budget=3000), logistic, np.random.default_rng(2))
    assert search.stop == "budget" and search.spent <= 3000
    assert search.result()["stopped"] == "budget"
    assert search.result()["threshold"] == pytest.approx(TRUE, abs=0.03)


def test_whole_numbers_stop_when_the_level_falls_between_two_neighbours() -> None:
    def step(x: float) -> float:
        return 1.0 if x <= 12 else 0.0

    search = run(Search(1, 30, whole=True), step, np.random.default_rng(0))
    assert search.stop == "resolution"
    assert search.fit is not None and (search.fit.low, search.fit.high) == (12, 13)
    assert all(float(x).is_integer() for x in search.x)


def _first_stage_error(curve: Curve, low: float = 0.2, high: float = 0.8, n: int = 400) -> str:
    search = Search(low, high, name="ukraine.reservation")
    rng = np.random.default_rng(0)
    for x in search.first():
        search.add(x, int(rng.binomial(n, curve(x))), n)
    with pytest.raises(ThresholdError) as caught:
        search.step()
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_level_never_crossed_is_one_line_with_the_odds_at_both_ends() -> None:
    message = _first_stage_error(logistic, 0.2, 0.4)
    assert "never crosses 0.5 for ukraine.reservation in [0.2, 0.4]" in message
    assert "stays above it" in message and "at 0.2 and" in message and "at 0.4" in message


def test_a_curve_that_rises_then_falls_is_one_line() -> None:
    message = _first_stage_error(
        lambda x: 0.1 + 0.8 * np.exp(-(((np.asarray(x) - 0.5) / 0.12) ** 2))
    )
    assert "is not monotone in ukraine.reservation" in message


def test_too_few_replications_is_one_line() -> None:
    with pytest.raises(ThresholdError, match="replications: 5 a point are too few"):
        Search(0.2, 0.8).add(0.5, 2, 5)


def test_points_out_of_order_only_beyond_chance() -> None:
    x = np.array([0.1, 0.2, 0.3])
    n = np.array([1000, 1000, 1000])
    assert out_of_order(x, np.array([900, 880, 500]), n, -1.0) is None
    assert out_of_order(x, np.array([500, 880, 500]), n, -1.0) == (0, 1)
