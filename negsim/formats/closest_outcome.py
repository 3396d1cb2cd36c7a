"""The outcome whose utility is closest to a target from above: GeniusWeb's reservation bid.

GeniusWeb holds a party's walk-away point as a bid, not a number, so an exported reservation
value r becomes the outcome worth the least among those worth at least r: the party then walks
away from exactly the deals it walked away from before, give or take the gap between r and that
outcome. The search is exact (meet in the middle: each half of the issues enumerated, one half
sorted) up to about 10^12 outcomes, and a greedy descent beyond.
"""

from __future__ import annotations

import numpy as np

HALF_LIMIT = 1 << 21
"""Most outcomes of one half of the issues that the exact search enumerates."""

_SLACK = 1e-12  # an outcome worth the target up to rounding counts as reaching it


def closest_at_or_above(tables: list[np.ndarray], target: float) -> tuple[list[int], float]:
    """Option indices of the outcome with the least utility >= `target`, and that utility.

    Args:
        tables: per issue, the weighted value of each option (`w_i * v_i(k)`).
        target: the utility to reach; at most the best outcome's.

    >>> closest_at_or_above([np.array([0.0, 0.5]), np.array([0.0, 0.2, 0.5])], 0.6)
    ([1, 1], 0.7)
    """
    sizes = [len(t) for t in tables]
    first, second = _split(sizes)
    n_first = int(np.prod([sizes[i] for i in first], dtype=float))
    n_second = int(np.prod([sizes[i] for i in second], dtype=float))
    if max(n_first, n_second) > HALF_LIMIT:
        return _descend(tables, target)
    sums_a = _sums([tables[i] for i in first])
    sums_b = _sums([tables[i] for i in second])
    order = np.argsort(sums_b, kind="stable")
    sorted_b = sums_b[order]
    at = np.searchsorted(sorted_b, target - _SLACK - sums_a, side="left")
    valid = at < sorted_b.size
    if not valid.any():
        raise ValueError(f"no outcome reaches utility {target!r}")
    totals = np.where(valid, sums_a + sorted_b[np.minimum(at, sorted_b.size - 1)], np.inf)
    a = int(np.argmin(totals))
    b = int(order[at[a]])
    choice = [0] * len(tables)
    for i, k in zip(first, np.unravel_index(a, [sizes[i] for i in first]), strict=True):
        choice[i] = int(k)
    for i, k in zip(second, np.unravel_index(b, [sizes[i] for i in second]), strict=True):
        choice[i] = int(k)
    return choice, float(sum(float(t[k]) for t, k in zip(tables, choice, strict=True)))


def _split(sizes: list[int]) -> tuple[list[int], list[int]]:
    """Issues in two groups of about equal outcome counts (largest issues placed first)."""
    first: list[int] = []
    second: list[int] = []
    log_a = log_b = 0.0
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        if log_a <= log_b:
            first.append(i)
            log_a += np.log(sizes[i])
        else:
            second.append(i)
            log_b += np.log(sizes[i])
    return sorted(first), sorted(second)


def _sums(tables: list[np.ndarray]) -> np.ndarray:
    """Utility of every combination of the given issues' options, C order, flat."""
    total = np.zeros(1)
    for table in tables:
        total = (total[:, None] + np.asarray(table, dtype=float)[None, :]).ravel()
    return total


def _descend(tables: list[np.ndarray], target: float) -> tuple[list[int], float]:
    """From the best outcome, the largest single-issue step down that stays at or above target,
    until none is left: not always the closest, but at or above `target` and deterministic."""
    choice = [int(np.argmax(t)) for t in tables]
    total = float(sum(float(t[k]) for t, k in zip(tables, choice, strict=True)))
    while True:
        best = None
        for i, table in enumerate(tables):
            after = total - float(table[choice[i]]) + table
            ok = np.flatnonzero(after >= target - _SLACK)
            if ok.size:
                k = int(ok[np.argmin(after[ok])])
                if after[k] < total and (best is None or after[k] < best[2]):
                    best = (i, k, float(after[k]))
        if best is None:
            return choice, total
        choice[best[0]], total = best[1], best[2]
