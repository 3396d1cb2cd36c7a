"""The compiled offer search against its numpy reference, bit for bit.

`generate_offers` runs once under each engine on the same random inputs, and the offers and the
updated weights must be identical: random domains (1-4 others, 1-13 issues, issues with fewer
options than the table has, red lines, parties away from the table), targets from low to out of
reach, weights carried or not, tables on a coarse grid so that exact ties are everywhere, and
calls from one row to thousands (numpy's blocks and the kernel's chunks of rows both crossed),
the others' tables gathered or passed where they lie (`Estimates`).
The building blocks numpy's results rest on are checked on their own: the sums over issues in
numpy's pairwise order, the bisection's slopes as numpy's `np.tan` gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negsim.strategies.offers as reference
from negsim.formats.load import load_scenario
from negsim.kernels import engine
from negsim.kernels.offers import slope_tables
from negsim.kernels.swaps import issue_sums
from negsim.model import NegotiationModel
from negsim.strategies.offers import Estimates, generate_offers


@dataclass
class Call:
    """The arguments of one `generate_offers` call."""

    own: np.ndarray
    others: np.ndarray | Estimates
    forbidden: np.ndarray
    target: np.ndarray
    thresholds: np.ndarray | None
    present: np.ndarray | None
    weights: np.ndarray | None
    keys: np.ndarray | None


def make_call(
    seed: int,
    n: int,
    n_others: int,
    n_issues: int,
    n_options: int,
    *,
    grid: float | None = 0.25,
    weights: bool = True,
    keys: bool = True,
    absent: float = 0.1,
    red_lines: float = 0.1,
    reach: tuple[float, float] = (0.0, 1.2),
    shared_forbidden: bool = False,
    combined: bool = False,
) -> Call:
    """Random tables as the model builds them: per-row issue weights times option values in
    [0, 1], the proposer's float64, the others' estimates float32, float32 tie-break keys;
    `grid` rounds the values (and the keys) so that many are exactly equal. Some issues have
    fewer options than the table (the rest are forbidden), some options are red lines."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(min(2, n_options), n_options + 1, size=n_issues)
    missing = np.arange(n_options)[None, :] >= sizes[:, None]  # (I, K)

    def tables(count: int) -> np.ndarray:
        values = rng.random((count, n_issues, n_options))
        if grid is not None:
            values = np.round(values / grid) * grid
        issue_weights = rng.dirichlet(np.ones(n_issues), size=count)
        if grid is not None:
            issue_weights = np.round(issue_weights / grid * 4) * grid / 4
        return np.where(missing, 0.0, issue_weights[..., None] * values)

    own = tables(n)
    others = tables(n_others * n).reshape(n_others, n, n_issues, n_options).astype(np.float32)
    if shared_forbidden:
        forbidden = missing.copy()
    else:
        forbidden = missing[None] | (rng.random((n, n_issues, n_options)) < red_lines)
    best = np.where(forbidden, -np.inf, own).max(axis=-1).sum(axis=-1)
    best = np.where(np.isfinite(best), best, 0.0)
    target = best * rng.uniform(*reach, size=n)
    present = rng.random((n_others, n)) >= absent
    thresholds = rng.uniform(-0.1, 0.6, size=(n_others, n))
    if grid is not None:
        thresholds = np.round(thresholds / grid) * grid
    carried = rng.random((n_others, n)) if weights else None
    if carried is not None and grid is not None:
        carried = np.round(carried * 4) / 4  # equal weights, and some of 0
    drawn = rng.random((n, n_issues, n_options + 1), dtype=np.float32) if keys else None
    if drawn is not None and grid is not None:  # equal keys too: the written order decides
        drawn = np.round(drawn * 4) / np.float32(4)
    if combined:  # one combined estimate of shape (n, I, K)
        return Call(own, others[0], forbidden, target, None, None, None, drawn)
    return Call(own, others, forbidden, target, thresholds, present, carried, drawn)


def run(call: Call, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The offers and the updated weights of `call` under engine `name`."""
    weights = None if call.weights is None else call.weights.copy()
    with engine(name):
        offers = generate_offers(
            call.own,
            call.others,
            call.forbidden,
            call.target,
            call.thresholds,
            call.present,
            weights,
            call.keys,
        )
    return offers, weights


def assert_same(call: Call) -> np.ndarray:
    """Both engines give the same offers and leave the same weights; returns the offers."""
    offers, weights = run(call, "compiled")
    expected, expected_weights = run(call, "reference")
    assert offers.dtype == expected.dtype and offers.shape == expected.shape
    assert np.array_equal(offers, expected), np.flatnonzero((offers != expected).any(axis=-1))
    if expected_weights is None:
        assert weights is None
    else:
        assert weights is not None and np.array_equal(weights, expected_weights)
        assert np.array_equal(weights.view(np.int64), expected_weights.view(np.int64))  # -0.0
    return offers


@st.composite
def calls(draw: st.DrawFn) -> tuple[Call, int]:
    """Random calls, and a numpy block size (table entries) to run the reference with."""
    call = make_call(
        draw(st.integers(0, 2**32 - 1)),
        n=draw(st.sampled_from([1, 2, 3, 7, 40, 63, 64, 65, 130, 300])),
        n_others=draw(st.integers(1, 4)),
        n_issues=draw(st.integers(1, 13)),
        n_options=draw(st.integers(2, 6)),
        grid=draw(st.sampled_from([None, 0.5, 0.25, 0.125])),
        weights=draw(st.booleans()),
        keys=draw(st.booleans()),
        absent=draw(st.sampled_from([0.0, 0.2, 0.6])),
        red_lines=draw(st.sampled_from([0.0, 0.1, 0.3])),
        reach=draw(st.sampled_from([(0.0, 1.2), (0.3, 0.9), (0.9, 1.0), (1.0, 1.5)])),
        shared_forbidden=draw(st.booleans()),
        combined=draw(st.integers(0, 9)) == 0,
    )
    block = draw(st.sampled_from([reference._BLOCK, 64, 300, 2000]))
    return call, block


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls())
def test_random_calls_give_the_reference_offers_and_weights(drawn: tuple[Call, int]) -> None:
    call, block = drawn
    with mock.patch.object(reference, "_BLOCK", block):  # numpy's blocks of rows, crossed
        assert_same(call)


@pytest.mark.parametrize("weights", [True, False])
def test_ties_everywhere_give_the_reference_offers(weights: bool) -> None:
    """Values on a coarse grid, equal weights: most choices are exact ties, settled by the keys
    (drawn, or the written order when there are none)."""
    for keys in (True, False):
        call = make_call(5, 200, 3, 12, 4, grid=0.5, weights=weights, keys=keys)
        offers = assert_same(call)
        assert len(np.unique(offers, axis=0)) > 1


def test_one_combined_estimate_and_nobody_else() -> None:
    """Others as one (n, I, K) table, and no other party at all (a stand-in that never
    decides)."""
    assert_same(make_call(2, 90, 1, 6, 3, combined=True))
    call = make_call(3, 90, 1, 6, 3, weights=False)
    assert isinstance(call.others, np.ndarray)
    call.others = call.others[:0]
    assert_same(call)


def test_everybody_away_and_out_of_reach_targets() -> None:
    """Nobody at the table, and targets above the best the proposer can reach."""
    call = make_call(4, 70, 3, 5, 5, absent=1.0, reach=(1.1, 2.0))
    assert call.present is not None and not call.present.any()
    assert_same(call)


@pytest.mark.parametrize("weights", [True, False])
def test_other_input_types_convert_as_numpy_converts_them(weights: bool) -> None:
    """float32 tables and targets of the proposer (its floor is then summed in float32),
    float64 estimates of the others (rounded to float32), float32 thresholds, float64 keys."""
    call = make_call(9, 150, 2, 7, 4, grid=None, weights=weights)
    assert call.thresholds is not None and call.keys is not None
    assert isinstance(call.others, np.ndarray)
    call.own = call.own.astype(np.float32)
    call.others = call.others.astype(np.float64) + 1e-9
    call.target = call.target.astype(np.float32)
    call.thresholds = call.thresholds.astype(np.float32)
    call.keys = call.keys.astype(np.float64)
    assert_same(call)


def test_many_issues_sum_in_halves() -> None:
    """Over 128 issues numpy sums two halves apart: the kernel follows."""
    assert_same(make_call(6, 70, 2, 150, 3, grid=None))


@pytest.mark.slow
@pytest.mark.parametrize("weights", [True, False])
def test_thousands_of_rows_cross_numpys_blocks(weights: bool) -> None:
    """Flagship-sized calls: numpy searches in blocks of 1,820 rows (12 issues, 6 options) and
    merges their moving rows for the last swap passes, and `row_sum` changes its method at 1,500
    rows; the kernel's rows go in chunks. Every row's result is its own."""
    for seed in range(2):
        assert_same(make_call(seed, 4000, 3, 12, 6, grid=None, weights=weights))
        assert_same(make_call(seed + 10, 2500, 3, 12, 6, grid=0.25, weights=weights))


def test_a_row_gets_the_same_offer_alone_and_among_others() -> None:
    """A row's offer does not depend on the rows around it, in either engine."""
    call = make_call(8, 150, 3, 9, 5, weights=False)
    assert isinstance(call.others, np.ndarray)
    together, _ = run(call, "compiled")
    for row in (0, 64, 149):
        alone = Call(
            call.own[row : row + 1],
            call.others[:, row : row + 1],
            call.forbidden[row : row + 1],
            call.target[row : row + 1],
            None if call.thresholds is None else call.thresholds[:, row : row + 1],
            None if call.present is None else call.present[:, row : row + 1],
            None,
            None if call.keys is None else call.keys[row : row + 1],
        )
        assert np.array_equal(run(alone, "compiled")[0], together[row : row + 1])
        assert np.array_equal(run(alone, "reference")[0], together[row : row + 1])


def in_place(call: Call, seed: int, n_parties: int, replications: int) -> Call:
    """`call` with the others' tables written into every party's tables in every replication,
    (P, R, I, K), and passed where they lie: each row a replication of its own (in any order,
    some replications unused) and other parties of its own, distinct within the row."""
    assert isinstance(call.others, np.ndarray)
    n_others, n = call.others.shape[:2]
    rng = np.random.default_rng(seed)
    rows = rng.permutation(replications)[:n]
    parties = np.argsort(rng.random((n, n_parties)), axis=1)[:, :n_others].T.copy()
    tables = rng.random((n_parties, replications, *call.own.shape[1:])).astype(np.float32)
    tables[parties, rows[None, :]] = call.others  # each (party, replication) at most once
    return Call(
        call.own,
        Estimates(tables, parties, rows),
        call.forbidden,
        call.target,
        call.thresholds,
        call.present,
        call.weights,
        call.keys,
    )


@pytest.mark.parametrize("weights", [True, False])
def test_estimates_read_in_place_give_the_gathered_tables_offers(weights: bool) -> None:
    """The others' tables passed where they lie (`Estimates`): both engines give the offers and
    weights of the same tables gathered, across chunks and numpy's blocks."""
    for seed, n, n_others, n_parties in ((0, 300, 3, 4), (1, 130, 1, 2), (2, 65, 2, 5)):
        call = make_call(seed, n, n_others, 7, 5, weights=weights)
        gathered = run(call, "compiled")
        placed = in_place(call, seed, n_parties, replications=n + 17)
        assert isinstance(placed.others, Estimates)
        assert np.array_equal(placed.others.gathered(), call.others)
        for name in ("compiled", "reference"):
            offers, carried = run(placed, name)
            assert np.array_equal(offers, gathered[0])
            if weights:
                assert carried is not None and gathered[1] is not None
                assert np.array_equal(carried.view(np.int64), gathered[1].view(np.int64))
    call = make_call(3, 40, 2, 6, 4, weights=weights)
    assert call.present is not None and call.thresholds is not None
    nobody = in_place(call, 3, 3, 50)
    assert isinstance(nobody.others, Estimates)
    nobody.others = nobody.others._replace(parties=nobody.others.parties[:0])
    nobody.thresholds, nobody.present = call.thresholds[:0], call.present[:0]
    nobody.weights = None if call.weights is None else call.weights[:0]
    assert_same(nobody)


@pytest.mark.parametrize("n_issues", [1, 2, 7, 8, 9, 12, 16, 17, 64, 128, 129, 200, 300])
@pytest.mark.parametrize("zero", [np.float32(0.0), np.float64(0.0)])
def test_issue_sums_add_in_numpys_order(n_issues: int, zero: np.floating) -> None:
    """Terms of very different sizes, so that another order gives another sum."""
    rng = np.random.default_rng(n_issues)
    values = (rng.random((50, n_issues)) * 10.0 ** rng.integers(-6, 6, (50, n_issues))).astype(
        np.float32
    )
    values[::7] *= -1
    out = np.empty(50, dtype=type(zero))
    scratch = np.empty((n_issues + 8, 50), dtype=type(zero))
    issue_sums(values, 50, zero, scratch, out)
    assert np.array_equal(out, np.add.reduce(values, axis=-1, dtype=type(zero)))
    sequential = np.zeros(50, dtype=type(zero))
    for i in range(n_issues):
        sequential += values[:, i]
    if n_issues > 8:  # the order matters here: the test tells numpy's from a plain loop
        assert not np.array_equal(out, sequential)


def test_the_slopes_are_numpys_tangents() -> None:
    """Every slope the reference bisection can try, computed its way on arrays of many lengths
    with the paths in any order, is the table's."""
    steps, top = reference._BISECTION_STEPS, np.pi / 2 - 1e-4
    mids, finals = slope_tables(steps, top)
    rng = np.random.default_rng(0)
    for n in (1, 5, 16, 17, 1000):
        paths = rng.integers(0, 1 << steps, size=n)
        lo, hi = np.zeros(n), np.full(n, top)
        for step in range(steps):
            mid = 0.5 * (lo + hi)
            assert np.array_equal(np.tan(mid).astype(np.float32), mids[step, paths])
            feasible = (paths >> step) & 1 == 1
            hi, lo = np.where(feasible, mid, hi), np.where(feasible, lo, mid)
        assert np.array_equal(np.tan(hi).astype(np.float32), finals[paths])
    assert len(np.unique(finals)) == 1 << steps


@pytest.mark.slow
def test_the_flagship_runs_the_same_under_both_engines() -> None:
    """A whole seeded run of the flagship: the same results table under each engine."""
    frames = []
    for name in ("compiled", "reference"):
        with engine(name):
            model = NegotiationModel(
                load_scenario("ukraine_2025"), replications=300, seed=3, record=False
            )
            frames.append(model.run(progress=False).results())
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)
    assert len(frames[0]) == 300
