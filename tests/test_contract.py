"""One contract for every registered strategy in every registered protocol, at R = 1 and R = 1000.

Offers are valid outcomes, no party ever accepts an offer below its reservation value or across
one of its red lines, and the same seed gives identical results.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from negsim.agents import PartyAgent
from negsim.model import NegotiationModel
from negsim.protocols import PROTOCOLS, build_protocol
from negsim.scenario import Scenario, parse_scenario
from negsim.strategies import STRATEGIES
from tests.builders import random_scenario_data


def _scenario(strategy: str) -> Scenario:
    data = random_scenario_data(
        11,
        n_parties=3,
        n_issues=4,
        max_options=4,
        min_options=3,
        reservation_range=(0.2, 0.45),
        strategies=[strategy],
    )
    for name, party in data["parties"].items():
        worst = min(party["positions"]["i1"]["values"].items(), key=lambda kv: kv[1])[0]
        party["red_lines"] = {"i1": [worst]}
        party["uncertainty"] = {"weights": 30.0, "reservation": 0.05, "values": 0.03}
        if name == "p2":
            party["deadline"] = 25
    data["tracks"] = {
        "main": {"issues": ["i0", "i1"], "parties": ["p0", "p1", "p2"]},
        "side": {"issues": ["i2", "i3"], "parties": ["p0", "p1"]},
    }
    return parse_scenario(data)


def _run(strategy: str, protocol: str, replications: int, seed: int = 5) -> NegotiationModel:
    model = NegotiationModel(
        _scenario(strategy),
        replications=replications,
        seed=seed,
        max_rounds=30,
        protocol=build_protocol(protocol),
    )
    return model.run(progress=False)


CASES = [(s.name, p.name) for s in STRATEGIES for p in PROTOCOLS]


@pytest.mark.parametrize("replications", [1, 1000])
@pytest.mark.parametrize(("strategy", "protocol"), CASES)
def test_contract(
    strategy: str, protocol: str, replications: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    respond = PartyAgent.respond

    def recording(self: PartyAgent, rows: np.ndarray, offers: np.ndarray, round_: int) -> Any:
        accepted, objections, utility = respond(self, rows, offers, round_)
        answers.append((accepted, utility, self.reservation[rows], objections.any(axis=1)))
        return accepted, objections, utility

    monkeypatch.setattr(PartyAgent, "respond", recording)
    model = _run(strategy, protocol, replications)
    assert answers, "nobody answered anything"
    for accepted, utility, reservation, crossed in answers:
        assert (utility[accepted] >= reservation[accepted] - 1e-9).all()
        assert not crossed[accepted].any()

    scenario = model.scenario
    offers = model.offer_history[: model.round].astype(np.int64)
    made = offers >= 0
    assert (offers < scenario.n_options[None, None, :])[made].all()
    results = model.results()
    assert len(results) == replications
    agreed = (results["outcome"] == "agreement").to_numpy()
    for p, party in enumerate(scenario.parties):
        utility = results[f"utility_{party.name}"].to_numpy()
        assert ((utility >= 0) & (utility <= 1)).all()
        if protocol != "split_track":  # on tracks, reservations hold per track
            reservation = results[f"reservation_{party.name}"].to_numpy()
            assert (utility[agreed] >= reservation[agreed] - 1e-9).all()
        deals = model.deal[agreed]
        assert not scenario.red_lines[p][np.arange(deals.shape[1]), deals].any()

    again = _run(strategy, protocol, replications).results()
    pd.testing.assert_frame_equal(results, again)
