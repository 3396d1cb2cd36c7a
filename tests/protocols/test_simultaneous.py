"""Simultaneous offers: agreement, no-ZOPA, safe deals, reproducibility and the turn tie-break."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from negsim.model import NegotiationModel
from negsim.protocols import build_protocol
from negsim.scenario import Scenario, parse_scenario
from tests.builders import random_scenario_data, small_scenario_data

STRATEGIES = ("boulware", "conceder", "linear", "noisy_boulware", "tit_for_tat", "zeuthen")


def _run(scenario: Scenario | dict[str, Any], **kwargs: Any) -> NegotiationModel:
    if isinstance(scenario, dict):
        scenario = parse_scenario(scenario)
    kwargs.setdefault("protocol", build_protocol("simultaneous"))
    return NegotiationModel(scenario, **kwargs).run(progress=False)


def _with_red_lines(data: dict[str, Any]) -> dict[str, Any]:
    """Give every party a red line on the worst option of one issue."""
    issues = list(data["issues"])
    for p, party in enumerate(data["parties"].values()):
        issue = issues[p % len(issues)]
        values = party["positions"][issue]["values"]
        party["red_lines"] = {issue: [min(values, key=values.get)]}
    return data


def assert_deals_are_safe(model: NegotiationModel) -> int:
    """Every agreement clears every required party's reservation and red lines; returns count."""
    scenario = model.scenario
    results = model.results()
    agreed = (results["outcome"] == "agreement").to_numpy()
    deals = np.stack(
        [
            results.loc[agreed, f"deal_{issue.name}"].map(issue.options.index).to_numpy(int)
            for issue in scenario.issues
        ],
        axis=1,
    )
    for p, name in enumerate(scenario.party_names):
        if not scenario.required[p]:
            continue
        utility = results.loc[agreed, f"utility_{name}"].to_numpy()
        reservation = results.loc[agreed, f"reservation_{name}"].to_numpy()
        assert (utility >= reservation - 1e-9).all()
        crossed = scenario.red_lines[p][np.arange(len(scenario.issues)), deals]
        assert not crossed.any()
    return int(agreed.sum())


def test_same_wishes_agree_in_round_one() -> None:
    data = small_scenario_data(n_parties=3, n_issues=3, n_options=3, reservation=0.5)
    first = data["parties"]["p0"]["positions"]
    for name in ("p1", "p2"):
        data["parties"][name]["positions"] = first
    results = _run(data, replications=40, seed=1).results()
    assert (results["outcome"] == "agreement").all()
    assert (results["round"] == 1).all()
    assert (results[[f"deal_i{i}" for i in range(3)]].to_numpy() == "o2").all()


def test_no_zone_of_agreement_never_agrees() -> None:
    data = small_scenario_data(n_issues=3, reservation=0.6)
    results = _run(data, replications=60, seed=2, max_rounds=40).results()
    assert (results["outcome"] != "agreement").all()


@pytest.mark.parametrize("seed", range(4))
def test_agreements_clear_reservations_and_red_lines(seed: int) -> None:
    data = random_scenario_data(seed, n_parties=3, n_issues=4, strategies=STRATEGIES)
    model = _run(_with_red_lines(data), replications=80, seed=seed, max_rounds=40)
    assert_deals_are_safe(model)


def test_some_random_scenarios_do_agree() -> None:
    """The safety test above is not vacuous: these scenarios reach agreements."""
    agreements = 0
    for seed in range(4):
        data = random_scenario_data(seed, n_parties=3, n_issues=4, strategies=STRATEGIES)
        agreements += assert_deals_are_safe(
            _run(_with_red_lines(data), replications=80, seed=seed, max_rounds=40)
        )
    assert agreements > 0


def test_same_seed_same_results_and_history() -> None:
    data = random_scenario_data(7, n_parties=3, n_issues=4, strategies=STRATEGIES)
    first, second = (_run(data, replications=50, seed=11, max_rounds=30) for _ in range(2))
    pd.testing.assert_frame_equal(first.results(), second.results())
    np.testing.assert_array_equal(first.offer_history, second.offer_history)
    np.testing.assert_array_equal(first.proposer_history, second.proposer_history)
    other = _run(data, replications=50, seed=12, max_rounds=30)
    assert not first.results().equals(other.results())


def test_results_have_one_row_per_replication() -> None:
    results = _run(small_scenario_data(), replications=37, seed=0).results()
    assert len(results) == 37
    assert results["replication"].tolist() == list(range(37))


def _two_good_offers(strategy: dict[str, Any]) -> Scenario:
    """One issue; p0 likes o0 best and o1 next, p1 the reverse: both offers are agreeable."""
    data = small_scenario_data(n_issues=1, n_options=3, reservation=0.5, strategy=strategy)
    data["parties"]["p0"]["positions"]["i0"]["values"] = {"o0": 1.0, "o1": 0.9, "o2": 0.0}
    data["parties"]["p1"]["positions"]["i0"]["values"] = {"o0": 0.9, "o1": 1.0, "o2": 0.0}
    return parse_scenario(data)


def test_tie_goes_to_the_first_agreeable_offer_in_turn_order() -> None:
    # A fast conceder accepts the other's offer (0.9) in round 1; both offers are agreeable, so
    # the replication's first proposer's own offer wins.
    scenario = _two_good_offers({"name": "conceder", "exponent": 20.0})
    model = _run(scenario, replications=60, seed=3, max_rounds=2)
    results = model.results()
    assert (results["round"] == 1).all()
    assert set(results["first_proposer"]) == {"p0", "p1"}
    expected = results["first_proposer"].map({"p0": "o0", "p1": "o1"})
    assert (results["deal_i0"] == expected).all()
    proposer = model.proposer_history[0]
    assert (proposer == results["first_proposer"].map({"p0": 0, "p1": 1}).to_numpy()).all()
    # The received utilities are those of the recorded offer: 0.9 to the other party.
    line = np.arange(len(results))
    received = model.received_history[0]
    np.testing.assert_allclose(received[1 - proposer, line], 0.9, rtol=1e-6)
    assert np.isnan(received[proposer, line]).all()


def test_turn_order_rotates_with_the_round() -> None:
    # A Boulware party asks for more than 0.9 until the last round: the first agreeable round is
    # round 2 (of 3), where the rotation starts one party after the first proposer.
    scenario = _two_good_offers({"name": "boulware", "exponent": 0.1})
    for first, deal in (("p0", "o1"), ("p1", "o0")):
        results = _run(scenario, replications=5, seed=0, max_rounds=3, first_proposer=first)
        results = results.results()
        assert (results["round"] == 2).all()
        assert (results["deal_i0"] == deal).all()


def test_an_agreeable_offer_off_turn_is_chosen_and_recorded() -> None:
    # p1 (Boulware) rejects p0's offer on turn; p0 (a fast conceder) accepts p1's offer.
    data = small_scenario_data(n_issues=1, n_options=3, reservation=0.5)
    data["parties"]["p0"]["positions"]["i0"]["values"] = {"o0": 1.0, "o1": 0.9, "o2": 0.0}
    data["parties"]["p1"]["positions"]["i0"]["values"] = {"o0": 0.9, "o1": 1.0, "o2": 0.0}
    data["parties"]["p0"]["strategy"] = {"name": "conceder", "exponent": 20.0}
    data["parties"]["p1"]["strategy"] = {"name": "boulware", "exponent": 0.1}
    model = _run(data, replications=5, seed=0, max_rounds=3, first_proposer="p0")
    results = model.results()
    assert (results["round"] == 1).all()
    assert (results["deal_i0"] == "o1").all()
    assert (model.proposer_history[0] == 1).all()
    np.testing.assert_allclose(model.received_history[0, 0], 0.9, rtol=1e-6)
    assert np.isnan(model.received_history[0, 1]).all()
