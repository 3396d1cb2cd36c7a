"""Invariants of the engine over random small scenarios (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.model import NegotiationModel
from negsim.scenario import Scenario, parse_scenario
from tests.builders import random_scenario_data, with_frictions

STRATEGIES = [
    {"name": "boulware", "exponent": 0.2},
    {"name": "linear"},
    {"name": "conceder", "exponent": 2.0},
    {"name": "hardliner"},
    {"name": "time_dependent", "exponent": 0.6},
]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Random small scenarios with red lines, deadlines, optional parties and uncertainty."""
    seed = draw(st.integers(0, 2**31 - 1))
    data = random_scenario_data(
        seed,
        n_parties=draw(st.integers(2, 4)),
        n_issues=draw(st.integers(1, 5)),
        max_options=draw(st.integers(2, 5)),
        reservation_range=(0.0, draw(st.floats(0.0, 0.8))),
        strategies=STRATEGIES,
    )
    return parse_scenario(with_frictions(data, np.random.default_rng(seed)))


def _run(scenario: Scenario, seed: int) -> NegotiationModel:
    return NegotiationModel(scenario, replications=16, seed=seed, max_rounds=30).run(progress=False)


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(scenarios(), st.integers(0, 1000))
def test_agreements_clear_reservations_and_respect_red_lines(scenario: Scenario, seed: int) -> None:
    model = _run(scenario, seed)
    results = model.results()
    agreed = (results["outcome"] == "agreement").to_numpy()
    for p, party in enumerate(scenario.parties):
        if not party.required:
            continue
        utility = results[f"utility_{party.name}"].to_numpy()[agreed]
        reservation = results[f"reservation_{party.name}"].to_numpy()[agreed]
        assert (utility >= reservation - 1e-9).all()
        red = scenario.red_lines[p]
        deals = model.deal[agreed]
        assert not red[np.arange(deals.shape[1]), deals].any()


def with_random_tracks(scenario: Scenario, seed: int) -> Scenario:
    """`scenario` split in two tracks: the first half of its issues between two of its parties,
    the rest among all of them (one track of everything when it has a single issue)."""
    data = scenario.data
    issues, parties = list(data["issues"]), list(data["parties"])
    rng = np.random.default_rng(seed)
    if len(issues) < 2:
        data["tracks"] = {"all": {"issues": issues, "parties": parties}}
    else:
        pair = [str(p) for p in rng.choice(parties, size=2, replace=False)]
        half = len(issues) // 2
        data["tracks"] = {
            "a": {"issues": issues[:half], "parties": [p for p in parties if p in pair]},
            "b": {"issues": issues[half:], "parties": parties},
        }
    return parse_scenario(data)


@FAST
@given(
    scenarios(),
    st.integers(0, 1000),
    st.sampled_from(["alternating", "simultaneous", "mediated", "split_track"]),
)
def test_every_agreement_is_individually_rational_under_every_protocol(
    scenario: Scenario, seed: int, protocol: str
) -> None:
    """Under every protocol no agreement leaves a required party below its reservation value or
    across one of its red lines, the utilities recomputed from the drawn numbers."""
    if protocol == "split_track":
        scenario = with_random_tracks(scenario, seed)
    model = NegotiationModel(
        scenario, replications=16, seed=seed, max_rounds=30, protocol=protocol
    ).run(progress=False)
    agreed = np.flatnonzero((model.results()["outcome"] == "agreement").to_numpy())
    deals = model.deal[agreed]
    tables = (model.draws.weights[..., None] * model.draws.values)[:, agreed]  # (P, n, I, K)
    worth = np.take_along_axis(tables, deals[None, :, :, None], axis=3)[..., 0].sum(axis=2)
    for p, party in enumerate(scenario.parties):
        if not party.required:
            continue
        assert (worth[p] >= model.draws.reservations[p, agreed] - 1e-9).all()
        red = scenario.red_lines[p]
        assert not red[np.arange(deals.shape[1]), deals].any()


@FAST
@given(scenarios(), st.integers(0, 1000))
def test_every_offer_is_a_valid_outcome_off_the_proposers_red_lines(
    scenario: Scenario, seed: int
) -> None:
    model = _run(scenario, seed)
    played = model.proposer_history[: model.round] >= 0  # (T, R)
    offers = model.offer_history[: model.round][played].astype(np.int64)  # (n, I)
    proposers = model.proposer_history[: model.round][played].astype(np.int64)
    assert (offers >= 0).all()
    assert (offers < scenario.n_options[None, :]).all()
    crossed = scenario.red_lines[proposers[:, None], np.arange(offers.shape[1])[None, :], offers]
    assert not crossed.any()


@FAST
@given(scenarios(), st.integers(0, 1000))
def test_utilities_and_targets_lie_in_the_unit_interval(scenario: Scenario, seed: int) -> None:
    model = _run(scenario, seed)
    results = model.results()
    for name in scenario.party_names:
        assert results[f"utility_{name}"].between(0.0, 1.0).all()
    for history in (model.target_history, model.received_history):
        seen = history[~np.isnan(history)]
        assert ((seen >= -1e-6) & (seen <= 1 + 1e-6)).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 1000))
def test_same_seed_gives_identical_results(scenario: Scenario, seed: int) -> None:
    one = _run(scenario, seed)
    two = _run(scenario, seed)
    pd.testing.assert_frame_equal(one.results(), two.results())
    np.testing.assert_array_equal(one.offer_history, two.offer_history)
    pd.testing.assert_frame_equal(one.series(), two.series())
