"""The compiled engine against its numpy reference: whole seeded runs agree bit for bit.

Every protocol (both turn rules of `alternating`, a neutral and a party mediator, split tracks)
and every strategy, on random domains with red lines, deadlines, discounts, optional parties and
drawn numbers: the results table, the deals, every offer made and every round's series must be
identical under `engine("compiled")` and `engine("reference")`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.formats.load import load_scenario
from negsim.kernels import engine
from negsim.model import NegotiationModel
from negsim.protocols import build_protocol
from negsim.scenario import Scenario, parse_scenario
from tests.builders import random_scenario_data, with_frictions
from tests.properties.test_invariants import with_random_tracks

STRATEGIES: list[dict[str, Any]] = [
    {"name": "boulware", "exponent": 0.2},
    {"name": "linear"},
    {"name": "conceder", "exponent": 2.0},
    {"name": "hardliner"},
    {"name": "time_dependent", "exponent": 0.6},
    {"name": "noisy_boulware"},
    {"name": "noisy_conceder"},
    {"name": "noisy_time_dependent", "exponent": 1.0, "noise": 0.05},
    {"name": "tit_for_tat", "mirror": 1.0, "step": 0.005},
    {"name": "zeuthen", "step": 0.02},
]

PROTOCOLS: list[tuple[str, dict[str, Any]]] = [
    ("alternating", {}),
    ("alternating", {"turns": "rejecter"}),
    ("simultaneous", {}),
    ("mediated", {}),
    ("mediated", {"mediator": "p0"}),
    ("split_track", {}),
]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Random domains: every strategy, red lines, deadlines, discounts, an optional party,
    drawn numbers, ordered and nominal issues."""
    seed = draw(st.integers(0, 2**31 - 1))
    data = random_scenario_data(
        seed,
        n_parties=draw(st.integers(2, 4)),
        n_issues=draw(st.integers(1, 9)),
        max_options=draw(st.integers(2, 6)),
        reservation_range=(0.0, draw(st.floats(0.0, 0.7))),
        strategies=STRATEGIES,
    )
    rng = np.random.default_rng(seed)
    return parse_scenario(with_frictions(data, rng, discounts=True, ordered=True))


def run(scenario: Scenario, name: str, protocol: str, params: dict[str, Any], seed: int, **kw: Any):
    """One seeded run under engine `name`."""
    with engine(name):
        return NegotiationModel(
            scenario, seed=seed, protocol=build_protocol(protocol, params), **kw
        ).run(progress=False)


def assert_same_runs(one: NegotiationModel, two: NegotiationModel) -> None:
    """Results, deals, every offer and proposer and the per-round series are identical."""
    pd.testing.assert_frame_equal(one.results(), two.results())
    np.testing.assert_array_equal(one.deal, two.deal)
    if one.record:
        np.testing.assert_array_equal(one.offer_history, two.offer_history)
        np.testing.assert_array_equal(one.proposer_history, two.proposer_history)
        pd.testing.assert_frame_equal(one.series(), two.series())


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 1000), st.sampled_from(PROTOCOLS))
def test_compiled_runs_equal_the_reference_bit_for_bit(
    scenario: Scenario, seed: int, protocol: tuple[str, dict[str, Any]]
) -> None:
    name, params = protocol
    if name == "split_track":
        scenario = with_random_tracks(scenario, seed)
    kw = {"replications": 24, "max_rounds": 40}
    compiled = run(scenario, "compiled", name, params, seed, **kw)
    reference = run(scenario, "reference", name, params, seed, **kw)
    assert_same_runs(compiled, reference)


@pytest.mark.slow
@pytest.mark.parametrize(("protocol", "params"), PROTOCOLS[:4])
def test_the_flagship_runs_the_same_under_both_engines(
    protocol: str, params: dict[str, Any]
) -> None:
    """The flagship at 400 replications: large enough that the offer search works in blocks."""
    scenario = load_scenario("ukraine_2025")
    if protocol == "mediated" and params:
        params = {"mediator": "us"}
    kw = {"replications": 400, "record": False}
    compiled = run(scenario, "compiled", protocol, params, 11, **kw)
    reference = run(scenario, "reference", protocol, params, 11, **kw)
    assert_same_runs(compiled, reference)


def test_the_engine_switch_refuses_an_unknown_engine() -> None:
    with pytest.raises(ValueError, match="compiled"), engine("fast"):
        pass


def test_a_small_scenario_runs_the_same_under_both_engines() -> None:
    """A quick guard for `make check`: a 3-party domain with a red line and a deadline."""
    data = random_scenario_data(5, n_parties=3, n_issues=4, max_options=4, strategies=STRATEGIES)
    data["parties"]["p1"]["red_lines"] = {"i0": ["o0"]}
    data["parties"]["p2"]["deadline"] = 12
    scenario = parse_scenario(data)
    compiled = run(scenario, "compiled", "alternating", {}, 3, replications=50, max_rounds=30)
    reference = run(scenario, "reference", "alternating", {}, 3, replications=50, max_rounds=30)
    assert_same_runs(compiled, reference)
    assert compiled.round > 1
