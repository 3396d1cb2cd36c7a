"""NegotiationModel: protocol behaviour, outcomes, results table and DataCollector series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel, Outcome, negotiation_horizon
from negsim.scenario import parse_scenario
from negsim.utility import best_utility
from tests.builders import random_scenario_data, small_scenario_data


def _scenario(**kwargs):
    return parse_scenario(small_scenario_data(**kwargs))


def test_steps_until_every_replication_ends() -> None:
    model = NegotiationModel(_scenario(), replications=30, seed=1, max_rounds=40)
    assert model.running
    model.step()
    assert model.round == 1
    model.run(progress=False)
    assert not model.running
    assert (model.status != Outcome.RUNNING).all()
    assert model.round <= 40


def test_identical_preferences_agree_in_the_first_round() -> None:
    data = small_scenario_data(n_parties=3, n_issues=4, reservation=0.5)
    first = data["parties"]["p0"]["positions"]
    for name in ("p1", "p2"):
        data["parties"][name]["positions"] = first
    results = NegotiationModel(parse_scenario(data), replications=50, seed=3).run().results()
    assert (results["outcome"] == "agreement").all()
    assert (results["round"] == 1).all()
    best = [f"o{2}"] * 4  # the ramp makes the last option best for p0
    assert (results[[f"deal_i{i}" for i in range(4)]].to_numpy() == best).all()


def test_no_zone_of_agreement_never_agrees() -> None:
    # Opposed linear values: p0's utility is 1 - p1's, so reservations 0.6 leave nothing for both.
    scenario = _scenario(reservation=0.6, n_issues=3)
    results = NegotiationModel(scenario, replications=100, seed=2, max_rounds=50).run().results()
    assert (results["outcome"] != "agreement").all()


def test_deadline_walkaway_is_recorded_by_party() -> None:
    data = small_scenario_data(reservation=0.6)
    data["parties"]["p1"]["deadline"] = 5
    results = NegotiationModel(parse_scenario(data), replications=20, seed=0).run().results()
    assert (results["outcome"] == "walkaway").all()
    assert (results["walked_away"] == "p1").all()
    assert (results["round"] == 6).all()


def test_red_lines_close_options_and_unreachable_reservation_walks_away() -> None:
    data = small_scenario_data(reservation=0.2, n_issues=1, n_options=3)
    # p0 wants o2, p1 wants o0; p1 never accepts o2 and p0 never accepts o0 or o1.
    data["parties"]["p1"]["red_lines"] = {"i0": ["o2"]}
    data["parties"]["p0"]["red_lines"] = {"i0": ["o0", "o1"]}
    results = NegotiationModel(parse_scenario(data), replications=10, seed=0).run().results()
    assert (results["outcome"] == "walkaway").all()
    assert (results["round"] <= 3).all()


def test_timeout_at_max_rounds() -> None:
    scenario = _scenario(reservation=0.6, strategy="hardliner")
    model = NegotiationModel(scenario, replications=5, seed=0, max_rounds=7)
    results = model.run().results()
    assert (results["outcome"] == "timeout").all()
    assert (results["round"] == 7).all()
    assert model.round == 7


def test_non_required_party_does_not_block_agreement() -> None:
    data = small_scenario_data(n_parties=3, reservation=0.3)
    data["parties"]["p2"]["required"] = False
    data["parties"]["p2"]["strategy"] = "hardliner"
    data["parties"]["p2"]["positions"] = data["parties"]["p1"]["positions"]
    data["parties"]["p1"]["positions"] = data["parties"]["p0"]["positions"]
    results = NegotiationModel(parse_scenario(data), replications=10, seed=0).run().results()
    assert (results["outcome"] == "agreement").all()
    assert results["cleared_p2"].isna().sum() == 0  # an agreement: cleared is known for all


def test_first_proposer_fixed_or_drawn() -> None:
    scenario = _scenario()
    fixed = NegotiationModel(scenario, replications=40, seed=0, first_proposer="p1").results()
    assert (fixed["first_proposer"] == "p1").all()
    drawn = NegotiationModel(scenario, replications=400, seed=0).results()
    assert set(drawn["first_proposer"]) == {"p0", "p1"}
    with pytest.raises(NegsimError, match="first_proposer"):
        NegotiationModel(scenario, replications=1, first_proposer="nobody")
    each = NegotiationModel(scenario, replications=4, seed=0, first_proposer=["p1", "p0"] * 2)
    assert each.results()["first_proposer"].tolist() == ["p1", "p0", "p1", "p0"]
    with pytest.raises(NegsimError, match="first_proposer: 3 names for 4 replications"):
        NegotiationModel(scenario, replications=4, first_proposer=["p1", "p0", "p1"])


@pytest.mark.parametrize("key", ["replications", "max_rounds"])
@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_run_sizes_are_rejected(key: str, bad: object) -> None:
    with pytest.raises(NegsimError, match=key):
        NegotiationModel(_scenario(), **{key: bad})


def test_results_table_columns_and_types() -> None:
    scenario = load_scenario("ukraine_2025")
    model = NegotiationModel(scenario, replications=60, seed=5).run()
    results = model.results()
    assert len(results) == 60
    for column in ("replication", "outcome", "walked_away", "round", "first_proposer"):
        assert column in results
    for issue in scenario.issue_names:
        deals = results.loc[results["outcome"] == "agreement", f"deal_{issue}"]
        assert deals.isin(scenario.issues[scenario.issue_names.index(issue)].options).all()
        assert results.loc[results["outcome"] != "agreement", f"deal_{issue}"].isna().all()
    for party in scenario.party_names:
        utility = results[f"utility_{party}"]
        assert utility.between(0, 1).all()
        no_deal = results["outcome"] != "agreement"
        np.testing.assert_allclose(utility[no_deal], results.loc[no_deal, f"reservation_{party}"])
        assert results.loc[no_deal, f"cleared_{party}"].isna().all()
        assert results.loc[~no_deal, f"cleared_{party}"].all()
    walked = results["outcome"] == "walkaway"
    assert results.loc[walked, "walked_away"].isin(scenario.party_names).all()
    assert results.loc[~walked, "walked_away"].isna().all()


def test_datacollector_series_shares_add_up() -> None:
    model = NegotiationModel(_scenario(n_issues=3), replications=50, seed=4).run()
    series = model.series()
    assert len(series) == model.round
    total = series[["running", "agreed", "walked_away", "timed_out"]].sum(axis=1)
    np.testing.assert_allclose(total, 1.0)
    assert series["running"].is_monotonic_decreasing
    assert series["target_p0"].dropna().between(0, 1).all()


def test_time_dependent_targets_fall_towards_reservation() -> None:
    scenario = _scenario(strategy={"name": "linear"}, reservation=0.2, n_issues=2)
    model = NegotiationModel(scenario, replications=10, seed=0, max_rounds=10, first_proposer="p0")
    model.step()
    early = np.nanmean(model.target_history[0, 0])
    model.step()
    later = np.nanmean(model.target_history[1, 0])
    assert early > later >= 0.2


def test_concession_horizon_is_earliest_required_deadline() -> None:
    data = small_scenario_data(n_parties=3)
    data["parties"]["p1"]["deadline"] = 12
    data["parties"]["p2"]["deadline"] = 8
    data["parties"]["p2"]["required"] = False
    scenario = parse_scenario(data)
    assert negotiation_horizon(scenario, 100) == 12
    assert negotiation_horizon(scenario, 10) == 10
    model = NegotiationModel(scenario, replications=1, seed=0)
    assert [agent.horizon for agent in model.parties] == [12, 12, 8]


def test_same_seed_same_results_other_seed_differs() -> None:
    scenario = load_scenario("ukraine_2025")
    one = NegotiationModel(scenario, replications=80, seed=11).run().results()
    two = NegotiationModel(scenario, replications=80, seed=11).run().results()
    pd.testing.assert_frame_equal(one, two)
    other = NegotiationModel(scenario, replications=80, seed=12).run().results()
    assert not one.equals(other)


def test_scales_to_thirty_issues_of_five_options() -> None:
    data = random_scenario_data(
        7, n_parties=4, n_issues=30, max_options=5, min_options=5, reservation_range=(0.3, 0.4)
    )
    model = NegotiationModel(parse_scenario(data), replications=200, seed=1, max_rounds=60)
    results = model.run().results()
    assert len(results) == 200
    assert (model.offer_history[model.offer_history >= 0] < 5).all()
    assert (results["outcome"] == "agreement").mean() > 0.5


def test_model_accepts_a_scenario_name_and_registers_one_agent_per_party() -> None:
    model = NegotiationModel("ukraine_2025", replications=3, seed=0)
    assert model.scenario.name == "ukraine_2025"
    assert len(model.agents) == 4
    assert [a.name for a in model.parties] == ["us", "russia", "ukraine", "europe"]


def test_release_frees_arrays_but_keeps_results() -> None:
    model = NegotiationModel(_scenario(n_issues=3), replications=20, seed=1).run()
    before = model.results()
    model.release()
    pd.testing.assert_frame_equal(model.results(), before)
    assert not hasattr(model, "target_history")
    assert model.opponents is None


def test_deal_quality_is_exact_up_to_the_limit_asked_for() -> None:
    data = random_scenario_data(4, n_parties=3, n_issues=6, min_options=4, max_options=4)
    scenario = parse_scenario(data)  # 4,096 admissible outcomes: above the default limit
    runs = {
        limit: NegotiationModel(scenario, 30, seed=2, exact_quality=limit).run(progress=False)
        for limit in (2048, 5000)
    }
    bound, exact = (runs[k].results() for k in (2048, 5000))
    assert not bound["distance_to_pareto_exact"].any()
    assert exact["distance_to_pareto_exact"].all()
    agreed = exact["outcome"] == "agreement"
    assert agreed.any()
    gap = exact.loc[agreed, "distance_to_pareto"] - bound.loc[agreed, "distance_to_pareto"]
    assert (gap >= -1e-12).all()  # a lower bound never exceeds the exact distance
    with pytest.raises(NegsimError, match="exact_quality"):
        NegotiationModel(scenario, 2, exact_quality=1.5)


def test_a_party_proposes_offers_that_meet_its_target() -> None:
    model = NegotiationModel(load_scenario("ukraine_2025"), replications=50, seed=4)
    model.step()
    agent = model.parties[1]
    rows = np.flatnonzero(model.status == Outcome.RUNNING)
    offers = agent.propose(rows)
    assert offers.shape == (rows.size, len(model.scenario.issues))
    forbidden = model.forbidden_for(agent, rows)  # its red lines and those others named
    reachable = best_utility(agent.table[rows], forbidden)
    floor = np.minimum(agent.target(rows, model.round), reachable)  # else its best open offer
    assert (agent.utility(rows, offers) >= floor - 1e-6).all()
    assert not np.take_along_axis(forbidden, offers[..., None], axis=-1).any()


@pytest.mark.slow
def test_history_is_kept_as_rounds_come_not_reserved_for_max_rounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A huge max_rounds reserves no history; growing it keeps every round as it was."""
    import negsim.engine.history as history_module

    data = small_scenario_data(deadline=30)
    scenario = parse_scenario(data)
    huge = NegotiationModel(scenario, replications=50, seed=1, max_rounds=10**9, record=True)
    assert huge.target_history.shape[0] == history_module.HISTORY_BLOCK
    short = NegotiationModel(scenario, replications=50, seed=1, max_rounds=200, record=True)
    pd.testing.assert_frame_equal(huge.run().results(), short.run().results())

    hard = parse_scenario(small_scenario_data(strategy="hardliner"))  # never agrees: all rounds
    grown = NegotiationModel(hard, replications=20, seed=2, max_rounds=300, record=True).run()
    monkeypatch.setattr(history_module, "HISTORY_BLOCK", 1000)
    whole = NegotiationModel(hard, replications=20, seed=2, max_rounds=300, record=True).run()
    assert grown.target_history.shape == whole.target_history.shape == (300, 2, 20)
    for name in ("target_history", "received_history", "offer_history", "proposer_history"):
        np.testing.assert_array_equal(getattr(grown, name), getattr(whole, name))
