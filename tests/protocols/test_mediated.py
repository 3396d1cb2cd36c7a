"""Single negotiating text: agreement, safe deals, objections, holdouts and party mediators."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from negsim.model import NegotiationModel
from negsim.protocols import build_protocol
from negsim.protocols.mediated import objections
from negsim.scenario import Scenario, parse_scenario
from negsim.utility import utilities
from tests.builders import exact_weights, random_scenario_data, small_scenario_data
from tests.protocols.test_simultaneous import STRATEGIES, assert_deals_are_safe

MEDIATORS = (None, "p0")


def _run(
    scenario: Scenario | dict[str, Any], mediator: str | None = None, **kwargs: Any
) -> NegotiationModel:
    if isinstance(scenario, dict):
        scenario = parse_scenario(scenario)
    params = {"mediator": mediator, "learning_rate": kwargs.pop("learning_rate", 0.5)}
    protocol = build_protocol("mediated", params)
    return NegotiationModel(scenario, protocol=protocol, **kwargs).run(progress=False)


def _same_wishes(best: str) -> dict[str, Any]:
    """Three parties with one table: `best` is worth 1 on every issue, the ends of the scale 0."""
    data = small_scenario_data(n_parties=3, n_issues=3, n_options=5, reservation=0.5)
    peak = int(best[1:])
    values = {f"o{k}": 1.0 - abs(k - peak) / max(peak, 4 - peak) for k in range(5)}
    for party in data["parties"].values():
        for position in party["positions"].values():
            position["values"] = dict(values)
    return data


@pytest.mark.parametrize("mediator", MEDIATORS)
def test_shared_middle_wish_is_agreed_in_round_one(mediator: str | None) -> None:
    results = _run(_same_wishes("o2"), mediator, replications=40, seed=1).results()
    assert (results["outcome"] == "agreement").all()
    assert (results["round"] == 1).all()
    assert (results[[f"deal_i{i}" for i in range(3)]].to_numpy() == "o2").all()


@pytest.mark.parametrize(("mediator", "rounds"), [(None, 2), ("p0", 1)])
def test_shared_end_wish_is_agreed_at_once_or_after_one_objection(
    mediator: str | None, rounds: int
) -> None:
    # The neutral mediator opens with the middle text and learns the wish from the objections.
    results = _run(_same_wishes("o4"), mediator, replications=40, seed=1).results()
    assert (results["outcome"] == "agreement").all()
    assert (results["round"] == rounds).all()
    assert (results[[f"deal_i{i}" for i in range(3)]].to_numpy() == "o4").all()


def test_neutral_first_text_is_the_middle_option() -> None:
    data = random_scenario_data(3, n_parties=3, n_issues=6, min_options=2, max_options=5)
    model = NegotiationModel(parse_scenario(data), replications=20, seed=0, protocol="mediated")
    model.step()
    middle = (model.scenario.option_mask.sum(axis=1) - 1) / 2  # x.5: two middle options
    assert (np.abs(model.offer_history[0] - middle) <= 0.5).all()
    even = model.scenario.option_mask.sum(axis=1) % 2 == 0
    assert even.any()
    texts = model.offer_history[0][:, even]
    assert len({tuple(t) for t in texts}) > 1, "of two middle options, each row draws one"
    assert (model.proposer_history[0] == -1).all()


@pytest.mark.parametrize("mediator", MEDIATORS)
def test_no_zone_of_agreement_never_agrees(mediator: str | None) -> None:
    data = small_scenario_data(n_issues=3, reservation=0.6)
    results = _run(data, mediator, replications=60, seed=2, max_rounds=40).results()
    assert (results["outcome"] != "agreement").all()


@pytest.mark.parametrize("mediator", MEDIATORS)
def test_agreements_clear_reservations_and_red_lines(mediator: str | None) -> None:
    agreements = 0
    for seed in range(4):
        data = random_scenario_data(seed, n_parties=3, n_issues=4, strategies=STRATEGIES)
        issues = list(data["issues"])
        for p, party in enumerate(data["parties"].values()):
            values = party["positions"][issues[p]]["values"]
            party["red_lines"] = {issues[p]: [min(values, key=values.get)]}
        model = _run(data, mediator, replications=80, seed=seed, max_rounds=40)
        agreements += assert_deals_are_safe(model)
    assert agreements > 0


@pytest.mark.parametrize("mediator", MEDIATORS)
def test_same_seed_same_results_and_history(mediator: str | None) -> None:
    data = random_scenario_data(7, n_parties=3, n_issues=4, strategies=STRATEGIES)
    protocol = build_protocol("mediated", {"mediator": mediator})
    # One protocol object serves several models: each keeps its own mediator state.
    first, second = (
        NegotiationModel(parse_scenario(data), 50, seed=11, max_rounds=30, protocol=protocol)
        for _ in range(2)
    )
    for model in (first, second):
        model.run(progress=False)
    pd.testing.assert_frame_equal(first.results(), second.results())
    np.testing.assert_array_equal(first.offer_history, second.offer_history)
    other = _run(data, mediator, replications=50, seed=12, max_rounds=30)
    assert not first.results().equals(other.results())


def test_results_have_one_row_per_replication() -> None:
    model = _run(small_scenario_data(), replications=37, seed=0)
    results = model.results()
    assert len(results) == 37
    assert results["replication"].tolist() == list(range(37))
    model.release()  # frees the mediator's evidence; the results stay
    assert not hasattr(model.protocol, "state")
    pd.testing.assert_frame_equal(model.results(), results)


def _holdout_scenario() -> Scenario:
    """p0 and p2 want the last option of every issue, p1 (the holdout) the first."""
    data = small_scenario_data(n_parties=3, n_issues=4, n_options=5, reservation=0.25)
    for party in data["parties"].values():
        party["strategy"] = "linear"
    return parse_scenario(data)


def test_text_moves_towards_the_holdout() -> None:
    model = _run(_holdout_scenario(), replications=50, seed=0, max_rounds=40)
    results = model.results()
    assert (results["outcome"] == "agreement").all()
    # Round 2 sides with the majority; the holdout's rejections then pull the text back.
    received = model.received_history[:, 1, :]
    assert received[1].mean() < 0.5
    assert (results["utility_p1"].to_numpy() > received[1]).all()


def test_learning_rate_gives_the_holdout_more() -> None:
    deal = {
        rate: _run(_holdout_scenario(), replications=30, seed=0, max_rounds=40, learning_rate=rate)
        .results()["utility_p1"]
        .mean()
        for rate in (0.0, 0.5)
    }
    assert deal[0.5] > deal[0.0] + 0.05


def test_party_mediator_texts_meet_its_own_target() -> None:
    data = random_scenario_data(5, n_parties=3, n_issues=5, strategies=("linear", "boulware"))
    model = _run(data, "p1", replications=60, seed=4, max_rounds=30)
    agent = model.parties[1]
    checked = 0
    for t in range(model.round):
        rows = np.flatnonzero(model.proposer_history[t] >= 0)
        assert (model.proposer_history[t, rows] == 1).all()
        utility = utilities(agent.table[rows], model.offer_history[t, rows].astype(np.int64))
        assert (utility >= model.target_history[t, 1, rows] - 1e-5).all()
        checked += rows.size
    assert checked > 60


def test_objections_name_the_costliest_issues_covering_the_shortfall() -> None:
    data = small_scenario_data(n_parties=2, n_issues=3, n_options=3, reservation=0.5)
    data["parties"]["p0"]["strategy"] = "linear"
    for issue, weight in zip(("i0", "i1", "i2"), exact_weights([0.5, 0.3, 0.2]), strict=True):
        data["parties"]["p0"]["positions"][issue]["weight"] = weight
    model = NegotiationModel(parse_scenario(data), 1, seed=0, max_rounds=10, protocol="mediated")
    agent, rows = model.parties[0], np.array([0])
    text = np.array([[1, 0, 1]])  # costs 0.25, 0.3, 0.1 against o2 everywhere; utility 0.35
    model.round = 7  # the linear floor is then 0.5 + 0.5 * (1 - 8 / 10) = 0.6: shortfall 0.25
    named, wanted, _ = objections(model, agent, rows, text)
    assert named.tolist() == [[False, True, False]]
    assert wanted.tolist() == [[2, 2, 2]]
    model.round = 5  # floor 0.5 + 0.5 * (1 - 6 / 10) = 0.7, shortfall 0.35: the costliest two
    named, _, _ = objections(model, agent, rows, text)
    assert named.tolist() == [[True, True, False]]
    model.closed[0, 1, 2] = True  # an announced red line: the party asks for its best open option
    _, wanted, _ = objections(model, agent, rows, text)
    assert wanted.tolist() == [[2, 1, 2]]


def test_unknown_mediator_names_the_parties() -> None:
    with pytest.raises(ValueError, match=r"nobody.*parties: p0, p1"):
        NegotiationModel(
            parse_scenario(small_scenario_data()),
            10,
            protocol=build_protocol("mediated", {"mediator": "nobody"}),
        )


def test_bad_learning_rate_is_rejected() -> None:
    with pytest.raises(ValueError, match="learning_rate"):
        NegotiationModel(
            parse_scenario(small_scenario_data()),
            10,
            protocol=build_protocol("mediated", {"learning_rate": -1}),
        )
