"""Draw each replication's numbers (weights, option values, reservation values) once, at start.

Every party's numbers vary across replications as its `uncertainty` says. The same count of random
numbers is drawn whatever the spreads, so two scenarios that differ in one number share their
random streams (common random numbers): a sweep point differs from its neighbour by the change,
not by noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negsim.scenario import Scenario


@dataclass(frozen=True)
class Draws:
    """Sampled numbers of every party in every replication.

    Attributes:
        weights: issue weights, shape (P, R, I), each row summing to 1.
        values: option values, shape (P, R, I, K), in [0, 1]; 0 for options an issue lacks.
        reservations: reservation values, shape (P, R), in [0, 1].
    """

    weights: np.ndarray
    values: np.ndarray
    reservations: np.ndarray

    @property
    def tables(self) -> np.ndarray:
        """Weighted option values `w_i * v_i(k)`, shape (P, R, I, K); a utility sums these."""
        return self.weights[..., None] * self.values


def draw_parameters(scenario: Scenario, replications: int, rng: np.random.Generator) -> Draws:
    """Draw every party's numbers for `replications` replications from `rng`."""
    n_parties, n_issues = scenario.weights.shape
    mask = scenario.option_mask
    weights = np.empty((n_parties, replications, n_issues))
    values = np.empty((n_parties, replications, *mask.shape))
    reservations = np.empty((n_parties, replications))
    for p, party in enumerate(scenario.parties):
        stated = scenario.weights[p]
        spread = party.uncertainty
        concentration = spread.weights if spread.weights > 0 else 1.0
        shape = np.maximum(stated * concentration, 1e-12)
        gamma = rng.standard_gamma(shape, size=(replications, n_issues))
        if spread.weights > 0:
            drawn = np.where(stated > 0, gamma, 0.0)
            weights[p] = drawn / drawn.sum(axis=1, keepdims=True)
        else:
            weights[p] = stated
        noise = rng.standard_normal((replications, *mask.shape))
        values[p] = np.clip(scenario.values[p] + spread.values * noise, 0.0, 1.0) * mask
        noise = rng.standard_normal(replications)
        reservations[p] = np.clip(party.reservation + spread.reservation * noise, 0.0, 1.0)
    return Draws(weights=weights, values=values, reservations=reservations)
