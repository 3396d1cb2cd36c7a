"""How good each replication's deal is, under that replication's own drawn numbers.

Every replication draws its parties' weights and values afresh, so each has its own Pareto
frontier and Nash point, and no single enumeration serves them all. For a batch of R deals this
builds, per replication and without enumerating outcomes, a set of reference outcomes:

- the supported Pareto outcomes: for a grid of weight vectors over the parties, the outcome that
  maximises the weighted sum of utilities, issue by issue (these lie on the frontier exactly);
- the deal's single-issue neighbours (one option changed), which find nearby improvements.

Distance to the Pareto frontier is then the distance from the deal to the nearest reference
outcome that is at least as good for every party (0 when none is: the deal is efficient as far as
the references tell); the Nash point is the reference outcome (or the deal) with the largest
product of gains over the reservation values. Both are estimates from below; on enumerable
scenarios `tests/analysis/test_replication_quality.py` checks them against the exact values.
For deals measured against one set of numbers (a scenario's stated ones), use
`negsim.analysis.deal_quality` with a `BargainingAnalysis`, which knows the whole frontier.
"""

from __future__ import annotations

import itertools

import numpy as np

from negsim.utility import utilities


def weight_grid(n_parties: int, steps: int) -> np.ndarray:
    """All weight vectors over `n_parties` with entries in multiples of 1/steps, shape (L, P).

    >>> weight_grid(2, 2).tolist()
    [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
    """
    rows = [c for c in itertools.product(range(steps + 1), repeat=n_parties) if sum(c) == steps]
    return np.array(rows, dtype=float) / steps


def supported_utilities(tables: np.ndarray, allowed: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Utilities of the outcomes maximising each weighted sum, per row: shape (R, L, P).

    Args:
        tables: weighted option values per row and party, shape (R, P, I, K).
        allowed: options an outcome may use, shape (I, K) or (R, I, K).
        weights: weight vectors over the parties, shape (L, P).
    """
    by_party = np.ascontiguousarray(tables.transpose(0, 2, 3, 1))  # (R, I, K, P)
    combined = by_party @ weights.T  # (R, I, K, L), a BLAS product
    mask = allowed if allowed.ndim == 3 else allowed[None]
    combined = np.where(mask[..., None], combined, -np.inf)
    choice = combined.argmax(axis=2)  # (R, I, L)
    picked = np.take_along_axis(by_party, choice[..., None], axis=2)  # (R, I, L, P)
    return picked.sum(axis=1)  # (R, L, P)


def neighbour_utilities(tables: np.ndarray, deals: np.ndarray) -> np.ndarray:
    """Utilities of every outcome one option away from each row's deal, shape (R, I*K, P)."""
    n_rows, n_parties, n_issues, _ = tables.shape
    base = np.stack([utilities(tables[:, p], deals) for p in range(n_parties)], axis=-1)
    rows = np.arange(n_rows)[:, None]
    current = tables[rows, :, np.arange(n_issues)[None, :], deals]  # (R, I, P)
    change = tables.transpose(0, 2, 3, 1) - current[:, :, None, :]  # (R, I, K, P)
    return (base[:, None, None, :] + change).reshape(n_rows, -1, n_parties)


def deal_distances(
    tables: np.ndarray,
    allowed: np.ndarray,
    deals: np.ndarray,
    reservations: np.ndarray,
    steps: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each deal's distance to the Pareto frontier and to the Nash point, in utility space.

    Args:
        tables: weighted option values per row and party, shape (R, P, I, K).
        allowed: options an outcome may use (no red line of a required party), (I, K) or (R, I, K).
        deals: the agreed option per issue, shape (R, I).
        reservations: the disagreement point per row and party, shape (R, P).
        steps: resolution of the weight grid (default: 20 to 31 weight vectors).

    Returns:
        (distance_to_pareto, distance_to_nash), each shape (R,).
    """
    n_rows, n_parties = tables.shape[:2]
    if n_rows == 0:
        return np.zeros(0), np.zeros(0)
    if steps is None:
        steps = {1: 1, 2: 30, 3: 6, 4: 3}.get(n_parties, 2)
    deal_point = np.stack([utilities(tables[:, p], deals) for p in range(n_parties)], axis=-1)
    near = neighbour_utilities(tables, deals)
    open_ = allowed if allowed.ndim == 3 else np.broadcast_to(allowed, (n_rows, *allowed.shape))
    near_ok = open_.reshape(n_rows, -1)[:, :, None]
    near = np.where(near_ok, near, -np.inf)
    references = np.concatenate(
        [supported_utilities(tables, allowed, weight_grid(n_parties, steps)), near], axis=1
    )
    gap = references - deal_point[:, None, :]
    better = (gap >= -1e-12).all(axis=-1) & (gap > 1e-12).any(axis=-1)
    distance = np.linalg.norm(np.where(np.isfinite(gap), gap, 0.0), axis=-1)
    to_pareto = np.where(better, distance, np.inf).min(axis=1)
    to_pareto = np.where(np.isfinite(to_pareto), to_pareto, 0.0)

    candidates = np.concatenate([references, deal_point[:, None, :]], axis=1)
    gains = candidates - reservations[:, None, :]
    rational = (gains >= -1e-12).all(axis=-1) & np.isfinite(candidates).all(axis=-1)
    product = np.where(rational, np.clip(gains, 0.0, None).prod(axis=-1), -1.0)
    nash = candidates[np.arange(n_rows), product.argmax(axis=1)]
    to_nash = np.linalg.norm(nash - deal_point, axis=-1)
    return to_pareto, to_nash
