"""Texts a party called worse than no deal are never tabled again by a neutral mediator."""

from __future__ import annotations

import numpy as np

from negsim.model import NegotiationModel
from negsim.protocols import build_protocol
from negsim.protocols.refused import RefusedTexts
from negsim.scenario import parse_scenario
from tests.builders import panel_scenario_data, zone_share


def test_a_refused_text_is_known_and_others_are_not() -> None:
    refused = RefusedTexts(replications=3, n_issues=2)
    rows = np.array([0, 2])
    refused.add(rows, np.array([[1, 0], [0, 1]]))
    assert refused.refused(np.array([0, 1, 2]), np.array([[1, 0], [1, 0], [0, 1]])).tolist() == [
        True,
        False,
        True,
    ]
    assert not refused.refused(np.array([0]), np.array([[0, 1]])).any()


def test_the_list_grows_beyond_its_first_slots() -> None:
    refused = RefusedTexts(replications=1, n_issues=1)
    for k in range(20):
        refused.add(np.array([0]), np.array([[k]]))
    assert refused.count[0] == 20
    assert refused.refused(np.zeros(20, dtype=int), np.arange(20)[:, None]).all()


def test_a_refused_best_text_gives_way_to_the_cheapest_change() -> None:
    refused = RefusedTexts(replications=1, n_issues=2)
    refused.add(np.array([0]), np.array([[0, 0]]))
    score = np.array([[[1.0, 0.2, 0.0], [1.0, 0.9, 0.0]]])  # issue 1's runner-up costs 0.1
    out = refused.replace(np.array([0]), np.array([[0, 0]]), score, np.zeros((1, 2)))
    assert out.tolist() == [[0, 1]]
    refused.add(np.array([0]), np.array([[0, 1]]))
    out = refused.replace(np.array([0]), np.array([[0, 0]]), score, np.zeros((1, 2)))
    assert out.tolist() == [[1, 0]]  # then the next cheapest


def test_a_neutral_mediator_never_repeats_a_text_someone_called_worse_than_no_deal() -> None:
    """Replays each story on panels with a zone of agreement (a fifth of the outcomes or more):
    no text is tabled after a required party called it worse than no deal (checked from the
    parties' own numbers, which the mediator never reads)."""
    panels = (
        panel_scenario_data(seed, n_parties=(3, 4), reservation=0.3, max_outcomes=5000)
        for seed in range(40)
    )
    wide = [data for data in panels if zone_share(data) >= 0.2][:6]
    assert len(wide) == 6
    for seed, data in enumerate(wide):
        model = NegotiationModel(
            parse_scenario(data),
            replications=30,
            seed=seed,
            max_rounds=120,
            protocol=build_protocol("mediated", {}),
        ).run(progress=False)
        offers = model.offer_history
        for row in range(model.replications):
            seen_worse: set[tuple[int, ...]] = set()
            for round_ in range(int(model.end_round[row])):
                text = tuple(int(x) for x in offers[round_, row])
                assert text not in seen_worse, f"panel {seed}, row {row}, round {round_ + 1}"
                deal = np.array([text])
                for agent in model.parties:
                    worth = agent.utility(np.array([row]), deal)[0]
                    if worth < agent.reservation[row] - 1e-9 and model.required[agent.index]:
                        seen_worse.add(text)
