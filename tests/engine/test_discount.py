"""Time discounting: `U(o, t) = U(o) * d**t` in the results, the clock, acceptance and analysis."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.analysis.replication_quality import deal_distances
from negsim.errors import ScenarioError
from negsim.model import NegotiationModel
from negsim.scenario import parse_scenario
from tests.builders import random_scenario_data, small_scenario_data


def _scenario(discounts: dict[str, float], **kw: object):
    data = small_scenario_data(n_issues=3, n_options=5, reservation=0.2, **kw)
    for name, d in discounts.items():
        data["parties"][name]["discount"] = d
    return parse_scenario(data)


def test_discount_one_is_no_discount_bit_for_bit() -> None:
    plain = NegotiationModel(_scenario({}), replications=300, seed=4).run().results()
    ones = NegotiationModel(_scenario({"p0": 1.0, "p1": 1.0}), replications=300, seed=4).run()
    pd.testing.assert_frame_equal(plain, ones.results())


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, "x", float("nan")])
def test_discount_must_lie_in_unit_interval(bad: object) -> None:
    data = small_scenario_data()
    data["parties"]["p1"]["discount"] = bad
    with pytest.raises(ScenarioError, match=r"parties\.p1\.discount: must"):
        parse_scenario(data)


def test_results_are_discounted_utilities() -> None:
    scenario = _scenario({"p0": 0.4, "p1": 0.9}, deadline=30)
    model = NegotiationModel(scenario, replications=400, seed=1).run()
    frame = model.results()
    agreed = frame["outcome"] == "agreement"
    assert agreed.any() and (~agreed).any() is not None
    for p, (name, d) in enumerate([("p0", 0.4), ("p1", 0.9)]):
        factor = d ** np.minimum(frame["round"] / model.horizon, 1.0)
        raw = np.where(agreed, model.deal_utility[:, p], scenario.reservations[p])
        np.testing.assert_allclose(frame[f"utility_{name}"], raw * factor, rtol=1e-12)
        assert (frame[f"utility_{name}"] < raw - 1e-9)[frame["round"] > 0].all()


def test_distances_are_measured_in_the_round_of_the_deal() -> None:
    scenario = _scenario({"p0": 0.5, "p1": 0.7}, deadline=40)
    model = NegotiationModel(scenario, replications=200, seed=2, record=False).run()
    frame = model.results()
    rows = np.flatnonzero(frame["outcome"] == "agreement")
    assert rows.size > 50
    draws = model.draws
    tables = (draws.weights[..., None] * draws.values).transpose(1, 0, 2, 3)[rows]
    s = frame["round"].to_numpy()[rows] / model.horizon[rows]
    factor = np.stack([0.5**s, 0.7**s], axis=1)
    deals = np.stack(
        [
            [scenario.issues[i].index(o) for i, o in enumerate(row)]
            for row in frame.loc[rows, [f"deal_{i}" for i in scenario.issue_names]].to_numpy()
        ]
    )
    to_pareto, to_nash = deal_distances(
        tables * factor[:, :, None, None],
        model.admissible,
        deals,
        draws.reservations.T[rows] * factor,
    )
    np.testing.assert_allclose(frame["distance_to_pareto"].to_numpy()[rows], to_pareto)
    np.testing.assert_allclose(frame["distance_to_nash"].to_numpy()[rows], to_nash)


@settings(max_examples=40, deadline=None)
@given(
    d=st.floats(0.01, 0.999),
    exponent=st.floats(0.05, 5.0),
    horizon=st.integers(2, 200),
)
def test_a_discounting_party_concedes_no_later(d: float, exponent: float, horizon: int) -> None:
    strategy = {"name": "time_dependent", "exponent": exponent}
    plain = NegotiationModel(_scenario({}, strategy=strategy), 1, max_rounds=horizon, seed=0)
    eager = NegotiationModel(_scenario({"p0": d}, strategy=strategy), 1, max_rounds=horizon, seed=0)
    rows = np.zeros(1, dtype=np.int64)
    times = [eager.parties[0].time(r, rows)[0] for r in range(horizon + 1)]
    assert times[0] == 0.0 and times[-1] == pytest.approx(1.0)
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(times))
    for r in range(horizon + 1):
        assert eager.parties[0].target(rows, r)[0] <= plain.parties[0].target(rows, r)[0] + 1e-12
        assert eager.parties[1].target(rows, r)[0] == plain.parties[1].target(rows, r)[0]


def test_the_clock_nears_the_plain_one_as_d_nears_one() -> None:
    near = NegotiationModel(_scenario({"p0": 1 - 1e-9}), 1, max_rounds=50, seed=0)
    rows = np.zeros(1, dtype=np.int64)
    for r in (0, 10, 25, 49, 50):
        assert near.parties[0].time(r, rows)[0] == pytest.approx(r / 50, abs=1e-6)


def test_the_impatient_party_gets_less() -> None:
    """Two mirror-image parties: the one that discounts concedes sooner and keeps less."""
    kept = {}
    for d in (1.0, 0.5, 0.1):
        scenario = _scenario({"p0": d}, strategy={"name": "boulware", "exponent": 0.3})
        model = NegotiationModel(scenario, replications=200, seed=7).run()
        assert (model.results()["outcome"] == "agreement").all()
        kept[d] = model.deal_utility.mean(axis=0)  # undiscounted: which deal, not when
    assert kept[1.0][0] == pytest.approx(0.5)
    assert kept[1.0][0] + 1e-5 >= kept[0.5][0] >= kept[0.1][0]
    assert kept[0.1][0] < 0.45 and kept[0.1][1] > 0.55


def test_acceptance_floor_is_discounted_by_one_round() -> None:
    data = random_scenario_data(3, n_parties=2, n_issues=3, max_options=4)
    data["parties"]["p0"]["discount"] = 0.2
    scenario = parse_scenario(data)
    model = NegotiationModel(scenario, replications=50, seed=0, max_rounds=20)
    agent = model.parties[0]
    rows = np.arange(50)
    offers = np.zeros((50, 3), dtype=np.int64)
    utility = agent.utility(rows, offers)
    nxt = agent.strategy.next_target(agent, rows, 5)
    floor = np.maximum(nxt * 0.2 ** (1 / 20), agent.reservation[rows])
    accepted, _, _ = agent.respond(rows, offers, 5)
    crossed = np.zeros(50, dtype=bool)
    np.testing.assert_array_equal(accepted, (utility >= floor - 1e-9) & ~crossed)
