"""The outcome space: counting, enumerating, admissibility, utilities, sampling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.analysis.bargaining import utility_tables
from negsim.analysis.outcomes import (
    admissible_outcomes,
    allowed_options,
    enumerate_outcomes,
    is_admissible,
    outcome_count,
    outcome_utilities,
    sample_outcomes,
)
from negsim.formats.load import load_scenario
from negsim.utility import utilities as engine_utilities
from tests.analysis.reference import brute_outcomes, brute_utilities, random_scenario

SIZES = st.lists(st.integers(1, 5), min_size=1, max_size=5)


def test_count_is_exact_for_huge_spaces() -> None:
    assert outcome_count([5] * 30) == 5**30
    assert outcome_count(load_scenario("ukraine_2025").n_options) == 12_582_912


@given(SIZES)
def test_enumeration_is_the_lexicographic_product(sizes: list[int]) -> None:
    out = enumerate_outcomes(sizes)
    assert out.shape == (outcome_count(sizes), len(sizes))
    np.testing.assert_array_equal(out, brute_outcomes(sizes))


def test_enumeration_refuses_more_than_the_limit() -> None:
    assert len(enumerate_outcomes([10, 10], limit=100)) == 100
    with pytest.raises(ValueError, match="exceed the enumeration limit of 99"):
        enumerate_outcomes([10, 10], limit=99)
    with pytest.raises(ValueError, match="exceed"):
        admissible_outcomes(np.ones((30, 5), dtype=bool))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_admissible_outcomes_are_the_outcomes_crossing_no_red_line(seed: int) -> None:
    scenario = random_scenario(seed)
    allowed = allowed_options(scenario.option_mask, scenario.red_lines)
    every = brute_outcomes(scenario.n_options.tolist())
    crossing = np.array(
        [any(scenario.red_lines[:, i, k].any() for i, k in enumerate(o)) for o in every]
    )
    np.testing.assert_array_equal(admissible_outcomes(allowed), every[~crossing])
    np.testing.assert_array_equal(is_admissible(allowed, every), ~crossing)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_utilities_match_loops_and_the_engine(seed: int) -> None:
    scenario = random_scenario(seed, n_parties=4)
    tables = utility_tables(scenario)
    outcomes = enumerate_outcomes(scenario.n_options)
    u = outcome_utilities(tables, outcomes)
    np.testing.assert_allclose(u, brute_utilities(tables, outcomes), atol=1e-12)
    for p in range(tables.shape[0]):  # the engine's per-row gather agrees
        rows = np.broadcast_to(tables[p], (len(outcomes), *tables.shape[1:]))
        np.testing.assert_allclose(u[:, p], engine_utilities(rows, outcomes), atol=1e-12)


def test_utilities_check_shapes() -> None:
    with pytest.raises(ValueError, match="need tables"):
        outcome_utilities(np.zeros((2, 3, 4)), np.zeros((5, 2), dtype=int))


def test_sampling_uses_only_allowed_options_and_is_seeded() -> None:
    allowed = np.array([[True, False, True], [False, True, False]])
    out = sample_outcomes(allowed, 1000, np.random.default_rng(3))
    assert is_admissible(allowed, out).all()
    assert set(out[:, 0]) == {0, 2}
    np.testing.assert_array_equal(out, sample_outcomes(allowed, 1000, np.random.default_rng(3)))
