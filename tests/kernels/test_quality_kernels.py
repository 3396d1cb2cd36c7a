"""The compiled deal-quality kernels against their numpy reference, bit for bit.

`deal_distances` (the estimate above the exact limit, and `exact_deal_distances` below it) under
`engine("compiled")` and `engine("reference")`, on random batches: 2 to 5 parties, 1 to 12
issues of 2 to 6 options, option masks, red lines shared and per row, reservations above and
below what the parties can get, deals on and off the frontier (and a few on closed options),
tables with exact ties, and on the flagship's drawn tables.

The estimate's supported outcomes score each option with a matrix product, which numpy leaves to
BLAS; the kernel accumulates those sums as OpenBLAS does on x86-64 (fused multiply-adds, party
after party). Where numpy's BLAS is found to accumulate otherwise (`blas_accumulates_fused`),
options that tie within an ulp may be chosen differently, and the estimate is held to agree on
all but `ESTIMATE_SHARE` of the deals instead of to every bit.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.analysis.exact_quality import exact_deal_distances
from negsim.analysis.frontier import regular_simplex
from negsim.analysis.replication_quality import deal_distances
from negsim.formats.load import load_scenario
from negsim.kernels import engine
from negsim.kernels.quality import fma
from negsim.model import NegotiationModel

ESTIMATE_SHARE = 0.02  # deals whose estimate may differ where BLAS accumulates otherwise
EXACT_LIMIT = 4096  # the most outcomes a random batch lists on the exact path

Batch = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@numba.njit(cache=False)
def _fused_product(a: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`a @ weights.T`, each entry accumulated by fused multiply-adds in turn from 0."""
    out = np.empty((a.shape[0], weights.shape[0]))
    for r in range(a.shape[0]):
        for w in range(weights.shape[0]):
            total = 0.0
            for p in range(a.shape[1]):
                total = fma(a[r, p], weights[w, p], total)
            out[r, w] = total
    return out


def blas_accumulates_fused() -> bool:
    """Whether numpy's matrix product here sums as the compiled kernel does."""
    rng = np.random.default_rng(0)
    for parties, steps in [(2, 30), (3, 6), (4, 3), (5, 2)]:
        weights = regular_simplex(parties, steps)
        a = rng.random((257, parties))
        if not np.array_equal(a @ weights.T, _fused_product(a, weights)):
            return False
    return True


FUSED = blas_accumulates_fused()


def both_engines(batch: Batch, exact_limit: int) -> tuple[tuple, tuple]:
    """`deal_distances` of `batch` under the compiled engine and under the reference."""
    with engine("compiled"):
        compiled = deal_distances(*batch, exact_limit=exact_limit)
    with engine("reference"):
        reference = deal_distances(*batch, exact_limit=exact_limit)
    return compiled, reference


def assert_same_bits(compiled: tuple, reference: tuple) -> None:
    """Both distances equal to every bit (NaN where the other is NaN)."""
    for got, expected in zip(compiled, reference, strict=True):
        assert got.dtype == expected.dtype == np.float64
        np.testing.assert_array_equal(got.view(np.uint64), expected.view(np.uint64))


def assert_estimates_agree(compiled: tuple, reference: tuple) -> None:
    """Bit for bit where BLAS sums as the kernel does; else on all but `ESTIMATE_SHARE`."""
    if FUSED:
        assert_same_bits(compiled, reference)
        return
    differ = np.zeros(len(compiled[0]), dtype=bool)
    for got, expected in zip(compiled, reference, strict=True):
        differ |= ~np.isclose(got, expected, rtol=0, atol=1e-12, equal_nan=True)
    assert differ.mean() <= ESTIMATE_SHARE


def frontier_deals(tables: np.ndarray, allowed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row, the allowed outcome maximising a random positive weighting of the parties: on
    the Pareto frontier (first such option per issue; option 0 where none is allowed)."""
    n_rows, n_parties = tables.shape[:2]
    weights = rng.dirichlet(np.ones(n_parties), size=n_rows) + 1e-3
    scores = np.einsum("rp,rpik->rik", weights, tables)
    open_ = np.broadcast_to(allowed, scores.shape)
    return np.where(open_, scores, -np.inf).argmax(axis=2)


def random_deals(allowed: np.ndarray, n_rows: int, rng: np.random.Generator) -> np.ndarray:
    """Per row and issue, a uniformly drawn allowed option (any option where none is)."""
    open_ = np.broadcast_to(allowed, (n_rows, *allowed.shape[-2:]))
    keys = rng.random(open_.shape) + open_  # allowed options first, in random order
    return keys.argmax(axis=2)


@st.composite
def batches(draw: st.DrawFn, exact: bool) -> Batch:
    """Random tables (R, P, I, K), allowed options, deals and reservations (see the module
    docstring); with `exact`, at most `EXACT_LIMIT` outcomes."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rows, parties = draw(st.integers(1, 8)), draw(st.integers(2, 5))
    issues, options = draw(st.integers(1, 12)), draw(st.integers(2, 6))
    if exact:
        issues = min(issues, int(np.log(EXACT_LIMIT) / np.log(options)))
    kind = draw(st.sampled_from(["smooth", "quarters", "nudged", "rounded"]))
    if kind == "smooth":
        weights = rng.dirichlet(np.ones(issues), size=(rows, parties))
        tables = weights[..., None] * rng.random((rows, parties, issues, options))
    elif kind in ("quarters", "nudged"):  # sums exact: ties between outcomes and options
        tables = np.round(rng.random((rows, parties, issues, options)) * 4) * 0.25 / 4
        if kind == "nudged":  # and near-ties, within the tolerance or within 1e-12
            tables += rng.choice([0.0, 1e-13, -1e-13, 5e-10, -5e-10], size=tables.shape)
    else:  # one-decimal weights of quarter values: near-ties by rounding
        weights = np.round(rng.dirichlet(np.ones(issues), size=(rows, parties)), 1)
        tables = weights[..., None] * (
            np.round(rng.random((rows, parties, issues, options)) * 4) / 4
        )
    mask = np.ones((issues, options), dtype=bool)
    if draw(st.booleans()):  # issues with fewer options: those that do not exist are worth 0
        mask = rng.random((issues, options)) < 0.75
        mask[np.arange(issues), rng.integers(options, size=issues)] = True
        tables = tables * mask
    allowed = mask & (rng.random((issues, options)) > draw(st.sampled_from([0.0, 0.15, 0.4])))
    if draw(st.booleans()):  # red lines row by row
        allowed = allowed & (rng.random((rows, issues, options)) > 0.2)
    deals = random_deals(allowed, rows, rng)
    on_frontier = rng.random(rows) < draw(st.sampled_from([0.0, 0.5, 1.0]))
    deals[on_frontier] = frontier_deals(tables, allowed, rng)[on_frontier]
    if draw(st.booleans()):  # a few deals on closed options: both engines measure them alike
        stray = rng.random(deals.shape) < 0.05
        deals[stray] = rng.integers(options, size=int(stray.sum()))
    best = tables.max(axis=3).sum(axis=2)  # (R, P): the most each party can get
    reservations = rng.uniform(-0.2, 1.2, size=(rows, parties)) * best
    if draw(st.booleans()):
        reservations = np.round(reservations, 2)
    return tables, allowed, deals, reservations


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches(exact=True))
def test_exact_path_equals_the_reference(batch: Batch) -> None:
    assert_same_bits(*both_engines(batch, exact_limit=10**6))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches(exact=False))
def test_estimate_equals_the_reference(batch: Batch) -> None:
    assert_estimates_agree(*both_engines(batch, exact_limit=0))


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans().flatmap(lambda exact: st.tuples(st.just(exact), batches(exact=exact))))
def test_many_batches_equal_the_reference(drawn: tuple[bool, Batch]) -> None:
    exact, batch = drawn
    if exact:
        assert_same_bits(*both_engines(batch, exact_limit=10**6))
    else:
        assert_estimates_agree(*both_engines(batch, exact_limit=0))


@pytest.mark.slow  # compiles the kernels for nine parties: about 10 s on a first run
def test_more_parties_than_numpy_sums_in_turn() -> None:
    """Nine parties: numpy sums a row of 8 or more in eight running sums, so does the kernel."""
    rng = np.random.default_rng(9)
    tables = rng.dirichlet(np.ones(3), size=(6, 9))[..., None] * rng.random((6, 9, 3, 3))
    allowed = np.ones((3, 3), dtype=bool)
    deals = rng.integers(3, size=(6, 3))
    reservations = rng.random((6, 9)) * 0.3
    batch = (tables, allowed, deals, reservations)
    assert_same_bits(*both_engines(batch, exact_limit=10**6))
    assert_estimates_agree(*both_engines(batch, exact_limit=0))


def test_edge_shapes_equal_the_reference() -> None:
    """No rows; one row of one issue (numpy's product is then matrix-vector: the reference
    runs); an issue with no allowed option (nothing is listed)."""
    rng = np.random.default_rng(4)
    tables = rng.random((3, 2, 2, 3))
    for batch in [
        (tables[:0], np.ones((2, 3), bool), np.zeros((0, 2), int), np.zeros((0, 2))),
        (tables[:1, :, :1], np.ones((1, 3), bool), np.array([[1]]), np.full((1, 2), 0.1)),
        (
            tables,
            np.array([[True, True, False], [False] * 3]),
            np.zeros((3, 2), int),
            tables[:, :, 0, 0],
        ),
    ]:
        for limit in (10**6, 0):
            assert_estimates_agree(*both_engines(batch, exact_limit=limit))


@pytest.fixture(scope="module")
def flagship() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The flagship's drawn tables (R, P, I, K), reservations (R, P) and admissible options."""
    model = NegotiationModel(load_scenario("ukraine_2025"), replications=200, seed=1)
    tables = np.stack([agent.table for agent in model.parties], axis=1)
    reservations = np.stack([agent.reservation for agent in model.parties], axis=1)
    return tables, reservations, model.admissible


def test_flagship_estimates_equal_the_reference(flagship) -> None:
    tables, reservations, admissible = flagship
    rng = np.random.default_rng(1)
    deals = random_deals(admissible, len(tables), rng)
    deals[::2] = frontier_deals(tables, admissible, rng)[::2]
    per_row = admissible & (rng.random((len(tables), *admissible.shape)) > 0.1)
    for allowed in (admissible, per_row):
        batch = (tables, allowed, deals, reservations)
        assert_estimates_agree(*both_engines(batch, exact_limit=2048))
    discounted = (tables * 0.9, admissible, deals, reservations * 0.9)  # a later round's
    assert_estimates_agree(*both_engines(discounted, exact_limit=2048))
    batch = (tables, admissible, deals, reservations)
    for steps in (1, 5):  # coarser and finer weight grids
        with engine("compiled"):
            compiled = deal_distances(*batch, steps=steps)
        with engine("reference"):
            reference = deal_distances(*batch, steps=steps)
        assert_estimates_agree(compiled, reference)


@pytest.mark.slow
def test_flagship_exact_distances_equal_the_reference(flagship) -> None:
    """All 663,552 admissible outcomes listed, for a few deals on and off the frontier."""
    tables, reservations, admissible = flagship
    rng = np.random.default_rng(2)
    rows = np.arange(6)
    deals = random_deals(admissible, 6, rng)
    deals[::2] = frontier_deals(tables[rows], admissible, rng)[::2]
    with engine("compiled"):
        compiled = exact_deal_distances(tables[rows], admissible, deals, reservations[rows])
    with engine("reference"):
        reference = exact_deal_distances(tables[rows], admissible, deals, reservations[rows])
    assert_same_bits(compiled, reference)
