"""The agents find a deal where one exists, and what they know comes from the table only."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel, Outcome
from negsim.scenario import parse_scenario
from tests.builders import random_scenario_data, small_scenario_data

BOULWARE = {"name": "boulware", "exponent": 0.2}


def test_flagship_at_its_stated_numbers_all_boulware_finds_its_deal() -> None:
    scenario = load_scenario("ukraine_2025")
    changes: dict[str, object] = {}
    for name in scenario.party_names:
        changes[f"parties.{name}.strategy"] = BOULWARE
        changes[f"parties.{name}.deadline"] = None
        changes[f"parties.{name}.uncertainty"] = {"weights": 0, "reservation": 0, "values": 0}
    scenario = scenario.override(changes)
    model = NegotiationModel(scenario, replications=100, seed=0, record=False).run(progress=False)
    agreed = model.status == Outcome.AGREEMENT
    assert agreed.mean() >= 0.9
    assert (model.deal_utility[agreed] >= scenario.reservations - 1e-9).all()


def _listed_utilities(scenario) -> np.ndarray:
    """Every party's utility of every outcome, listed by brute force, shape (N, P)."""
    sizes = scenario.option_mask.sum(axis=1)
    grids = np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij")
    outcomes = np.stack([g.reshape(-1) for g in grids], axis=1)
    tables = scenario.weights[:, :, None] * scenario.values
    issues = np.arange(outcomes.shape[1])
    return np.stack([t[issues, outcomes].sum(axis=1) for t in tables], axis=1)


@pytest.mark.slow
def test_narrow_zones_are_found_whoever_opens() -> None:
    """Ten random four-party domains with reservations 0.1 below the utilities of the fairest
    outcome (zones of 0.1% to 5% of the outcomes), each opened once by every party: at least
    nine deals in ten, and every deal clears every reservation."""
    agreed = total = 0
    for seed in range(10):
        data = random_scenario_data(
            seed, n_parties=4, n_issues=8, min_options=3, max_options=4, strategies=[BOULWARE]
        )
        listed = _listed_utilities(parse_scenario(data))
        fairest = listed[listed.min(axis=1).argmax()]
        for p, name in enumerate(data["parties"]):
            data["parties"][name]["reservation"] = round(float(fairest[p]) - 0.1, 3)
        scenario = parse_scenario(data)
        assert 0 < (listed >= scenario.reservations).all(axis=1).mean() < 0.05
        model = NegotiationModel(scenario, 4, seed=0, first_proposer=scenario.party_names)
        done = model.run(progress=False).status == Outcome.AGREEMENT
        assert (model.deal_utility[done] >= scenario.reservations - 1e-9).all()
        agreed += int(done.sum())
        total += done.size
    assert agreed / total >= 0.9


def test_the_opening_offer_does_not_depend_on_the_others_true_numbers() -> None:
    """Before anything is on the table, the opener knows nothing of the others: changing their
    values must not change its first offer."""
    data = random_scenario_data(3, n_parties=3, n_issues=5, max_options=4)
    model = NegotiationModel(parse_scenario(data), 20, seed=1, first_proposer="p0")
    model.step()
    for party in ("p1", "p2"):
        for position in data["parties"][party]["positions"].values():
            position["values"] = {k: round(1.0 - v, 3) for k, v in position["values"].items()}
    changed = NegotiationModel(parse_scenario(data), 20, seed=1, first_proposer="p0")
    changed.step()
    np.testing.assert_array_equal(model.offer_history[0], changed.offer_history[0])


def test_late_acceptance_takes_an_offer_as_good_as_the_best_received() -> None:
    data = small_scenario_data(n_parties=2, n_issues=2, n_options=3, strategy="hardliner")
    scenario = parse_scenario(data)  # p1 values option k at 1 - k/2 on both issues, weight 1/2
    rows = np.array([0])

    def answers(late: float | None) -> list[bool]:
        model = NegotiationModel(scenario, 1, seed=0, max_rounds=10, accept_best_after=late)
        p1 = model.parties[1]
        said = []
        for round_, offer in enumerate([[1, 1], [1, 1], [1, 2], [0, 2]], start=1):
            accepted, _, _ = p1.respond(rows, np.array([offer]), round_)
            said.append(bool(accepted[0]))
        return said

    # A hardliner asks for its best (1.0): it never accepts 0.5 under the plain rule. From 15%
    # of its time on, it takes an offer worth at least the best it received (0.5, round 1).
    assert answers(None) == [False, False, False, False]
    assert answers(0.15) == [False, True, False, True]
    with pytest.raises(NegsimError, match="accept_best_after"):
        NegotiationModel(scenario, 1, accept_best_after=1.5)
