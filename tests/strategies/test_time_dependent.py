"""The time-dependent concession family and the strategy registry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from negsim.strategies import REGISTRY, build_strategy
from negsim.strategies.time_dependent import concession_target

HALF = np.array([0.5])
ZERO = np.array([0.0])
ONE = np.array([1.0])


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("boulware", {"exponent": 0.2}, 0.96875),
        ("linear", {}, 0.5),
        ("conceder", {"exponent": 2.0}, 0.292893),
        ("hardliner", {}, 1.0),
    ],
)
def test_genius_targets_at_half_time(name: str, params: dict, expected: float) -> None:
    strategy = build_strategy(name, params)
    assert strategy.curve(HALF, ZERO, ONE)[0] == pytest.approx(expected, abs=1e-6)


@given(
    st.floats(0.0, 5.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=10),
)
def test_targets_fall_from_best_to_reservation(
    exponent: float, reservation: float, spread: float, times: list[float]
) -> None:
    best = np.array([reservation + (1 - reservation) * spread])
    res = np.array([reservation])
    t = np.sort(np.array(times))
    targets = np.array([concession_target(np.array([x]), exponent, res, best)[0] for x in t])
    assert (np.diff(targets) <= 1e-12).all()
    assert (targets >= reservation - 1e-12).all()
    assert (targets <= best[0] + 1e-12).all()
    assert concession_target(ZERO, exponent, res, best)[0] == pytest.approx(best[0])


def test_every_registered_strategy_has_metadata_and_builds_with_defaults() -> None:
    assert {"boulware", "linear", "conceder", "hardliner", "time_dependent"} <= set(REGISTRY)
    for name, cls in REGISTRY.items():
        strategy = build_strategy(name)
        assert strategy.name == name
        assert isinstance(cls.stochastic, bool)
        assert isinstance(cls.time_dependent, bool)
        assert isinstance(cls.uses_opponent_model, bool)
        assert cls.description


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("tit_for_tat_x", {}, "unknown strategy 'tit_for_tat_x'"),
        ("boulware", {"speed": 1}, "unknown parameter 'speed'"),
        ("boulware", {"exponent": 1.5}, "must lie in \\(0, 1\\)"),
        ("conceder", {"exponent": 0.5}, "must be above 1"),
        ("linear", {"exponent": 2}, "unknown parameter 'exponent'"),
        ("time_dependent", {"exponent": -1}, "at least 0"),
        ("boulware", {"exponent": "slow"}, "must be a finite number"),
    ],
)
def test_bad_strategy_specs_raise_clear_errors(name: str, params: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        build_strategy(name, params)
