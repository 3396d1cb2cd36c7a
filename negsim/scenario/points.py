"""Sweep points side by side in one model: every sweepable number as an array over replications.

A `Point` is one sweep point's share of a model: a scenario, a seed and a range of replication
indices. Points whose scenarios share a structure (`structure_key`: issues and options, parties,
who is required, strategy names, red lines, tracks) can share a `NegotiationModel`; everything a
user sweeps (weights, option values, reservation values, uncertainty spreads, deadlines, strategy
parameters, the opening party) becomes an array over the model's rows (`RowParameters`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from negsim.errors import NegsimError
from negsim.scenario.types import Scenario

NO_DEADLINE = np.iinfo(np.int64).max
"""The deadline of a party that has none."""


@dataclass(frozen=True)
class Point:
    """Replications `start` .. `start + replications - 1` of a scenario run with `seed`.

    Attributes:
        scenario: the point's scenario (its numbers may differ from other points').
        seed: the point's seed; with a replication's index it fixes every random number.
        replications: how many of the point's replications the model holds.
        start: the index of the first of them within the point.
        first_proposer: the party opening every replication, or None to draw it per replication.
    """

    scenario: Scenario
    seed: int
    replications: int
    start: int = 0
    first_proposer: str | None = None


def structure_key(scenario: Scenario) -> tuple[Any, ...]:
    """What a model cannot vary between its rows: equal keys may share a model."""
    issues = tuple((issue.name, issue.options) for issue in scenario.issues)
    parties = tuple(
        (
            party.name,
            party.required,
            party.strategy_name,
            tuple(sorted(party.red_lines.items())),
        )
        for party in scenario.parties
    )
    tracks = tuple((t.name, t.issues, t.parties) for t in scenario.tracks)
    return issues, parties, tracks


@dataclass(frozen=True)
class RowParameters:
    """Every party's stated numbers per row of a model (P parties, R rows, I issues, K options).

    Attributes:
        point: each row's point (an index into the model's points), shape (R,).
        index: each row's replication index within its point, shape (R,).
        seed: each row's seed, shape (R,).
        weights: stated weights, shape (P, R, I).
        values: stated option values, shape (P, R, I, K).
        reservation: stated reservation values, shape (P, R).
        spread_weights, spread_values, spread_reservation: uncertainty spreads, shape (P, R).
        deadline: deadlines in rounds (`NO_DEADLINE` for none), shape (P, R).
        discount: discount factors (1: none), shape (P, R).
        strategy: per party, each strategy parameter as an array, shape (R,).
        opener: each row's opening party, or -1 where it is drawn, shape (R,).
    """

    point: np.ndarray
    index: np.ndarray
    seed: np.ndarray
    weights: np.ndarray
    values: np.ndarray
    reservation: np.ndarray
    spread_weights: np.ndarray
    spread_values: np.ndarray
    spread_reservation: np.ndarray
    deadline: np.ndarray
    discount: np.ndarray
    strategy: list[dict[str, np.ndarray]]
    opener: np.ndarray


def row_parameters(points: Sequence[Point]) -> RowParameters:
    """Stack the points' numbers into per-row arrays, checking they share a structure."""
    if not points:
        raise NegsimError("points: a model needs at least one point")
    first = points[0].scenario
    key = structure_key(first)
    for n, p in enumerate(points):
        if p.replications < 1 or p.start < 0:
            raise NegsimError(f"points: point {n} has no replications or a negative start")
        if p.scenario is not first and structure_key(p.scenario) != key:
            raise NegsimError(
                f"points: point {n} ({p.scenario.name}) differs in structure from point 0 "
                "(issues, parties, strategies or red lines); run it in a model of its own"
            )
    counts = np.array([p.replications for p in points])
    point = np.repeat(np.arange(len(points)), counts)
    starts = np.repeat(np.array([p.start for p in points]), counts)
    offsets = np.arange(point.size) - np.repeat(np.cumsum(counts) - counts, counts)

    def per_row(values: list[Any]) -> np.ndarray:
        """Stack one array per point (point axis first) and repeat it over the point's rows."""
        stacked = np.stack([np.asarray(v) for v in values])
        return np.repeat(stacked, counts, axis=0)

    scenarios = [p.scenario for p in points]
    names = first.party_names
    openers = [-1 if p.first_proposer is None else names.index(p.first_proposer) for p in points]
    strategy = []
    for n, party in enumerate(first.parties):
        keys = party.strategy.settings()
        strategy.append(
            {
                key: per_row([s.parties[n].strategy.settings()[key] for s in scenarios])
                for key in keys
            }
        )

    def spread(field: str) -> np.ndarray:
        return per_row([[getattr(p.uncertainty, field) for p in s.parties] for s in scenarios]).T

    return RowParameters(
        point=point,
        index=starts + offsets,
        seed=np.repeat(np.array([p.seed for p in points], dtype=np.int64), counts),
        weights=per_row([s.weights for s in scenarios]).transpose(1, 0, 2),
        values=per_row([s.values for s in scenarios]).transpose(1, 0, 2, 3),
        reservation=per_row([s.reservations for s in scenarios]).T,
        spread_weights=spread("weights"),
        spread_values=spread("values"),
        spread_reservation=spread("reservation"),
        deadline=per_row(
            [
                [NO_DEADLINE if p.deadline is None else p.deadline for p in s.parties]
                for s in scenarios
            ]
        ).T,
        discount=per_row([s.discounts for s in scenarios]).T,
        strategy=strategy,
        opener=per_row(openers).astype(np.int64),
    )
