"""Vectorised utilities and the drawing of uncertain numbers."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.formats.load import load_scenario
from negsim.scenario import parse_scenario
from negsim.scenario.draws import draw_scenario
from negsim.utility import best_utility, crosses, gather, utilities
from tests.builders import small_scenario_data


def test_utilities_gather_and_sum() -> None:
    tables = np.arange(12, dtype=float).reshape(2, 2, 3) / 100
    offers = np.array([[0, 2], [1, 1]])
    assert gather(tables, offers).tolist() == [[0.0, 0.05], [0.07, 0.10]]
    np.testing.assert_allclose(utilities(tables, offers), [0.05, 0.17])


def test_best_utility_skips_forbidden_and_is_minus_inf_when_an_issue_is_closed() -> None:
    tables = np.array([[[0.2, 0.5], [0.3, 0.1]]])
    forbidden = np.array([[[False, True], [False, False]]])
    assert best_utility(tables, forbidden)[0] == pytest.approx(0.5)
    assert best_utility(tables, np.ones_like(forbidden))[0] == -np.inf
    assert crosses(forbidden[0], np.array([[1, 0]])).tolist() == [[True, False]]


def test_draws_respect_the_stated_numbers_and_their_spread() -> None:
    scenario = load_scenario("ukraine_2025")
    draws = draw_scenario(scenario, 4000, seed=0)
    np.testing.assert_allclose(draws.weights.sum(axis=-1), 1.0)
    assert ((draws.values >= 0) & (draws.values <= 1)).all()
    assert (draws.values[:, :, ~scenario.option_mask] == 0).all()
    np.testing.assert_allclose(draws.weights.mean(axis=1), scenario.weights, atol=0.01)
    for p, party in enumerate(scenario.parties):
        assert draws.reservations[p].mean() == pytest.approx(party.reservation, abs=0.01)
        assert draws.reservations[p].std() == pytest.approx(party.uncertainty.reservation, rel=0.1)


def test_no_uncertainty_means_fixed_numbers() -> None:
    scenario = parse_scenario(small_scenario_data())
    draws = draw_scenario(scenario, 5, seed=1)
    assert (draws.reservations == 0.3).all()
    np.testing.assert_allclose(draws.weights, np.broadcast_to(scenario.weights[:, None], (2, 5, 2)))
