"""Pareto frontiers in utility space: exact, by distance, and built issue by issue.

Utilities are maximised, and compared as the engine compares them (`negsim.utility.TOLERANCE`,
1e-9: an offer worth its floor minus that much is accepted). A point is on the frontier unless
another point dominates it: is at least as good for every party and better for one (weakly
dominated points are removed), or is within the tolerance of it for every party, better by more
than the tolerance for one and better in total (the total keeps near-ties from cycling). Of
points equal within 1e-12 for every party only the first (lowest index) is kept, so the rounding
of sums such as 0.1 + 0.2 never makes two frontier points of one.

- `pareto_frontier` is exact on any set of points: a sort and a running maximum for two parties;
  for more, a cheap pass removes every point dominated by a few maximisers of weighted sums, then
  the rest is swept in an order where a dominating point always comes first. It costs at most
  O(N·F·P) for N points, F of them on the frontier. The compiled engine sweeps point by point and
  stops at the first frontier point that covers one (`negsim.kernels.frontier`); the numpy
  reference sweeps block by block.
- `issue_wise_frontier` finds the frontier of a multi-issue outcome space without enumerating it:
  the frontier of a sum of independent per-issue choices lies within the sum of per-issue frontiers,
  so adding one issue at a time and keeping only the frontier is exact. When a partial frontier
  grows past `cap` points it is thinned to one point per ε-box, which makes the result an
  approximation whose additive error is known (see `issue_wise_frontier`).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from math import comb

import numpy as np
from numpy.typing import ArrayLike

from negsim import kernels
from negsim.utility import TOLERANCE

SAME = 1e-12  # points this close for every party are one point
_PIVOT_SEED = 20250424  # fixed: the pivot weights are part of the algorithm, not a random input
_PIVOTS = 32
_BLOCK = 512
_SLICE = 4096  # frontier points checked at a time in the sweep
_CELLS = 1 << 22  # elements per temporary (block x frontier) comparison array
_CHUNK = 1 << 16  # points scored at a time by the pivot weights


def as_points(utilities: ArrayLike) -> np.ndarray:
    """Utilities as a finite float array of shape (N, P); raise ValueError otherwise.

    >>> as_points([[1, 0], [0, 1]]).dtype
    dtype('float64')
    """
    points = np.asarray(utilities, dtype=float)
    if points.ndim != 2:
        raise ValueError(f"utilities must have shape (N, P), got {points.shape}")
    if not np.isfinite(points).all():
        raise ValueError("utilities must be finite")
    return points


def pareto_frontier(utilities: ArrayLike) -> np.ndarray:
    """Indices of the non-dominated points, in increasing order.

    Args:
        utilities: one row per outcome, one column per party, shape (N, P).

    Returns:
        Row indices of the frontier, shape (F,); dominated points (see the module docstring)
        are left out, and of points equal within 1e-12 only the first.

    >>> pareto_frontier([[0.2, 0.8], [0.5, 0.5], [0.4, 0.4], [0.5, 0.5], [0.5, 0.1]]).tolist()
    [0, 1]
    >>> pareto_frontier([[0.5, 0.3], [0.5 - 1e-13, 0.3 + 1e-13]]).tolist()  # one point
    [0]
    >>> pareto_frontier([[0.5, 0.3], [0.5 - 1e-10, 0.9]]).tolist()  # a tie for the first party
    [1]
    """
    points = as_points(utilities)
    return settle(points, exact_frontier(points))


def exact_frontier(points: np.ndarray) -> np.ndarray:
    """Indices of the points no other point weakly dominates exactly (no tolerance), in order.

    Of identical points only the first is kept. This relation is transitive, which lets
    `issue_wise_frontier` prune partial sums with it; `settle` then applies the tolerance.
    """
    n, p = points.shape
    if n == 0 or p == 0:
        return np.zeros(min(n, 1), dtype=np.int64)
    if p == 1:
        return np.array([int(np.argmax(points[:, 0]))], dtype=np.int64)
    if p == 2:
        return _frontier_2d(points)
    return _frontier_sweep(points)


def settle(points: np.ndarray, front: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """The exact frontier `front` (increasing indices into `points`) under the tolerance.

    Drops every point another point of `front` dominates within the tolerance (a point
    dominating it that is not in `front` is beaten by one that is), then every point with an
    earlier one within 1e-12 for every party. With `groups` (one integer per point), points are
    compared only within their group: `front` is then the union of the groups' exact frontiers.
    """
    if len(front) < 2:
        return front
    u = points[front]
    group = None if groups is None else np.asarray(groups)[front]
    total = u.sum(axis=1)
    dominated = np.zeros(len(front), dtype=bool)
    # Such a point v is below u by at most the tolerance on some axis (or it would dominate u
    # exactly): only pairs that close on some axis need a look.
    for axis in range(u.shape[1]):
        for upper, lower in close_pairs(u[:, axis], TOLERANCE, True, group):
            v, w = u[lower], u[upper]
            beats = (v >= w - TOLERANCE).all(axis=1) & (v > w + TOLERANCE).any(axis=1)
            beats &= total[lower] > total[upper]
            dominated[upper[beats]] = True
    front, u = front[~dominated], u[~dominated]
    group = None if group is None else group[~dominated]
    repeated = np.zeros(len(front), dtype=bool)
    for later, other in close_pairs(u[:, 0], SAME, False, group):
        same = (np.abs(u[later] - u[other]) <= SAME).all(axis=1) & (other < later)
        repeated[later[same]] = True
    return front[~repeated]


def close_pairs(
    values: np.ndarray,
    width: float,
    strictly_below: bool,
    groups: np.ndarray | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Position pairs (i, j), i != j, in the same group, with values[j] in
    [values[i] - width, values[i]) when `strictly_below`, else within `width` of values[i].

    Yields them in blocks of about `_CELLS` pairs, as two index arrays. Groups and values are
    combined into one integer key (the group, then the value's rank), so values keep every bit.
    """
    values = np.asarray(values, dtype=float)
    ranked = np.sort(values)
    at = np.searchsorted(ranked, values, side="left")
    low = np.searchsorted(ranked, values - width, side="left")
    high = at if strictly_below else np.searchsorted(ranked, values + width, side="right")
    if groups is not None:
        shift = np.asarray(groups, dtype=np.int64) * (len(values) + 1)
        at, low, high = at + shift, low + shift, high + shift
    order = np.argsort(at, kind="stable")
    keys = at[order]
    low = np.searchsorted(keys, low, side="left")
    high = np.searchsorted(keys, high, side="left")
    counts = high - low
    ends = np.cumsum(counts)
    start = 0
    while start < len(values):
        done = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, done + _CELLS, side="right")), start + 1)
        block = counts[start:stop]
        first = np.repeat(np.arange(start, stop), block)
        offset = np.arange(first.size) - np.repeat(np.cumsum(block) - block, block)
        second = order[low[first] + offset]
        keep = second != first
        yield first[keep], second[keep]
        start = stop


def _frontier_2d(points: np.ndarray) -> np.ndarray:
    """Two parties: sort by u0 then u1 (both descending) and keep each new running max of u1."""
    index = np.arange(len(points))
    order = np.lexsort((index, -points[:, 1], -points[:, 0]))
    second = points[order, 1]
    before = np.concatenate(([-np.inf], np.maximum.accumulate(second)[:-1]))
    return np.sort(order[second > before])


class _Scratch:
    """Reusable boolean buffers for comparison matrices: fresh large arrays cost page faults."""

    def __init__(self, cells: int) -> None:
        self.out = np.empty(cells, dtype=bool)
        self.tmp = np.empty(cells, dtype=bool)

    def covers(self, upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
        """Matrix (L, U): whether column u of `upper` (P, U) >= column l of `lower` (P, L).

        Columns are points, so each comparison reads contiguous rows. The result is a view of
        the scratch buffer, valid until the next call.
        """
        shape = (lower.shape[1], upper.shape[1])
        out = self.out[: shape[0] * shape[1]].reshape(shape)
        tmp = self.tmp[: shape[0] * shape[1]].reshape(shape)
        np.greater_equal(upper[0][None, :], lower[0][:, None], out=out)
        for axis in range(1, upper.shape[0]):
            np.greater_equal(upper[axis][None, :], lower[axis][:, None], out=tmp)
            out &= tmp
        return out


def _prefilter(points: np.ndarray) -> np.ndarray:
    """Indices of points not strictly dominated by a pivot (maximiser of a positive weighted sum).

    A pivot removes a point it covers only when its sum is larger too, so identical points stay
    (the sweep settles those) and rounding can only make the filter keep more, never drop more.
    """
    n, p = points.shape
    lambdas = np.vstack(
        [np.full(p, 1.0 / p), np.random.default_rng(_PIVOT_SEED).dirichlet(np.ones(p), _PIVOTS)]
    )
    columns = np.ascontiguousarray(points.T)
    best = np.full(len(lambdas), -np.inf)
    pivots = np.zeros(len(lambdas), dtype=np.int64)
    for start in range(0, n, _CHUNK):  # argmax of each weighted sum, chunk by chunk
        scores = lambdas @ columns[:, start : start + _CHUNK]
        top = scores.argmax(axis=1)
        value = scores[np.arange(len(lambdas)), top]
        better = value > best  # strictly: ties keep the earlier (lower) index
        best[better], pivots[better] = value[better], top[better] + start
    pivots = np.unique(pivots)
    sums = points.sum(axis=1)
    if kernels.compiled():
        from negsim.kernels.frontier import beaten_by_pivots

        return np.flatnonzero(~beaten_by_pivots(np.ascontiguousarray(points), pivots, sums))
    # One row per pivot, one column per point, plus a row for the sums (strictly larger).
    upper = np.vstack([columns[:, pivots], sums[pivots]])
    step = max(1, _CELLS // len(pivots))
    scratch = _Scratch(step * len(pivots))
    keep = np.ones(n, dtype=bool)
    for start in range(0, n, step):
        lower = np.vstack(
            [columns[:, start : start + step], np.nextafter(sums[start : start + step], np.inf)]
        )
        keep[start : start + lower.shape[1]] = ~scratch.covers(upper, lower).any(axis=1)
    return np.flatnonzero(keep)


def _frontier_sweep(points: np.ndarray) -> np.ndarray:
    """Three or more parties: pivot filter, then a block-wise sort-filter sweep.

    Candidates are sorted by sum, then lexicographically, then by index (all descending but the
    index): a point that weakly dominates another, or is identical with a lower index, comes
    first, so each point need only be checked against the frontier found before it.
    """
    candidates = _prefilter(points)
    sub = points[candidates]
    keys = [candidates, *(-sub[:, a] for a in reversed(range(sub.shape[1]))), -sub.sum(axis=1)]
    order = candidates[np.lexsort(keys)]
    if kernels.compiled():
        from negsim.kernels.frontier import sweep

        return np.sort(order[sweep(np.ascontiguousarray(points[order]))])
    columns = np.ascontiguousarray(points[order].T)  # candidates as columns, in sweep order
    found = np.empty((points.shape[1], max(len(order), 1)))  # frontier columns, filled in order
    n_found = 0
    found_index: list[np.ndarray] = []
    scratch = _Scratch(_BLOCK * max(_SLICE, _BLOCK))
    for start in range(0, len(order), _BLOCK):
        rows = np.arange(start, min(start + _BLOCK, len(order)))
        for f in range(0, n_found, _SLICE):  # drop covered rows slice by slice
            upper = found[:, f : min(f + _SLICE, n_found)]
            rows = rows[~scratch.covers(upper, columns[:, rows]).any(axis=1)]
        block = columns[:, rows]
        earlier = np.tril(scratch.covers(block, block), k=-1)  # [i, j]: earlier j covers i
        rows = rows[~earlier.any(axis=1)]
        found[:, n_found : n_found + len(rows)] = columns[:, rows]
        n_found += len(rows)
        found_index.append(order[rows])
    return np.sort(np.concatenate([np.zeros(0, dtype=np.int64), *found_index]))


def distance_to_frontier(points: ArrayLike, frontier_points: ArrayLike) -> np.ndarray:
    """Euclidean distance from each point to the nearest frontier point.

    Args:
        points: shape (M, P).
        frontier_points: shape (F, P); need not be a frontier, any reference set works.

    Returns:
        Distances, shape (M,): exactly 0 for a point equal to a frontier point, NaN for every
        point when `frontier_points` is empty. Repeated points are measured once, and the work is
        done in chunks of a few million point pairs.

    >>> distance_to_frontier([[0.3, 0.4], [1.0, 0.0]], [[0.0, 0.0], [1.0, 0.0]]).tolist()
    [0.5, 0.0]
    """
    pts = as_points(points)
    ref = as_points(frontier_points)
    if pts.shape[1] != ref.shape[1] and len(ref) and len(pts):
        raise ValueError(f"points have {pts.shape[1]} parties, the frontier {ref.shape[1]}")
    if len(ref) == 0 or len(pts) == 0:
        return np.full(len(pts), np.nan)
    unique, inverse = np.unique(pts, axis=0, return_inverse=True)
    best = np.empty(len(unique))
    step = max(1, _CELLS // len(ref))
    for start in range(0, len(unique), step):
        chunk = unique[start : start + step]
        squared = np.zeros((len(chunk), len(ref)))
        for axis in range(ref.shape[1]):
            squared += (chunk[:, None, axis] - ref[None, :, axis]) ** 2
        best[start : start + len(chunk)] = squared.min(axis=1)
    return np.sqrt(best)[inverse.reshape(-1)]


def thin_frontier(utilities: ArrayLike, cap: int) -> tuple[np.ndarray, float]:
    """Keep at most `cap` points: one per box of a grid of side ε, the smallest ε that fits.

    In each box the point with the largest sum is kept (ties: lowest index), and every dropped
    point shares its box with it, so beats it by less than ε for any party.

    Args:
        utilities: shape (N, P).
        cap: the most points to keep (at least 1).

    Returns:
        Kept row indices in increasing order, and the loss: the most by which a dropped point
        beats its box's kept point for some party (0.0 when nothing had to go; always < ε).

    >>> idx, loss = thin_frontier([[0.0, 1.0], [0.01, 0.99], [1.0, 0.0]], cap=2)
    >>> idx.tolist(), round(loss, 6)
    ([0, 2], 0.01)
    """
    points = as_points(utilities)
    if cap < 1:
        raise ValueError(f"cap must be at least 1, got {cap}")
    if len(points) <= cap:
        return np.arange(len(points)), 0.0

    low_corner = points.min(axis=0)
    span = float((points.max(axis=0) - low_corner).max())
    bits = 62 // points.shape[1]  # box numbers per axis that fit one int64 key per point

    def boxes(eps: float) -> np.ndarray:
        cells = np.floor((points - low_corner) / eps + 0.5).astype(np.int64)  # values on centres
        if (cells.max(axis=0) + 1).astype(float).prod() >= 2.0**62:
            return np.unique(cells, axis=0, return_inverse=True)[1].reshape(-1)
        key = np.zeros(len(points), dtype=np.int64)
        for axis in range(cells.shape[1]):
            key = key * (int(cells[:, axis].max()) + 1) + cells[:, axis]
        return np.unique(key, return_inverse=True)[1]

    # The box count falls (roughly) as ε grows: bisect log2(ε) between a grid too fine to matter
    # and one box for everything.
    low = np.log2(span) - max(bits, 1) if span > 0 else -1.0
    high = np.log2(span) + 1 if span > 0 else 0.0
    if boxes(2.0**low).max() + 1 <= cap:
        high = low
    while high - low > 0.01:
        mid = (low + high) / 2
        if boxes(2.0**mid).max() + 1 <= cap:
            high = mid
        else:
            low = mid
    eps = 2.0**high
    while (box := boxes(eps)).max() + 1 > cap:  # grid alignment can break monotonicity
        eps *= 1.25
    order = np.lexsort((np.arange(len(points)), -points.sum(axis=1), box))
    first = np.ones(len(order), dtype=bool)
    first[1:] = box[order][1:] != box[order][:-1]
    kept = order[first]
    representative = np.empty(box.max() + 1, dtype=np.int64)
    representative[box[kept]] = kept
    loss = (points - points[representative[box]]).max()
    return np.sort(kept), float(max(loss, 0.0))


def issue_wise_frontier(
    tables: np.ndarray,
    allowed: np.ndarray,
    cap: int = 5000,
    floor: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Pareto frontier of the outcome space of allowed options, built one issue at a time.

    Never enumerates the outcome space: it keeps the frontier of the partial sums over the
    issues seen so far, adds each (non-dominated) option of the next issue, and keeps the
    frontier again. Exact while no partial frontier exceeds `cap`; past it the partial frontier
    is thinned with `thin_frontier`, and the returned bound `delta` (the sum of the losses)
    guarantees that for every exact frontier point u some returned point v has v >= u - delta
    for every party (the additive ε-indicator). Outcomes come out in lexicographic order and,
    when exact, are the same representatives `pareto_frontier` keeps over the enumeration.

    With a `floor` (the reservations) only outcomes worth at least the floor to every party
    (less the tolerance, as for the ZOPA) are kept, and partial sums that cannot reach it even
    with the best options of the issues left are dropped on the way: the result is then the
    frontier of the individually rational outcomes (the bargaining set), usually far smaller
    and so more often exact.

    Args:
        tables: w_i·v_i(k) per party, shape (P, I, K).
        allowed: which options may be chosen, shape (I, K).
        cap: the most points a partial frontier may keep.
        floor: optional lower bound on every party's utility, shape (P,).

    Returns:
        Outcomes (F, I), their utilities (F, P), and delta (0.0 when exact).

    >>> t = np.array([[[0.0, 0.5, 1.0]], [[1.0, 0.5, 0.0]]])
    >>> out, u, delta = issue_wise_frontier(t, np.ones((1, 3), dtype=bool))
    >>> out.ravel().tolist(), delta
    ([0, 1, 2], 0.0)
    >>> issue_wise_frontier(t, np.ones((1, 3), dtype=bool), floor=[0.4, 0.4])[0].ravel().tolist()
    [1]
    """
    tables = np.asarray(tables, dtype=float)
    n_parties, n_issues, _ = tables.shape
    allowed = np.asarray(allowed, dtype=bool)
    if not allowed.any(axis=1).all():
        return np.zeros((0, n_issues), np.int64), np.zeros((0, n_parties)), 0.0
    if floor is not None:
        floor = np.asarray(floor, dtype=float)
        best = np.where(allowed[None], tables, -np.inf).max(axis=-1).T  # (I, P)
        from_here = np.cumsum(best[::-1], axis=0)[::-1]  # best sum over issues i, i+1, ...
        best_left = np.vstack([from_here[1:], np.zeros((1, n_parties))])  # over issues after i
    outcomes = np.zeros((1, 0), dtype=np.int64)
    sums = np.zeros((1, n_parties))
    delta = 0.0
    for issue in range(n_issues):
        options = np.flatnonzero(allowed[issue])
        gains = tables[:, issue, options].T
        best = exact_frontier(gains)
        options, gains = options[best], gains[best]
        sums = (sums[:, None, :] + gains[None, :, :]).reshape(-1, n_parties)
        outcomes = np.hstack(
            [np.repeat(outcomes, len(options), axis=0), np.tile(options, len(outcomes))[:, None]]
        )
        if floor is not None:
            last = issue == n_issues - 1  # the ZOPA's test at the end; slack for rounding before
            low = floor - TOLERANCE
            reach = sums >= low if last else sums + best_left[issue] >= low - TOLERANCE
            viable = np.flatnonzero(reach.all(axis=1))
            outcomes, sums = outcomes[viable], sums[viable]
        keep = exact_frontier(sums)  # exact dominance is transitive: safe to prune partial sums
        if len(keep) > cap:
            kept, loss = thin_frontier(sums[keep], cap)
            keep, delta = keep[kept], delta + loss
        outcomes, sums = outcomes[keep], sums[keep]
    keep = settle(sums, np.arange(len(sums)))
    return outcomes[keep], sums[keep], delta


def simplex_grid(n_parties: int, size: int) -> np.ndarray:
    """The finest regular grid of weight vectors on the simplex with at most `size` points.

    >>> simplex_grid(2, 3).tolist()
    [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
    """
    steps = 1
    while comb(steps + n_parties, n_parties - 1) <= size:
        steps += 1
    return regular_simplex(n_parties, steps)


def regular_simplex(n_parties: int, steps: int) -> np.ndarray:
    """Every weight vector over `n_parties` with entries in multiples of 1/steps, (L, P), in
    lexicographic order.

    >>> regular_simplex(2, 2).tolist()
    [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
    """
    rows = []
    for bars in combinations(range(steps + n_parties - 1), n_parties - 1):
        edges = np.array([-1, *bars, steps + n_parties - 1])
        rows.append(np.diff(edges) - 1)
    return np.array(rows, dtype=float) / steps


def supported_outcomes(tables: np.ndarray, allowed: np.ndarray, size: int = 2000) -> np.ndarray:
    """Outcomes maximising Σ_p λ_p u_p for a grid of weight vectors λ, one issue at a time.

    A weighted sum of additive utilities is maximised issue by issue, so each costs O(I·K);
    these are the supported Pareto points (the convex part of the frontier), found exactly
    without enumeration. Equal weights give the outcome of maximum welfare among all allowed.

    Args:
        tables: shape (P, I, K).
        allowed: shape (I, K); every issue needs an allowed option.
        size: the most weight vectors (a regular simplex grid, see `simplex_grid`).

    Returns:
        Distinct outcomes in lexicographic order, shape (G, I).

    >>> t = np.array([[[0.0, 0.4, 1.0]], [[1.0, 0.4, 0.0]]])
    >>> supported_outcomes(t, np.ones((1, 3), dtype=bool)).ravel().tolist()
    [0, 2]
    """
    tables = np.asarray(tables, dtype=float)
    lambdas = np.vstack([simplex_grid(tables.shape[0], size), np.full(tables.shape[0], 1.0)])
    scores = np.einsum("gp,pik->gik", lambdas, tables)
    scores = np.where(np.asarray(allowed, dtype=bool)[None], scores, -np.inf)
    return np.unique(np.argmax(scores, axis=-1), axis=0)
