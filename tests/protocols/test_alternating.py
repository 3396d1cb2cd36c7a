"""Stacked alternating offers: who proposes next under each turn rule."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.errors import NegsimError
from negsim.model import NegotiationModel
from negsim.protocols import build_protocol
from negsim.scenario import parse_scenario
from tests.builders import small_scenario_data


def _model(turns: str, seating: object = "drawn", **kwargs) -> NegotiationModel:
    data = small_scenario_data(n_parties=4, n_issues=3, n_options=5, reservation=0.4)
    data["parties"]["p1"]["strategy"] = {"name": "conceder", "exponent": 3.0}  # accepts early
    return NegotiationModel(
        parse_scenario(data),
        replications=8,
        seed=2,
        max_rounds=40,
        first_proposer="p0",
        protocol=build_protocol("alternating", {"turns": turns, "seating": seating}),
        **kwargs,
    ).run(progress=False)


def test_round_robin_hands_the_turn_to_every_party_in_its_seat_order() -> None:
    model = _model("round_robin")
    history = model.proposer_history[: model.round]
    rows = np.arange(model.replications)
    start = model.place[rows, model.first_proposer]
    for round_ in range(model.round):
        on = history[round_] >= 0
        seated = model.seating[rows, (start + round_) % 4]
        assert (history[round_][on] == seated[on]).all()
    assert len({tuple(order) for order in model.seating}) > 1, "the seating is drawn per row"


@pytest.mark.parametrize(
    ("seating", "order"), [("written", [0, 1, 2, 3]), (["p0", "p2", "p3", "p1"], [0, 2, 3, 1])]
)
def test_a_fixed_seating_is_kept_in_every_replication(seating: object, order: list[int]) -> None:
    model = _model("round_robin", seating)
    history = model.proposer_history[: model.round]
    for round_ in range(model.round):
        on = history[round_] >= 0
        assert (history[round_][on] == order[round_ % 4]).all()


@pytest.mark.parametrize(
    ("seating", "message"),
    [
        ("random", "seating: must be 'drawn', 'written' or a list of the parties"),
        (["p0", "p1", "p2"], "seating: must name every party once"),
        (["p0", "p1", "p2", "p9"], "seating: no party 'p9'"),
    ],
)
def test_a_bad_seating_is_one_clear_error(seating: object, message: str) -> None:
    with pytest.raises(NegsimError, match=f"^protocol: {message}"):
        _model("round_robin", seating)


@pytest.mark.parametrize(("turns", "second"), [("rejecter", 3), ("round_robin", 1)])
def test_who_answers_the_opening_offer(turns: str, second: int) -> None:
    """In the written seating: p1 and p2 share p0's preferences and accept its opening; p3 alone
    rejects it."""
    data = small_scenario_data(n_parties=4, n_issues=3, n_options=5, reservation=0.4)
    data["parties"]["p1"]["positions"] = data["parties"]["p0"]["positions"]
    model = NegotiationModel(
        parse_scenario(data),
        replications=4,
        seed=0,
        max_rounds=30,
        first_proposer="p0",
        protocol=build_protocol("alternating", {"turns": turns, "seating": "written"}),
    )
    model.step()
    assert (model.proposer_history[0] == 0).all()
    model.step()
    assert (model.proposer_history[1] == second).all()


def test_an_unknown_turn_rule_is_one_clear_error() -> None:
    with pytest.raises(NegsimError, match="protocol: turns: must be one of round_robin, rejecter"):
        _model("everyone")
