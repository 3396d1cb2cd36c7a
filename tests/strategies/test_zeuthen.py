"""Zeuthen's just-enough concession: the risk curve, its fit, the concession itself, and whole
negotiations in many replications at once."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.model import NegotiationModel
from negsim.scenario import parse_scenario
from negsim.strategies.zeuthen import (
    carried_risk,
    estimated_risk,
    fitted_curvature,
    just_enough,
    zeuthen_risk,
)
from tests.builders import random_scenario_data
from tests.strategies.test_theory import OPTIONS, ZEUTHEN, nash_points, pie


def _row(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def test_zeuthen_risk_is_the_share_of_the_demand_above_reservation_given_up() -> None:
    risk = zeuthen_risk(
        _row(0.8, 0.8, 0.8, 0.8), _row(0.2, 0.2, 0.2, 0.8), _row(0.5, 0.1, 0.9, 0.5)
    )
    assert risk.tolist() == pytest.approx([0.5, 1.0, 0.0, 0.0])  # clipped; no room: 0
    assert np.isnan(zeuthen_risk(_row(0.8), _row(0.2), _row(np.nan)))[0]


def test_estimated_risk_runs_from_zero_at_their_offer_to_their_risk_at_mine() -> None:
    u = _row(0.1, 0.35, 0.6, 0.9)  # their offer at c = 0.1, mine at h = 0.6
    risk = estimated_risk(u, _row(0.6), _row(0.1), _row(0.8), _row(2.0))
    assert risk.tolist() == pytest.approx([0.0, 0.8 * 0.5**2, 0.8, 0.8])


def test_fitted_curvature_recovers_a_power_curve_and_keeps_within_bounds() -> None:
    # Their risk rho * s ** g with s = (u - c) / (h - c): points at h = 0.6 and before = 0.9.
    c, h, before = 0.1, 0.6, 0.9
    for g in (1.0, 1.7, 3.0):
        rho_before = 0.9
        rho = rho_before * ((h - c) / (before - c)) ** g
        fit = fitted_curvature(_row(h), _row(c), _row(rho), _row(before), _row(rho_before))
        assert fit[0] == pytest.approx(g)
    # No previous point, a clipped risk of 1, or a concave curve: the prior 2 or the bound 1.
    none = fitted_curvature(_row(h), _row(c), _row(0.5), _row(np.nan), _row(np.nan))
    clipped = fitted_curvature(_row(h), _row(c), _row(0.5), _row(before), _row(1.0))
    concave = fitted_curvature(_row(h), _row(c), _row(0.8), _row(before), _row(0.9))
    assert (none[0], clipped[0], concave[0]) == (2.0, 2.0, 1.0)


def test_just_enough_on_a_straight_frontier_is_where_the_risks_are_equal() -> None:
    # Linear pie: my offer x = 0.9 is worth h = 0.9 to me, theirs x = 0.2 is worth c = 0.2 to me
    # and 0.8 to them, and they announced (0.8 - 0.1) / 0.8 about mine. My risk, 0.7 / 0.9, is
    # the smaller. On a straight line the risks are equal at r + (h - c) / rho_j = 0.8, the
    # mirror of their offer.
    h, c, rho = 0.9, 0.2, 0.7 / 0.8
    demand = just_enough(_row(0.0), _row(1.0), _row(h), _row(c), _row(rho), _row(1.0))
    assert demand[0] == pytest.approx(0.8)
    assert zeuthen_risk(demand, _row(0.0), _row(c))[0] == pytest.approx(
        estimated_risk(demand, _row(h), _row(c), _row(rho), _row(1.0))[0]
    )
    # Never above the ceiling (the current target).
    capped = just_enough(_row(0.0), _row(0.75), _row(h), _row(c), _row(rho), _row(1.0))
    assert capped[0] == pytest.approx(0.75)


def test_just_enough_concedes_less_where_their_risk_falls_faster() -> None:
    args = (_row(0.0, 0.0), _row(1.0, 1.0), _row(0.9, 0.9), _row(0.2, 0.2), _row(0.9, 0.9))
    straight, curved = just_enough(*args, _row(1.0, 2.0))
    assert curved > straight  # a higher demand: a smaller concession


def test_just_enough_has_no_answer_without_room_or_risk() -> None:
    demand = just_enough(
        _row(0.5, 0.0), _row(1.0, 1.0), _row(0.4, 0.8), _row(0.1, 0.1), _row(0.5, 0.0), _row(1, 1)
    )
    assert np.isnan(demand).all()


def test_a_risk_carried_to_their_unchanged_offer_is_unchanged() -> None:
    same = carried_risk(_row(0.6), _row(0.9), _row(0.2), _row(0.2), _row(1.5))
    assert same[0] == pytest.approx(0.6)
    moved = carried_risk(_row(0.6), _row(0.9), _row(0.2), _row(0.5), _row(1.5))
    assert moved[0] < 0.6  # they moved towards my offer: their risk of it fell


def test_replications_with_their_own_reservations_each_land_on_their_own_nash_point() -> None:
    scenario = pie(ZEUTHEN, ZEUTHEN, (0.15, 0.15), power=0.5, reservation_spread=0.1)
    model = NegotiationModel(scenario, replications=8, seed=3, max_rounds=300, first_proposer="a")
    results = model.run(progress=False).results()
    reservations = np.stack([agent.reservation for agent in model.parties], axis=1)
    assert len({tuple(r) for r in reservations.round(6)}) == 8  # eight different negotiations
    for row, outcome in results.iterrows():
        assert outcome["outcome"] == "agreement"
        x = OPTIONS.index(outcome["deal_x"]) / 100
        best = nash_points((reservations[row, 0], reservations[row, 1]), power=0.5)
        assert np.abs(best - x).min() <= 0.01 + 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_three_zeuthen_parties_agree(seed: int) -> None:
    # A party whose risk is 0 accepted what it answered: the others bargain on between themselves
    # rather than wait for it to concede.
    data = random_scenario_data(
        seed,
        n_parties=3,
        n_issues=4,
        max_options=5,
        min_options=3,
        reservation_range=(0.1, 0.4),
        strategies=[ZEUTHEN],
    )
    model = NegotiationModel(parse_scenario(data), replications=1, seed=seed, max_rounds=200)
    assert model.run(progress=False).results()["outcome"].iloc[0] == "agreement"
