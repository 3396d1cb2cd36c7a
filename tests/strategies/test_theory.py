"""Strategies checked against bargaining theory on the split of a pie.

One issue with 101 options x = 0, 0.01, ..., 1; party a values x, party b values (1 - x) ** power:
linear for power 1, concave for power 1/2. The Nash point is found by brute force over the options.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from negsim.model import NegotiationModel
from negsim.scenario import Scenario, parse_scenario

OPTIONS = [f"x{k:03d}" for k in range(101)]
X = np.arange(101) / 100
ZEUTHEN = {"name": "zeuthen", "step": 0.01}


def pie(
    a: dict[str, Any],
    b: dict[str, Any],
    reservations: tuple[float, float] = (0, 0),
    power: float = 1.0,
    reservation_spread: float = 0.0,
) -> Scenario:
    """The pie split between a (utility x) and b (utility (1 - x) ** power); each replication
    draws the reservation values with standard deviation `reservation_spread`."""

    def party(strategy: dict[str, Any], reservation: float, values: np.ndarray) -> dict[str, Any]:
        table = dict(zip(OPTIONS, values.tolist(), strict=True))
        return {
            "reservation": reservation,
            "strategy": strategy,
            "positions": {"x": {"weight": 1.0, "values": table}},
            "uncertainty": {"reservation": reservation_spread},
        }

    return parse_scenario(
        {
            "name": "pie",
            "issues": {"x": {"options": OPTIONS}},
            "parties": {
                "a": party(a, reservations[0], X),
                "b": party(b, reservations[1], (1 - X) ** power),
            },
        }
    )


def nash_points(reservations: tuple[float, float], power: float = 1.0) -> np.ndarray:
    """The options x maximising `(x - r_a) * ((1 - x) ** power - r_b)` over the ZOPA."""
    gain_a, gain_b = X - reservations[0], (1 - X) ** power - reservations[1]
    product = np.where((gain_a >= 0) & (gain_b >= 0), gain_a * gain_b, -1.0)
    return X[np.isclose(product, product.max(), rtol=0, atol=1e-12)]


def _deal(scenario: Scenario, first: str, max_rounds: int = 200) -> tuple[float, int]:
    model = NegotiationModel(
        scenario, replications=1, seed=0, max_rounds=max_rounds, first_proposer=first
    )
    row = model.run(progress=False).results().iloc[0]
    assert row["outcome"] == "agreement"
    return OPTIONS.index(row["deal_x"]) / 100, int(row["round"])


def test_nash_points_by_brute_force() -> None:
    assert nash_points((0, 0)).tolist() == [0.5]
    assert nash_points((0.2, 0)).tolist() == [0.6]
    assert nash_points((0, 0), power=0.5).tolist() == [0.67]  # x * sqrt(1 - x) peaks at 2/3


@pytest.mark.parametrize("first", ["a", "b"])
def test_zeuthen_against_zeuthen_splits_the_pie_in_half(first: str) -> None:
    x, _ = _deal(pie(ZEUTHEN, ZEUTHEN), first)
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
    x, _ = _deal(pie(ZEUTHEN, ZEUTHEN, (0.2, 0.0)), "a")
    assert x >= 0.2
    assert x == pytest.approx(0.6, abs=0.01)


@pytest.mark.parametrize("first", ["a", "b"])
@pytest.mark.parametrize("reservations", [(0.0, 0.0), (0.2, 0.0), (0.0, 0.3)])
def test_zeuthen_against_zeuthen_lands_on_the_nash_point_of_a_concave_pie(
    reservations: tuple[float, float], first: str
) -> None:
    x, _ = _deal(pie(ZEUTHEN, ZEUTHEN, reservations, power=0.5), first)
    assert np.abs(nash_points(reservations, power=0.5) - x).min() <= 0.01 + 1e-9
