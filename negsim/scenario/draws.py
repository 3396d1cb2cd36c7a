"""Draw each replication's numbers (weights, option values, reservation values) once, at start.

Every party's numbers vary across replications as its `uncertainty` says. Each kind of number of
each party comes from its own random stream per replication (`negsim.streams`), so two sweep
points that differ in one number share every other random number (common random numbers): a
point differs from its neighbour by the change, not by noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from negsim.scenario.points import Point, RowParameters, row_parameters
from negsim.scenario.types import Scenario
from negsim.streams import BLOCK, RESERVATION, VALUES, WEIGHTS, Streams


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

    @cached_property
    def tables(self) -> np.ndarray:
        """Weighted option values `w_i * v_i(k)`, shape (P, R, I, K); a utility sums these.

        Worked out once: the model and every agent read the same array (never written to)."""
        return self.weights[..., None] * self.values


def draw_parameters(rows: RowParameters, streams: Streams, option_mask: np.ndarray) -> Draws:
    """Draw every party's numbers for the rows of a model from their streams."""
    n_parties, _, n_issues = rows.weights.shape
    weights = rows.weights.copy()
    values = rows.values.copy()
    reservations = rows.reservation.copy()
    for p in range(n_parties):
        uncertain = rows.spread_weights[p] > 0
        if uncertain.any():

            def gamma(g: np.random.Generator, block: Any, p: int = p) -> np.ndarray:
                first = block.rows[0]
                shape = rows.weights[p, first] * rows.spread_weights[p, first]
                return g.standard_gamma(np.maximum(shape, 1e-12), size=(BLOCK, n_issues))

            drawn = streams.draw((WEIGHTS, p), (n_issues,), gamma, uncertain)
            drawn = np.where(rows.weights[p] > 0, drawn, 0.0)[uncertain]
            weights[p, uncertain] = drawn / drawn.sum(axis=1, keepdims=True)
        spread = rows.spread_values[p]
        if (spread > 0).any():
            noise = streams.normal((VALUES, p), option_mask.shape, spread > 0)
            values[p] += spread[:, None, None] * noise
        values[p] = np.clip(values[p], 0.0, 1.0) * option_mask
        spread = rows.spread_reservation[p]
        if (spread > 0).any():
            reservations[p] += spread * streams.normal((RESERVATION, p), active=spread > 0)
        reservations[p] = np.clip(reservations[p], 0.0, 1.0)
    return Draws(weights=weights, values=values, reservations=reservations)


def draw_scenario(scenario: Scenario, replications: int, seed: int) -> Draws:
    """Draw the numbers of replications 0 .. `replications - 1` of `scenario` run with `seed`."""
    rows = row_parameters([Point(scenario, seed, replications)])
    streams = Streams(rows.seed, rows.index, rows.point)
    return draw_parameters(rows, streams, scenario.option_mask)
