"""Exact quality of each replication's deal, by listing the admissible outcomes under its numbers.

For a deal d, valued under its own replication's tables:

- distance to the Pareto frontier: the Euclidean distance from d to the nearest point of the
  frontier (as `pareto_frontier` defines it, tolerance included) that is at least as good as d for
  every party, up to the tolerance; 0 when d is on the frontier. Such points are the frontier of
  the outcomes that beat d, so only those outcomes are sorted, replication by replication at once.
- distance to the Nash point: to the individually rational outcome with the largest product of
  gains over the reservations (ties, to a relative 1e-12: the first outcome in lexicographic
  order, as `negsim.analysis.solve` breaks them); NaN when no outcome gives every party more than
  its reservation, as then no outcome is the Nash point.

Every deal costs about 1.3·N·P additions for N outcomes and P parties (the outcome space is a
product, so utilities are built issue by issue) plus a few passes over the N·P numbers; deals are
taken in chunks of about 2^18 numbers. Measured: 0.2 ms a deal for four parties and 2,048
outcomes, 0.03-0.06 s for the flagship's 663,552.

Compiled (`negsim.kernels.exact_quality`, unless the engine is this numpy reference): one loop per
deal, the same figures to the bit. It adds the last issue while it scores every outcome, so the
full list is never stored, and sorts out the frontier only among the outcomes near enough to beat
the deal. Measured on one core: 2.2 µs a deal for four parties and 1,152 outcomes with negotiated
deals (35 µs here), 40 µs for random deals among 2,048 outcomes (0.3 ms), and 1-3 ms for the
flagship's 663,552 (0.03 s).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from negsim import kernels
from negsim.analysis.frontier import SAME, settle
from negsim.kernels.exact_quality import exact_distances
from negsim.kernels.quality import DOUBLES
from negsim.utility import TOLERANCE

_CELLS = 1 << 18  # utilities held at a time: a chunk of deals times their listed outcomes


def exact_deal_distances(
    tables: np.ndarray, allowed: np.ndarray, deals: np.ndarray, reservations: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each deal's exact distance to the Pareto frontier and to the Nash point.

    Args:
        tables: weighted option values per row and party, shape (R, P, I, K).
        allowed: options an outcome may use, shape (I, K) or (R, I, K).
        deals: the agreed option per issue, shape (R, I).
        reservations: the disagreement point per row and party, shape (R, P).

    Returns:
        (distance_to_pareto, distance_to_nash), each shape (R,).

    >>> t = np.array([[[[0.3, 0.65, 0.7]], [[0.6, 0.3, 0.4]]]])  # one deal, two parties
    >>> to_pareto, to_nash = exact_deal_distances(t, np.ones((1, 3), bool), [[1]], [[0.2, 0.2]])
    >>> round(float(to_pareto[0]), 4), round(float(to_nash[0]), 4)
    (0.1118, 0.1118)
    """
    tables = np.asarray(tables, dtype=float)
    allowed = np.asarray(allowed, dtype=bool)
    deals = np.asarray(deals, dtype=np.int64)
    reservations = np.asarray(reservations, dtype=float)
    n_rows, n_parties = tables.shape[:2]
    union = allowed if allowed.ndim == 2 else allowed.any(axis=0)
    to_pareto = np.zeros(n_rows)
    to_nash = np.full(n_rows, np.nan)
    if (
        kernels.compiled()
        and len(union)
        and n_parties <= 128
        and kernel_fits(tables, allowed, deals, reservations)
    ):
        listed, counts = _option_lists(union.tobytes(), union.shape)
        if counts.all():  # else no outcome is listed: the reference's zeros and NaN
            return exact_distances(
                np.ascontiguousarray(tables),
                np.ascontiguousarray(allowed.reshape(-1, *allowed.shape[-2:])),
                allowed.ndim == 3,
                listed,
                counts,
                np.ascontiguousarray(deals),
                np.ascontiguousarray(reservations),
                TOLERANCE,
                SAME,
                1e-12,  # Nash products this close (relative) tie, as in `_nash_distance`
                DOUBLES,
                (0,) * n_parties,  # the number of parties, compiled in
            )
    choices = [np.flatnonzero(row) for row in union]
    count = math.prod(len(options) for options in choices)
    if count == 0:
        return to_pareto, to_nash
    step = max(1, _CELLS // (count * n_parties))
    for start in range(0, n_rows, step):
        rows = slice(start, min(start + step, n_rows))
        listed = listed_utilities(tables[rows], choices)
        point = deal_utilities(tables[rows], deals[rows])
        ok = None if allowed.ndim == 2 else _listed_mask(allowed[rows], choices)
        to_pareto[rows] = _pareto_distance(listed, point, ok)
        to_nash[rows] = _nash_distance(listed, point, reservations[rows], ok)
    return to_pareto, to_nash


def kernel_fits(
    tables: np.ndarray, allowed: np.ndarray, deals: np.ndarray, reservations: np.ndarray
) -> bool:
    """Whether the compiled kernels can take these: options of the tables' shape, shared or
    one set per row, one deal and one reservation per party for each row, and every deal an
    option index of each issue (numpy's range, negative ones counting from the end). Else the
    reference runs, and raises where numpy does; compiled code would read out of bounds."""
    n_rows, n_parties, n_issues, n_options = tables.shape
    if allowed.shape[-2:] != (n_issues, n_options) or deals.shape != (n_rows, n_issues):
        return False
    if reservations.shape != (n_rows, n_parties):
        return False
    if allowed.ndim != 2 and allowed.shape != (n_rows, n_issues, n_options):
        return False
    return deals.size == 0 or (deals.min() >= -n_options and deals.max() < n_options)


@lru_cache(maxsize=32)
def _option_lists(union: bytes, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The compiled path's options to list: per issue the allowed ones, (I, K) padded, and how
    many, (I,), of the options `union` (bytes of a boolean (I, K) array) allows. Cached: a run
    passes the same options round after round."""
    allowed = np.frombuffer(union, dtype=bool).reshape(shape)
    counts = allowed.sum(axis=1).astype(np.int64)
    listed = np.zeros(shape, dtype=np.int64)
    for issue, row in enumerate(allowed):
        listed[issue, : counts[issue]] = np.flatnonzero(row)
    return listed, counts


def listed_utilities(tables: np.ndarray, choices: list[np.ndarray]) -> np.ndarray:
    """Every party's utility of every outcome built from `choices`, per row: shape (R, P, N).

    Outcomes are in lexicographic order (the last issue changes fastest), and each sum is taken
    issue by issue in issue order, as `outcome_utilities` and `deal_utilities` take it, so an
    outcome gets the same bits here as there.
    """
    n_rows, n_parties = tables.shape[:2]
    sums = np.zeros((n_rows, n_parties, 1))
    for issue, options in enumerate(choices):
        values = tables[:, :, issue, options]
        sums = (sums[:, :, :, None] + values[:, :, None, :]).reshape(n_rows, n_parties, -1)
    return sums


def deal_utilities(tables: np.ndarray, deals: np.ndarray) -> np.ndarray:
    """Every party's utility of each row's deal, summed in issue order: shape (R, P)."""
    rows = np.arange(len(deals))
    point = np.zeros(tables.shape[:2])
    for issue in range(deals.shape[1]):
        point += tables[rows, :, issue, deals[:, issue]]
    return point


def grouped_frontier(points: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Indices of the Pareto frontier of each group's points (as `pareto_frontier` has it).

    Peels the groups at once: in each group the remaining point with the largest sum (then the
    lexicographically largest, then the first) is on the exact frontier, and every point it
    covers goes; the tolerance is applied at the end (`settle`). As many passes as the largest
    group frontier has points.

    >>> grouped_frontier(np.array([[0.5, 0.5], [0.4, 0.4], [0.4, 0.4]]), np.array([0, 0, 1]))
    array([0, 2])
    """
    n, n_parties = points.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    keys = [np.arange(n), *(-points[:, a] for a in reversed(range(n_parties)))]
    remaining = np.lexsort([*keys, -points.sum(axis=1), groups])
    found = []
    while remaining.size:
        group = groups[remaining]
        head = np.ones(remaining.size, dtype=bool)
        head[1:] = group[1:] != group[:-1]
        heads = remaining[head]
        found.append(heads)
        leader = points[heads[np.cumsum(head) - 1]]
        covered = (leader >= points[remaining]).all(axis=1)  # the heads themselves too
        remaining = remaining[~covered]
    return settle(points, np.sort(np.concatenate(found)), groups)


def _listed_mask(allowed: np.ndarray, choices: list[np.ndarray]) -> np.ndarray:
    """Which listed outcomes each row allows, for per-row options (R, I, K): shape (R, N)."""
    mask = np.ones((allowed.shape[0], 1), dtype=bool)
    for issue, options in enumerate(choices):
        mask = (mask[:, :, None] & allowed[:, issue, options][:, None, :]).reshape(len(mask), -1)
    return mask


def _pareto_distance(listed: np.ndarray, point: np.ndarray, ok: np.ndarray | None) -> np.ndarray:
    """Distance from each row's deal to the nearest frontier point at least as good for all."""
    n_rows, n_parties, _ = listed.shape
    # Outcomes a frontier point beating the deal, or one beating that point, can be: the deal's
    # frontier points are sorted out among these alone.
    near = np.ones(listed.shape[::2], dtype=bool) if ok is None else ok.copy()
    for p in range(n_parties):
        near &= listed[:, p] >= point[:, p, None] - 2 * TOLERANCE
    owner, index = np.nonzero(near)  # by row, then in lexicographic order
    points = listed[owner, :, index]
    front = grouped_frontier(points, owner)
    owner, points = owner[front], points[front]
    distance = np.sqrt(((points - point[owner]) ** 2).sum(axis=1))
    beats = (points >= point[owner] - TOLERANCE).all(axis=1)
    out = np.full(n_rows, np.inf)
    np.minimum.at(out, owner[beats], distance[beats])
    # A chain of near-ties can leave no such point: take the frontier points found instead.
    spare = np.full(n_rows, np.inf)
    np.minimum.at(spare, owner, distance)
    out = np.where(np.isfinite(out), out, spare)
    return np.where(np.isfinite(out), out, 0.0)  # nothing listed beats the deal


def _nash_distance(
    listed: np.ndarray, point: np.ndarray, reservations: np.ndarray, ok: np.ndarray | None
) -> np.ndarray:
    """Distance from each row's deal to its Nash point (NaN without a point of positive gains)."""
    n_rows, n_parties, _ = listed.shape
    rational = np.ones(listed.shape[::2], dtype=bool) if ok is None else ok.copy()
    product = np.ones(listed.shape[::2])
    for p in range(n_parties):
        gain = listed[:, p] - reservations[:, p, None]
        rational &= gain >= -TOLERANCE
        product *= np.maximum(gain, 0.0)
    score = np.where(rational, product, -np.inf)
    top = score.max(axis=1)
    tie = top - 1e-12 * np.maximum(np.abs(top), 1e-300)
    first = (score >= tie[:, None]).argmax(axis=1)
    nash = listed[np.arange(n_rows), :, first]
    distance = np.sqrt(((nash - point) ** 2).sum(axis=1))
    return np.where(top > 0, distance, np.nan)
