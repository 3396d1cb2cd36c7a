"""The exact analysis's compiled passes against their numpy reference, bit for bit.

Outcome listing (`enumerate_outcomes`, `admissible_outcomes`) and valuing (`outcome_utilities`)
on random option masks and tables. `pareto_frontier` (the pivot filter and the sweep) under
`engine("compiled")` and `engine("reference")`: on point sets with many exact ties and
duplicates (utilities on a coarse grid), on continuous ones, on sets larger than the numpy
sweep's blocks, and on the flagship's admissible outcomes (663,552 points, a frontier of 1,824).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negsim.analysis.bargaining import utility_tables
from negsim.analysis.frontier import pareto_frontier
from negsim.analysis.outcomes import (
    admissible_outcomes,
    allowed_options,
    enumerate_outcomes,
    outcome_utilities,
)
from negsim.formats.load import load_scenario
from negsim.kernels import engine


def both(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frontier of `points` by the compiled and by the reference sweep."""
    with engine("compiled"):
        fast = pareto_frontier(points)
    with engine("reference"):
        slow = pareto_frontier(points)
    return fast, slow


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_compiled_listing_and_valuing_match_the_reference(data: st.DataObject) -> None:
    issues = data.draw(st.integers(0, 6))
    options = data.draw(st.integers(1, 5))
    parties = data.draw(st.integers(1, 4))
    shape = (issues, options)
    allowed = data.draw(arrays(bool, shape, elements=st.booleans()))
    sizes = data.draw(arrays(np.int64, (issues,), elements=st.integers(0, options)))
    tables = data.draw(arrays(float, (parties, *shape), elements=st.floats(0, 1, width=32)))
    with engine("compiled"):
        fast = [enumerate_outcomes(sizes), admissible_outcomes(allowed)]
        fast.append(outcome_utilities(tables, fast[1]))
    with engine("reference"):
        slow = [enumerate_outcomes(sizes), admissible_outcomes(allowed)]
        slow.append(outcome_utilities(tables, slow[1]))
    for a, b in zip(fast, slow, strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype
        assert a.tobytes() == b.tobytes()


def test_compiled_listing_refuses_more_than_the_limit() -> None:
    with engine("compiled"), pytest.raises(ValueError, match="exceed the enumeration limit"):
        admissible_outcomes(np.ones((3, 4), dtype=bool), limit=63)


@st.composite
def point_sets(draw: st.DrawFn) -> np.ndarray:
    """3 to 6 parties (the sweep's case), up to 400 points, on a coarse grid or continuous."""
    parties = draw(st.integers(3, 6))
    n = draw(st.integers(0, 400))
    if draw(st.booleans()):
        levels = draw(st.integers(1, 4))
        return draw(arrays(np.int64, (n, parties), elements=st.integers(0, levels))) / levels
    return draw(arrays(float, (n, parties), elements=st.floats(0, 1, width=32)))


@settings(max_examples=300, deadline=None)
@given(point_sets())
def test_compiled_sweep_keeps_the_reference_frontier(points: np.ndarray) -> None:
    fast, slow = both(points)
    assert fast.tolist() == slow.tolist()


@pytest.mark.parametrize("parties", [3, 4, 5])
def test_compiled_sweep_on_sets_larger_than_a_block(parties: int) -> None:
    rng = np.random.default_rng(parties)
    # Points near a simplex face: a large frontier, past the reference's block of 512 rows.
    raw = rng.dirichlet(np.ones(parties), 6000) - rng.exponential(0.01, (6000, parties))
    points = np.vstack([raw, raw[:500], np.round(raw[:800], 2)])  # duplicates and ties
    fast, slow = both(points)
    assert len(slow) > 512
    assert fast.tolist() == slow.tolist()


@pytest.mark.slow
def test_compiled_sweep_on_the_flagship() -> None:
    scenario = load_scenario("ukraine_2025")
    tables = utility_tables(scenario)
    allowed = allowed_options(scenario.option_mask, scenario.red_lines[scenario.required])
    points = outcome_utilities(tables[scenario.required], admissible_outcomes(allowed))
    fast, slow = both(points)
    with engine("reference"):
        slow_points = outcome_utilities(tables[scenario.required], admissible_outcomes(allowed))
    assert slow_points.tobytes() == points.tobytes()
    assert len(fast) == 1824  # 1,868 before the tolerance settles near-ties
    assert fast.tolist() == slow.tolist()
