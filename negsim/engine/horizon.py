"""Whose clock and whose acceptance: the rounds parties concede over, and who an offer aims at."""

from __future__ import annotations

import numpy as np

from negsim.scenario import Scenario


def row_horizon(deadlines: np.ndarray, required: np.ndarray, max_rounds: int) -> np.ndarray:
    """`negotiation_horizon` per row: `deadlines` (P, R), capped at `max_rounds`, gives (R,)."""
    if not required.any():
        return np.full(deadlines.shape[1], max_rounds, dtype=np.int64)
    return np.minimum(deadlines[required].min(axis=0), max_rounds)


def negotiation_horizon(scenario: Scenario, max_rounds: int) -> int:
    """Rounds every party concedes over: the earliest deadline of a required party, or max_rounds.

    Deadlines are public (the US repeats its threat to walk away), so a party that would rather
    have a deal than none must reach its floor before the first required party leaves. A party that
    prefers no deal says so through a high reservation value, not by ignoring the clock.
    """
    deadlines = [p.deadline for p in scenario.parties if p.required and p.deadline is not None]
    return min([max_rounds, *deadlines])


def aimed_at(required: np.ndarray, party: int) -> np.ndarray:
    """The parties whose acceptance `party`'s offers aim at: the other required parties, or every
    other party when no other is required.

    >>> aimed_at(np.array([True, True, False]), 0).tolist()
    [1]
    """
    others = np.array([q for q in range(required.size) if q != party], dtype=np.int64)
    needed = others[required[others]]
    return needed if needed.size else others


def aim_table(required: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`aimed_at` of every party as padded columns: (parties (Q, P), valid (Q, P))."""
    lists = [aimed_at(required, p) for p in range(required.size)]
    depth = max(1, max(len(a) for a in lists))
    parties = np.zeros((depth, required.size), dtype=np.int64)
    valid = np.zeros((depth, required.size), dtype=bool)
    for p, aimed in enumerate(lists):
        parties[: len(aimed), p] = aimed
        valid[: len(aimed), p] = True
    return parties, valid
