"""Bargaining solutions over a finite set of outcomes, with the reservations as disagreement point.

Every solution is chosen among the individually rational outcomes (worth at least its reservation
to every party, up to `negsim.utility.TOLERANCE` as for acceptance) on the Pareto frontier; with
none, there is no solution (None). With d the reservations and u an outcome's utilities:

- Nash: maximise the product Π_i (u_i - d_i).
- Kalai-Smorodinsky: maximise min_i (u_i - d_i) / (ideal_i - d_i), ideal_i the best u_i over the
  individually rational outcomes.
- Egalitarian: maximise min_i (u_i - d_i).
- Maximum welfare: maximise Σ_i u_i.

A gain within the tolerance below 0 counts as 0.

Ties (scores equal to a relative 1e-12) go to the lowest row index, so results are reproducible.
`local_search` improves a solution by changing one issue at a time, for spaces too large to list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from negsim.analysis.frontier import as_points, pareto_frontier
from negsim.analysis.outcomes import outcome_utilities
from negsim.utility import TOLERANCE

Score = Callable[[np.ndarray, np.ndarray], np.ndarray]
_TIE = 1e-12


@dataclass(frozen=True, eq=False)
class Solution:
    """A bargaining solution: the outcome chosen, its utility to each party, and its row."""

    outcome: np.ndarray
    utilities: np.ndarray
    index: int


def nash_score(gains: np.ndarray, utilities: np.ndarray) -> np.ndarray:
    """Nash product of the gains over the disagreement point, one per row.

    >>> nash_score(np.array([[0.4, 0.4], [0.1, 0.9]]), np.zeros((2, 2))).round(2).tolist()
    [0.16, 0.09]
    """
    return np.prod(gains, axis=1)


def egalitarian_score(gains: np.ndarray, utilities: np.ndarray) -> np.ndarray:
    """Smallest gain over the disagreement point, one per row.

    >>> egalitarian_score(np.array([[0.4, 0.4], [0.1, 0.9]]), np.zeros((2, 2))).tolist()
    [0.4, 0.1]
    """
    return gains.min(axis=1)


def welfare_score(gains: np.ndarray, utilities: np.ndarray) -> np.ndarray:
    """Sum of the utilities, one per row.

    >>> welfare_score(np.zeros((1, 2)), np.array([[0.25, 0.5]])).tolist()
    [0.75]
    """
    return utilities.sum(axis=1)


def party_score(party: int) -> Score:
    """Score of one party's utility alone, one per row (a search towards its ideal).

    >>> party_score(1)(np.zeros((2, 2)), np.array([[0.2, 0.7], [0.9, 0.1]])).tolist()
    [0.7, 0.1]
    """

    def score(gains: np.ndarray, utilities: np.ndarray) -> np.ndarray:
        return utilities[:, party]

    return score


def kalai_smorodinsky_score(ideal: ArrayLike, reservations: ArrayLike) -> Score:
    """Score of the Kalai-Smorodinsky solution: the smallest share of each party's ideal gain.

    A party whose ideal equals its reservation counts as fully served (share 1).

    >>> score = kalai_smorodinsky_score([1.0, 0.5], [0.0, 0.0])
    >>> score(np.array([[0.5, 0.25], [0.8, 0.1]]), np.zeros((2, 2))).tolist()
    [0.5, 0.2]
    """
    span = np.asarray(ideal, dtype=float) - np.asarray(reservations, dtype=float)
    safe = np.where(span > 0, span, 1.0)

    def score(gains: np.ndarray, utilities: np.ndarray) -> np.ndarray:
        return np.where(span > 0, gains / safe, 1.0).min(axis=1)

    return score


def _bargaining_set(
    utilities: np.ndarray, reservations: np.ndarray, frontier: ArrayLike | None
) -> np.ndarray:
    """Rows that are individually rational and on the frontier, in increasing order."""
    floor = reservations - TOLERANCE
    if frontier is None:
        rational = np.flatnonzero((utilities >= floor).all(axis=1))
        return rational[pareto_frontier(utilities[rational])]
    rows = np.sort(np.asarray(frontier, dtype=np.int64))
    return rows[(utilities[rows] >= floor).all(axis=1)]


def _best(scores: np.ndarray) -> int:
    """Position of the highest score, the first of those tied with it."""
    top = scores.max()
    return int(np.flatnonzero(scores >= top - _TIE * max(abs(top), 1e-300))[0])


def solve(
    outcomes: ArrayLike,
    utilities: ArrayLike,
    reservations: ArrayLike,
    score: Score | str,
    frontier: ArrayLike | None = None,
) -> Solution | None:
    """The individually rational frontier outcome with the highest score.

    Args:
        outcomes: option indices, shape (N, I).
        utilities: their utilities, shape (N, P).
        reservations: the disagreement point, shape (P,).
        score: "nash", "kalai_smorodinsky", "egalitarian", "max_welfare", or a function of
            (gains over the reservations, utilities), both (n, P), giving n scores.
        frontier: row indices of the Pareto frontier of `utilities`, if known (saves its cost).

    Returns:
        The solution, or None when no outcome is individually rational.

    >>> u = np.array([[0.9, 0.1], [0.6, 0.4], [0.5, 0.5]])
    >>> solve(np.arange(3)[:, None], u, [0.0, 0.0], "egalitarian").index
    2
    """
    points = as_points(utilities)
    rows = np.asarray(outcomes)
    d = np.asarray(reservations, dtype=float)
    candidates = _bargaining_set(points, d, frontier)
    if len(candidates) == 0:
        return None
    chosen = points[candidates]
    if isinstance(score, str):
        score = _named_score(score, chosen, d)
    best = candidates[_best(score(np.maximum(chosen - d, 0.0), chosen))]
    return Solution(outcome=rows[best].copy(), utilities=points[best].copy(), index=int(best))


def _named_score(name: str, chosen: np.ndarray, reservations: np.ndarray) -> Score:
    if name == "kalai_smorodinsky":
        return kalai_smorodinsky_score(chosen.max(axis=0), reservations)
    scores = {"nash": nash_score, "egalitarian": egalitarian_score, "max_welfare": welfare_score}
    if name not in scores:
        raise ValueError(f"unknown solution {name!r}; known: {', '.join(SOLUTIONS)}")
    return scores[name]


SOLUTIONS = ("nash", "kalai_smorodinsky", "egalitarian", "max_welfare")


def nash_point(
    outcomes: ArrayLike,
    utilities: ArrayLike,
    reservations: ArrayLike,
    frontier: ArrayLike | None = None,
) -> Solution | None:
    """Nash bargaining solution: maximise Π_i (u_i - d_i) over individually rational outcomes.

    >>> x = np.linspace(0, 1, 101)
    >>> nash_point(np.arange(101)[:, None], np.c_[x, 1 - x], [0.2, 0.0]).utilities.round(2).tolist()
    [0.6, 0.4]
    """
    return solve(outcomes, utilities, reservations, "nash", frontier)


def kalai_smorodinsky_point(
    outcomes: ArrayLike,
    utilities: ArrayLike,
    reservations: ArrayLike,
    frontier: ArrayLike | None = None,
) -> Solution | None:
    """Kalai-Smorodinsky solution: equal shares of each party's ideal gain, as far as possible.

    >>> u = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.6, 0.3]])
    >>> kalai_smorodinsky_point(np.arange(4)[:, None], u, [0.0, 0.0]).index
    1
    """
    return solve(outcomes, utilities, reservations, "kalai_smorodinsky", frontier)


def egalitarian_point(
    outcomes: ArrayLike,
    utilities: ArrayLike,
    reservations: ArrayLike,
    frontier: ArrayLike | None = None,
) -> Solution | None:
    """Egalitarian solution: maximise the smallest gain min_i (u_i - d_i).

    >>> u = np.array([[0.7, 0.2], [0.45, 0.45]])
    >>> egalitarian_point(np.arange(2)[:, None], u, [0.0, 0.0]).index
    1
    """
    return solve(outcomes, utilities, reservations, "egalitarian", frontier)


def max_welfare_point(
    outcomes: ArrayLike,
    utilities: ArrayLike,
    reservations: ArrayLike,
    frontier: ArrayLike | None = None,
) -> Solution | None:
    """Utilitarian solution: maximise Σ_i u_i over individually rational outcomes.

    >>> u = np.array([[0.7, 0.2], [0.5, 0.45]])
    >>> max_welfare_point(np.arange(2)[:, None], u, [0.0, 0.0]).index
    1
    """
    return solve(outcomes, utilities, reservations, "max_welfare", frontier)


def local_search(
    tables: ArrayLike,
    allowed: ArrayLike,
    start: ArrayLike,
    reservations: ArrayLike,
    score: Score,
    max_moves: int = 1000,
) -> np.ndarray:
    """Improve an outcome by the best change of one issue, or else of two, while the score rises.

    Only individually rational, allowed outcomes are visited; each move tries every one-issue
    change at once (I·K outcomes), and the two-issue changes (about I²K²/2) only when none of
    those helps, which gets scores with plateaus such as the egalitarian one past trade-offs.
    Used to polish solutions found among a candidate set when the space is too large to list.

    Args:
        tables: shape (P, I, K).
        allowed: shape (I, K).
        start: an allowed, individually rational outcome, shape (I,).
        reservations: shape (P,).
        score: as for `solve`.
        max_moves: the most moves to make.

    Returns:
        The outcome reached, shape (I,).

    >>> t = np.array([[[0.0, 0.8]], [[0.5, 0.2]]])
    >>> local_search(t, np.ones((1, 2), bool), [0], [0.0, 0.0], nash_score).tolist()
    [1]
    """
    tables = np.asarray(tables, dtype=float)
    allowed = np.asarray(allowed, dtype=bool)
    d = np.asarray(reservations, dtype=float)
    singles = np.argwhere(allowed)  # (issue, option) rows
    first, second = np.triu_indices(len(singles), k=1)
    apart = singles[first, 0] != singles[second, 0]
    pairs = np.hstack([singles[first[apart]], singles[second[apart]]])  # (i, a, j, b) rows
    current = np.asarray(start, dtype=np.int64).copy()
    u = outcome_utilities(tables, current[None])
    value = score(np.maximum(u - d, 0.0), u)[0]
    for _ in range(max_moves):
        for changes in (singles, pairs):
            moves = np.repeat(current[None], len(changes), axis=0)
            rows = np.arange(len(changes))
            for column in range(0, changes.shape[1], 2):
                moves[rows, changes[:, column]] = changes[:, column + 1]
            u = outcome_utilities(tables, moves)
            rational = (u >= d - TOLERANCE).all(axis=1)
            scores = np.where(rational, score(np.maximum(u - d, 0.0), u), -np.inf)
            best = _best(scores) if len(scores) else 0
            if len(scores) and scores[best] > value + _TIE * max(abs(value), 1e-300):
                current, value = moves[best], scores[best]
                break
        else:
            break
    return current
