"""The compiled model updates against their numpy reference, bit for bit.

Two frequency models and two threshold models are fed the same random calls (offers,
acceptances, answers and threshold reads over several rounds, of tables gathered or read where
they lie), one pair under each engine; every state array and every output must be identical
after every call. The pairwise sums the kernels
share are checked against numpy on their own, on values whose sum depends on the order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.formats.load import load_scenario
from negsim.kernels import engine, sums
from negsim.model import NegotiationModel
from negsim.strategies.opponent import FrequencyModel
from negsim.strategies.thresholds import ThresholdModel
from negsim.utility import row_blocks, row_sum

FREQUENCY_STATE = ("counts", "top", "kept", "last", "estimates")
THRESHOLD_STATE = (
    "accepted",
    "rejected",
    "accepted_value",
    "rejected_value",
    "accepted_round",
    "rejected_round",
)


@dataclass
class Domain:
    """A random domain and the seed of the calls made on it."""

    n_parties: int
    replications: int
    sizes: list[int]  # options of each issue
    ordered: np.ndarray
    memory: int
    rounds: int
    seed: int

    @property
    def mask(self) -> np.ndarray:
        return np.arange(max(self.sizes))[None, :] < np.array(self.sizes)[:, None]


@st.composite
def domains(draw: st.DrawFn) -> Domain:
    """1-4 parties, 1-5 replications, 1-20 issues (pairwise sums of fewer and more than 8
    terms), 1-6 options with fewer on some issues, ordered and nominal issues."""
    n_options = draw(st.integers(1, 6))
    n_issues = draw(st.sampled_from([1, 2, 3, 5, 7, 8, 9, 12, 16, 20]))
    sizes = draw(st.lists(st.integers(1, n_options), min_size=n_issues, max_size=n_issues))
    return Domain(
        n_parties=draw(st.integers(1, 4)),
        replications=draw(st.integers(1, 5)),
        sizes=sizes,
        ordered=np.array(draw(st.lists(st.booleans(), min_size=n_issues, max_size=n_issues))),
        memory=draw(st.integers(1, 4)),
        rounds=draw(st.integers(1, 6)),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


class Pair:
    """The same model twice: `compiled` runs the kernels, `reference` the numpy code."""

    def __init__(self, compiled: object, reference: object, state: tuple[str, ...]) -> None:
        self.compiled, self.reference, self.state = compiled, reference, state

    def call(self, method: str, *args: object) -> None:
        """Call `method` on both models, each under its engine; outputs and states agree."""
        with engine("compiled"):
            one = getattr(self.compiled, method)(*args)
        with engine("reference"):
            two = getattr(self.reference, method)(*args)
        if one is not None or two is not None:
            assert one.dtype == two.dtype, method
            assert np.array_equal(one, two), method
        for name in self.state:
            mine, theirs = getattr(self.compiled, name), getattr(self.reference, name)
            assert mine.dtype == theirs.dtype, name
            assert np.array_equal(mine, theirs), f"{name} after {method}"


def _offers(rng: np.random.Generator, sizes: list[int], n: int) -> np.ndarray:
    """`n` offers of existing options."""
    return (rng.random((n, len(sizes))) * np.array(sizes)).astype(np.int64)


def _pairs(rng: np.random.Generator, domain: Domain) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (party, row) pairs, in party order as `np.nonzero` gives them."""
    n_blocks = domain.n_parties * domain.replications
    blocks = np.sort(rng.choice(n_blocks, rng.integers(0, n_blocks + 1), replace=False))
    return blocks // domain.replications, blocks % domain.replications


def _estimate(rng: np.random.Generator, frequency: FrequencyModel, shape: tuple) -> np.ndarray:
    """The model's estimates, or tables of float64 values whose sums depend on their order."""
    if rng.random() < 0.5:
        return frequency.estimates
    return rng.random(shape) * 10.0 ** rng.integers(-8, 8, size=shape)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(domains())
def test_the_compiled_models_keep_the_reference_state_call_by_call(domain: Domain) -> None:
    rng = np.random.default_rng(domain.seed)
    n_parties, replications, sizes = domain.n_parties, domain.replications, domain.sizes
    frequency = Pair(
        *(FrequencyModel(n_parties, replications, domain.mask, domain.ordered) for _ in "ab"),
        FREQUENCY_STATE,
    )
    thresholds = Pair(
        *(ThresholdModel(n_parties, replications, len(sizes), domain.memory) for _ in "ab"),
        THRESHOLD_STATE,
    )
    table_shape = (n_parties, replications, len(sizes), max(sizes))
    for round_ in range(1, domain.rounds + 1):
        # Offers: one proposer per row, rows in any order.
        rows = rng.permutation(replications)[: rng.integers(0, replications + 1)]
        proposer = rng.integers(0, n_parties, rows.size)
        frequency.call("observe_offers", proposer, rows, _offers(rng, sizes, rows.size))
        # Acceptances: one party for all, or one per answer.
        if rng.random() < 0.5:
            party, rows = _pairs(rng, domain)
        else:
            party = int(rng.integers(n_parties))
            rows = rng.permutation(replications)[: rng.integers(0, replications + 1)]
        frequency.call("observe_accepts", party, rows, _offers(rng, sizes, rows.size))
        # Answers: accepted, rejected, rejected naming a red line.
        estimate = _estimate(rng, frequency.reference, table_shape)
        if rng.random() < 0.5:
            party, rows = _pairs(rng, domain)
        else:
            party = int(rng.integers(n_parties))
            rows = rng.permutation(replications)[: rng.integers(0, replications + 1)]
            estimate = estimate[party]
        accepted = rng.random(rows.size) < 0.5
        named = rng.random(rows.size) < 0.3
        theirs = _offers(rng, sizes, rows.size)
        thresholds.call("observe_answers", party, rows, theirs, accepted, named, round_, estimate)
        # Thresholds of a party per row, or of one party for all rows, in any rows.
        rows = rng.integers(0, replications, rng.integers(0, 2 * replications + 1))
        n_asked = int(rng.integers(1, n_parties + 1))
        if rng.random() < 0.5:
            parties = rng.integers(0, n_parties, (n_asked, rows.size))
        else:
            parties = rng.integers(0, n_parties, n_asked)
        estimate = _estimate(rng, frequency.reference, table_shape)
        tables = row_blocks(
            estimate, parties if parties.ndim == 2 else parties[:, None], rows[None, :]
        )
        thresholds.call("thresholds", parties, rows, tables)
        thresholds.call("thresholds", parties, rows, estimate, True)  # every party's, in place


def test_a_scalar_party_reads_its_own_table_and_an_array_every_partys() -> None:
    """A one-element `party` array is one per answer: its estimate is every party's."""
    thresholds = Pair(
        *(ThresholdModel(2, 3, 2, memory=2) for _ in "ab"),
        THRESHOLD_STATE,
    )
    estimate = np.arange(2 * 3 * 2 * 3, dtype=np.float64).reshape(2, 3, 2, 3)
    offer, yes, no = np.array([[2, 1]]), np.array([True]), np.array([False])
    thresholds.call("observe_answers", np.array([1]), np.array([2]), offer, yes, no, 1, estimate)
    thresholds.call("observe_answers", 0, np.array([2]), offer, no, no, 1, estimate[0])
    assert thresholds.compiled.accepted_value[1, 2] == estimate[1, 2, 0, 2] + estimate[1, 2, 1, 1]
    assert thresholds.compiled.rejected_value[0, 2] == estimate[0, 2, 0, 2] + estimate[0, 2, 1, 1]


def test_calls_of_thousands_of_rows_agree_where_numpy_sums_in_blocks() -> None:
    """From 1,500 rows `row_sum` sums column by column in blocks of rows instead of leaving the
    sum to numpy: the kernels must agree with that path too."""
    rng = np.random.default_rng(7)
    n_parties, replications, sizes = 3, 2000, [6, 4, 5, 6, 2, 6, 3, 6, 5, 6, 4, 6]
    mask = np.arange(6)[None, :] < np.array(sizes)[:, None]
    ordered = rng.random(len(sizes)) < 0.5
    frequency = Pair(
        *(FrequencyModel(n_parties, replications, mask, ordered) for _ in "ab"), FREQUENCY_STATE
    )
    thresholds = Pair(
        *(ThresholdModel(n_parties, replications, len(sizes), 3) for _ in "ab"), THRESHOLD_STATE
    )
    rows = np.arange(replications)
    for round_ in range(1, 4):
        proposer = rng.integers(0, n_parties, replications)
        frequency.call("observe_offers", proposer, rows, _offers(rng, sizes, replications))
        party, line = np.nonzero((proposer[:, None] != np.arange(n_parties)).T)
        theirs = _offers(rng, sizes, line.size)
        accepted = rng.random(line.size) < 0.5
        frequency.call("observe_accepts", party[accepted], line[accepted], theirs[accepted])
        estimate = frequency.reference.estimates
        named = rng.random(line.size) < 0.2
        thresholds.call("observe_answers", party, line, theirs, accepted, named, round_, estimate)
        parties = np.stack([(proposer + 1) % n_parties, (proposer + 2) % n_parties])
        tables = row_blocks(estimate, parties, rows[None, :])
        thresholds.call("thresholds", parties, rows, tables)
        thresholds.call("thresholds", parties, rows, estimate, True)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([np.float32, np.float64]),
    st.integers(0, 300),
    st.integers(1, 6),
    st.integers(0, 2**32 - 1),
)
def test_the_pairwise_sums_add_in_numpys_order(
    dtype: type, count: int, n_rows: int, seed: int
) -> None:
    """Sums of 0-300 terms (one, eight running sums, split halves) of widely spread
    magnitudes and both signs, in float32, float64 and float32 read as float64."""
    rng = np.random.default_rng(seed)
    terms = rng.standard_normal((n_rows, count)) * 10.0 ** rng.integers(-6, 6, (n_rows, count))
    terms = terms.astype(dtype)
    zero = dtype(0.0)
    out = np.empty(n_rows, dtype=dtype)
    sums.row_sums(terms, n_rows, count, zero, out)
    assert np.array_equal(out, row_sum(terms), equal_nan=True)
    assert np.array_equal(out, np.add.reduce(terms, axis=-1), equal_nan=True)
    if dtype is np.float32:
        wide = np.empty(n_rows)
        sums.row_sums(terms, n_rows, count, 0.0, wide)
        assert np.array_equal(wide, row_sum(terms, np.float64), equal_nan=True)
    one = sums.pairwise(terms[0], 0, count, zero) + zero
    assert np.array_equal(one, np.add.reduce(terms[0]), equal_nan=True)


def test_a_sum_of_negative_zeros_is_zero_as_in_numpy() -> None:
    for count in (3, 12, 200):
        terms = np.full((1, count), -0.0)
        out = np.empty(1)
        sums.row_sums(terms, 1, count, 0.0, out)
        assert np.signbit(out[0]) == np.signbit(np.add.reduce(terms, axis=-1)[0])


@pytest.mark.slow
def test_the_flagship_runs_the_same_with_the_compiled_models() -> None:
    """A whole seeded run of the flagship under each engine: the same results table (slow on
    a first run, which compiles the whole engine)."""
    scenario = load_scenario("ukraine_2025")
    results = []
    for name in ("compiled", "reference"):
        with engine(name):
            model = NegotiationModel(scenario, replications=300, seed=3, record=False)
            results.append(model.run(progress=False).results())
    pd.testing.assert_frame_equal(*results)
