"""Per-replication deal quality: exact on small spaces (against brute force), a bound above."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.analysis.exact_quality import exact_deal_distances, grouped_frontier
from negsim.analysis.frontier import pareto_frontier, regular_simplex
from negsim.analysis.replication_quality import (
    EXACT_LIMIT,
    deal_distances,
    deal_options,
    quality_is_exact,
    supported_utilities,
)
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel
from negsim.results.summary import format_report, summarize
from negsim.scenario import Scenario, parse_scenario
from negsim.sweep.display import display_tables
from negsim.utility import TOLERANCE
from tests.analysis.reference import brute_frontier, brute_outcomes, brute_utilities


def buyer_seller(seller: dict[str, list[float]], buyer: dict[str, list[float]]) -> Scenario:
    """Two parties, seller and buyer, each with a weight and option values per issue."""
    options = {
        "price": ["high", "mid", "low"],
        "delivery": ["slow", "normal", "fast"],
        "warranty": ["none", "one_year", "three_years"],
    }
    options = {issue: options[issue] for issue in seller}

    def party(positions: dict[str, list[float]]) -> dict:
        return {
            "required": True,
            "reservation": 0.3,
            "strategy": "boulware",
            "positions": {
                issue: {"weight": weight, "values": dict(zip(options[issue], values, strict=True))}
                for issue, (weight, *values) in positions.items()
            },
        }

    return parse_scenario(
        {
            "name": "buyer_seller",
            "label": "A buyer and a seller",
            "issues": {issue: {"options": names} for issue, names in options.items()},
            "parties": {"seller": party(seller), "buyer": party(buyer)},
        }
    )


# Weight, then the value of each option: the seller wants a high price, slow delivery and no
# warranty, the buyer the opposite; both care most about the price.
SELLER = {
    "price": [0.6, 1.0, 0.6, 0.0],
    "delivery": [0.2, 1.0, 0.5, 0.0],
    "warranty": [0.2, 1.0, 0.7, 0.0],
}
BUYER = {
    "price": [0.6, 0.0, 0.5, 1.0],
    "delivery": [0.2, 0.0, 0.6, 1.0],
    "warranty": [0.2, 0.0, 0.4, 1.0],
}


def brute_quality(
    tables: np.ndarray,
    deal: np.ndarray,
    reservations: np.ndarray,
    allowed: np.ndarray | None = None,
) -> tuple:
    """Distances to the Pareto frontier and to the Nash point, by listing every outcome.

    Frontier: `brute_frontier` of all (allowed) outcomes; the distance is to its nearest point at
    least as good as the deal for every party (up to the tolerance). Nash: the individually
    rational outcome of largest product of gains (ties: the first), NaN when none is positive.
    """
    outcomes = brute_outcomes([tables.shape[2]] * tables.shape[1])
    if allowed is not None:
        outcomes = outcomes[allowed[np.arange(outcomes.shape[1]), outcomes].all(axis=1)]
    u = brute_utilities(tables, outcomes)
    d = brute_utilities(tables, deal[None])[0]
    front = u[brute_frontier(u)]
    beats = front[(front >= d - TOLERANCE).all(axis=1)]
    to_pareto = np.sqrt(((beats - d) ** 2).sum(axis=1)).min()
    gains = u - reservations
    product = np.where((gains >= -TOLERANCE).all(axis=1), np.clip(gains, 0, None).prod(axis=1), -1)
    top = product.max()
    nash = u[np.flatnonzero(product >= top - 1e-12 * abs(top))[0]]
    to_nash = np.sqrt(((nash - d) ** 2).sum()) if top > 0 else np.nan
    return to_pareto, to_nash


def test_buyer_seller_deals_are_dominated_and_measured_exactly() -> None:
    scenario = buyer_seller(SELLER, BUYER)
    model = NegotiationModel(scenario, replications=8, seed=0).run(progress=False)
    results = model.results()
    agreed = np.flatnonzero(results["outcome"] == "agreement")
    assert len(agreed) >= 4
    tables = np.stack([agent.table for agent in model.parties], axis=1)
    reservations = np.stack([agent.reservation for agent in model.parties], axis=1)
    expected = [brute_quality(tables[r], model.deal[r], reservations[r]) for r in agreed]
    reported = results.loc[agreed, ["distance_to_pareto", "distance_to_nash"]].to_numpy()
    np.testing.assert_allclose(reported, np.array(expected), rtol=0, atol=1e-12)
    # The engine settles on deals another outcome beats for both sides, e.g. (0.4, 0.6) by
    # (0.46, 0.62): the report must not call them efficient.
    assert (reported[:, 0] > 0.01).all()
    summary = summarize(results, scenario)
    assert summary["distance_to_pareto_exact"] and summary["distance_to_nash_exact"]
    assert summary["mean_distance_to_pareto"] == pytest.approx(reported[:, 0].mean())
    line = next(x for x in format_report(summary, scenario).splitlines() if "deal quality" in x)
    assert "(exact)" in line and "at least" not in line


def test_the_issue_example_in_one_issue() -> None:
    """(0.65, 0.30) is beaten by (0.70, 0.40), (0.30, 0.60) by (0.35, 0.70)."""
    seller, buyer = [0.65, 0.70, 0.30, 0.35], [0.30, 0.40, 0.60, 0.70]
    tables = np.array([[[seller], [buyer]]] * 2)  # (R, P, I, K): two replications, one issue
    allowed = np.ones((1, 4), dtype=bool)
    deals = np.array([[0], [2]])
    reservations = np.full((2, 2), 0.25)
    to_pareto, to_nash = deal_distances(tables, allowed, deals, reservations)
    np.testing.assert_allclose(to_pareto, np.hypot(0.05, 0.10))
    # Nash: (0.70, 0.40) has the largest product of gains over 0.25, 0.45 * 0.15.
    np.testing.assert_allclose(to_nash, [np.hypot(0.05, 0.10), np.hypot(0.40, 0.20)])
    bound, _ = deal_distances(tables, allowed, deals, reservations, exact_limit=0)
    np.testing.assert_allclose(bound, 0.05)  # the estimate: both gain at least 0.05


def test_flagship_distances_are_flagged_as_bounds() -> None:
    scenario = load_scenario("ukraine_2025")
    assert not quality_is_exact(deal_options(scenario))  # 663,552 admissible outcomes
    model = NegotiationModel(scenario, replications=40, seed=1).run(progress=False)
    summary = summarize(model.results(), scenario)
    assert summary["distance_to_pareto_exact"] is False
    assert summary["distance_to_nash_exact"] is False
    report = format_report(summary, scenario)
    assert "Pareto frontier at least" in report and "Nash point about" in report
    assert "a lower bound and an estimate" in report


def test_exactness_follows_the_number_of_admissible_outcomes() -> None:
    assert quality_is_exact(np.ones((11, 2), dtype=bool))  # 2048
    assert not quality_is_exact(np.ones((12, 2), dtype=bool))
    assert quality_is_exact(np.ones((12, 2), dtype=bool), limit=4096)
    per_row = np.ones((2, 11, 3), dtype=bool)
    per_row[0, :, 2] = False  # row 0: 2048 outcomes, row 1: 3^11
    assert not quality_is_exact(per_row)
    assert quality_is_exact(per_row[:1]) and EXACT_LIMIT == 2048


@st.composite
def batches(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random tables (R, P, I, K), some with short decimals (many ties), deals and floors."""
    seed = draw(st.integers(0, 2**32 - 1))
    rows, parties = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    issues, options = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(issues), size=(rows, parties))
    values = rng.random((rows, parties, issues, options))
    if draw(st.booleans()):  # weights and values of one or two decimals: sums tie
        weights, values = np.round(weights, 1), np.round(values * 4) / 4
    tables = weights[..., None] * values
    deals = rng.integers(options, size=(rows, issues))
    reservations = np.round(rng.random((rows, parties)) * 0.4, 2)
    allowed = np.ones((issues, options), dtype=bool)
    if draw(st.booleans()):  # red lines, row by row; each deal keeps its own options
        allowed = rng.random((rows, issues, options)) < 0.7
        allowed[np.arange(rows)[:, None], np.arange(issues)[None, :], deals] = True
    return tables, allowed, deals, reservations


@settings(max_examples=60, deadline=None)
@given(batches())
def test_exact_distances_equal_brute_force(batch) -> None:
    tables, allowed, deals, reservations = batch
    to_pareto, to_nash = deal_distances(tables, allowed, deals, reservations)
    for r in range(len(deals)):
        own = allowed if allowed.ndim == 2 else allowed[r]
        expected = brute_quality(tables[r], deals[r], reservations[r], own)
        np.testing.assert_allclose([to_pareto[r], to_nash[r]], expected, rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(batches())
def test_the_estimate_is_a_lower_bound(batch) -> None:
    tables, allowed, deals, reservations = batch
    exact, _ = deal_distances(tables, allowed, deals, reservations)
    bound, to_nash = deal_distances(tables, allowed, deals, reservations, exact_limit=0)
    assert (bound >= 0).all() and (bound <= exact + 1e-12).all()
    assert (bound[exact == 0] == 0).all()  # an efficient deal is never called dominated
    assert ((to_nash >= 0) | np.isnan(to_nash)).all()


def test_red_lines_per_row_are_respected() -> None:
    rng = np.random.default_rng(3)
    tables = rng.dirichlet(np.ones(3), size=(4, 2))[..., None] * rng.random((4, 2, 3, 3))
    allowed = np.ones((4, 3, 3), dtype=bool)
    allowed[1, 0, 2] = allowed[3, 2, 0] = False
    deals = np.array([[0, 1, 1]] * 4)
    reservations = np.zeros((4, 2))
    found = exact_deal_distances(tables, allowed, deals, reservations)
    for r in range(4):
        alone = exact_deal_distances(tables[r : r + 1], allowed[r], deals[r : r + 1], reservations)
        np.testing.assert_array_equal([found[0][r], found[1][r]], [alone[0][0], alone[1][0]])


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 4), st.booleans())
def test_grouped_frontier_is_each_groups_frontier(seed: int, parties: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    points = rng.random((60, parties))
    if ties:  # a coarse grid, and copies nudged by less than the tolerance
        points = np.round(points * 3) / 3
        points[::4] += rng.choice([0.0, 1e-13, -1e-13, 5e-10, -5e-10], size=(15, parties))
    groups = np.sort(rng.integers(4, size=60))
    found = grouped_frontier(points, groups)
    expected = [np.flatnonzero(groups == g)[pareto_frontier(points[groups == g])] for g in range(4)]
    np.testing.assert_array_equal(found, np.sort(np.concatenate(expected)))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 4))
def test_supported_outcomes_are_pareto_optimal(seed: int, parties: int) -> None:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(4), size=(3, parties))
    tables = weights[..., None] * rng.random((3, parties, 4, 3))
    allowed = np.ones((4, 3), dtype=bool)
    supported = supported_utilities(tables, allowed, regular_simplex(parties, 3))
    for r in range(3):
        util = brute_utilities(tables[r], np.array(list(itertools.product(range(3), repeat=4))))
        for point in supported[r]:
            dominated = (util >= point - 1e-12).all(axis=1) & (util > point + 1e-12).any(axis=1)
            assert not dominated.any()


def test_weight_grid_lies_on_the_simplex() -> None:
    grid = regular_simplex(4, 4)
    assert len(grid) == 35
    np.testing.assert_allclose(grid.sum(axis=1), 1.0)
    assert (grid >= 0).all()


def test_sweep_report_marks_estimated_distances() -> None:
    table = pd.DataFrame(
        {
            "x": [1, 2],
            "mean_distance_to_pareto": [0.0123, 0.05],
            "mean_distance_to_nash": [0.2, 0.1],
            "distance_to_pareto_exact": [False, True],
        }
    )
    shown = display_tables(table, ["x"])[0][1]  # the agreement part
    assert shown["Pareto distance"].tolist() == ["at least 0.012", "0.050"]
    assert shown["Nash distance"].tolist() == ["≈ 0.200", "0.100"]
    exact = display_tables(table.assign(distance_to_pareto_exact=True), ["x"])[0][1]
    assert exact["Pareto distance"].tolist() == [0.0123, 0.05]
