"""The Pareto sweep of `analysis.frontier`, compiled: one pass with an early exit per point.

`sweep(points)` takes the candidates in sweep order (a point that weakly dominates another comes
before it) and keeps each one that no point kept before it covers (is at least as large on every
axis). The numpy sweep compares whole blocks of candidates against the frontier found so far;
here each candidate stops at the first kept point that covers it, and that point moves to the
front of the list, since a point that covered one candidate tends to cover its neighbours in
the order too. Only comparisons are made, so the kept set is the numpy sweep's exactly.
"""

from __future__ import annotations

import numpy as np

from negsim.kernels import kernel


@kernel
def sweep(points: np.ndarray) -> np.ndarray:
    """Which rows of `points` (N, P), in sweep order, no earlier kept row covers."""
    n, p = points.shape
    keep = np.zeros(n, dtype=np.bool_)
    found = np.empty(n, dtype=np.int64)  # kept rows, the last one to cover a row first
    n_found = 0
    for i in range(n):
        covered = -1
        for f in range(n_found):
            j = found[f]
            covers = True
            for a in range(p):
                if not points[j, a] >= points[i, a]:  # NaN never covers, as in numpy's >=
                    covers = False
                    break
            if covers:
                covered = f
                break
        if covered >= 0:
            j = found[covered]
            for f in range(covered, 0, -1):
                found[f] = found[f - 1]
            found[0] = j
        else:
            keep[i] = True
            found[n_found] = i
            n_found += 1
    return keep


@kernel
def beaten_by_pivots(points: np.ndarray, pivots: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Which rows of `points` (N, P) some pivot row covers with a strictly larger sum."""
    n, p = points.shape
    beaten = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        for k in pivots:
            if not sums[k] > sums[i]:
                continue
            covers = True
            for a in range(p):
                if not points[k, a] >= points[i, a]:
                    covers = False
                    break
            if covers:
                beaten[i] = True
                break
    return beaten
