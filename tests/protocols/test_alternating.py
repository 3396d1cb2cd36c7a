"""Stacked alternating offers: who proposes next under each turn rule."""

from __future__ import annotations

import pytest

from negsim.errors import NegsimError
from negsim.model import NegotiationModel
from negsim.protocols import build_protocol
from negsim.scenario import parse_scenario
from tests.builders import small_scenario_data


def _model(turns: str, **kwargs) -> NegotiationModel:
    data = small_scenario_data(n_parties=4, n_issues=3, n_options=5, reservation=0.4)
    data["parties"]["p1"]["strategy"] = {"name": "conceder", "exponent": 3.0}  # accepts early
    return NegotiationModel(
        parse_scenario(data),
        replications=8,
        seed=2,
        max_rounds=40,
        first_proposer="p0",
        protocol=build_protocol("alternating", {"turns": turns}),
        **kwargs,
    ).run(progress=False)


def test_round_robin_hands_the_turn_to_every_party_in_order() -> None:
    model = _model("round_robin")
    history = model.proposer_history[: model.round]
    for round_ in range(model.round):
        on = history[round_] >= 0
        assert (history[round_][on] == round_ % 4).all()


@pytest.mark.parametrize(("turns", "second"), [("rejecter", 3), ("round_robin", 1)])
def test_who_answers_the_opening_offer(turns: str, second: int) -> None:
    """p1 and p2 share p0's preferences and accept its opening; p3 alone rejects it."""
    data = small_scenario_data(n_parties=4, n_issues=3, n_options=5, reservation=0.4)
    data["parties"]["p1"]["positions"] = data["parties"]["p0"]["positions"]
    model = NegotiationModel(
        parse_scenario(data),
        replications=4,
        seed=0,
        max_rounds=30,
        first_proposer="p0",
        protocol=build_protocol("alternating", {"turns": turns}),
    )
    model.step()
    assert (model.proposer_history[0] == 0).all()
    model.step()
    assert (model.proposer_history[1] == second).all()


def test_an_unknown_turn_rule_is_one_clear_error() -> None:
    with pytest.raises(NegsimError, match="protocol: turns: must be one of round_robin, rejecter"):
        _model("everyone")
