"""The agents find a deal where one exists, and what they know comes from the table only."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.analysis import analyse
from negsim.model import NegotiationModel, Outcome
from negsim.scenario import load_scenario, parse_scenario
from tests.builders import random_scenario_data

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


@pytest.mark.parametrize("seed", [1, 3, 5])
def test_a_narrow_zone_is_found_whoever_opens(seed: int) -> None:
    """Reservations 0.1 below the Nash point's utilities leave a zone of well under 1% of the
    outcomes; every opener reaches it, and the deal clears every reservation."""
    data = random_scenario_data(
        seed, n_parties=4, n_issues=8, min_options=3, max_options=4, strategies=[BOULWARE]
    )
    nash = analyse(parse_scenario(data)).nash.utilities
    for p, name in enumerate(data["parties"]):
        data["parties"][name]["reservation"] = round(float(nash[p]) - 0.1, 3)
    scenario = parse_scenario(data)
    assert 0 < analyse(scenario).zopa.share < 0.01
    model = NegotiationModel(scenario, 4, seed=0, first_proposer=scenario.party_names)
    model.run(progress=False)
    assert (model.status == Outcome.AGREEMENT).all()
    assert (model.deal_utility >= scenario.reservations - 1e-9).all()


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
