"""Strategies checked against bargaining theory on the split of a pie.

One issue with 101 options x = 0, 0.01, ..., 1; party a values x, party b values 1 - x.
"""

from __future__ import annotations

from typing import Any

import pytest

from negsim.model import NegotiationModel
from negsim.scenario import Scenario, parse_scenario

OPTIONS = [f"x{k:03d}" for k in range(101)]


def pie(
    a: dict[str, Any], b: dict[str, Any], reservations: tuple[float, float] = (0, 0)
) -> Scenario:
    """The pie split between a (utility x) and b (utility 1 - x)."""

    def party(strategy: dict[str, Any], reservation: float, ascending: bool) -> dict[str, Any]:
        values = {o: (k if ascending else 100 - k) / 100 for k, o in enumerate(OPTIONS)}
        return {
            "reservation": reservation,
            "strategy": strategy,
            "positions": {"x": {"weight": 1.0, "values": values}},
        }

    return parse_scenario(
        {
            "name": "pie",
            "issues": {"x": {"options": OPTIONS}},
            "parties": {
                "a": party(a, reservations[0], True),
                "b": party(b, reservations[1], False),
            },
        }
    )


def _deal(scenario: Scenario, first: str) -> tuple[float, int]:
    model = NegotiationModel(scenario, replications=1, seed=0, max_rounds=200, first_proposer=first)
    row = model.run().results().iloc[0]
    assert row["outcome"] == "agreement"
    return OPTIONS.index(row["deal_x"]) / 100, int(row["round"])


@pytest.mark.parametrize("first", ["a", "b"])
def test_zeuthen_against_zeuthen_splits_the_pie_in_half(first: str) -> None:
    zeuthen = {"name": "zeuthen", "step": 0.01}
    x, _ = _deal(pie(zeuthen, zeuthen), first)
    assert x == pytest.approx(0.5, abs=0.01)  # within one option


@pytest.mark.parametrize("first", ["a", "b"])
def test_boulware_takes_the_larger_share_from_a_conceder(first: str) -> None:
    boulware = {"name": "boulware", "exponent": 0.2}
    x, against_conceder = _deal(pie(boulware, {"name": "conceder", "exponent": 2.0}), first)
    assert x > 0.5
    _, against_boulware = _deal(pie(boulware, boulware), first)
    assert against_conceder < against_boulware  # the Conceder agrees sooner


def test_zeuthen_respects_reservations_and_lands_near_the_nash_point() -> None:
    # With reservations (0.2, 0) the Nash point is x = 0.6.
    zeuthen = {"name": "zeuthen", "step": 0.01}
    x, _ = _deal(pie(zeuthen, zeuthen, (0.2, 0.0)), "a")
    assert x >= 0.2
    assert x == pytest.approx(0.6, abs=0.03)
