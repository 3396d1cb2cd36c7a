"""Offer generation: an offer meeting the proposer's target, as good as possible for the others.

The proposer maximises the others' estimated utility subject to its own utility meeting its target.
Both are sums over issues, so the problem is a multiple-choice knapsack; it is solved without
enumerating outcomes, in two vectorised stages:

1. Lagrangian sweep: for an angle `a` in [0, pi/2], pick on every issue the option maximising
   `cos(a) * others + sin(a) * own`. The proposer's utility grows with `a`, so a bisection finds
   the smallest angle whose offer still meets the target. These offers lie on the convex hull of
   the (own, others) frontier.
2. Swap repair: the hull offer usually overshoots the target; single-issue swaps spend that slack
   on raising the others' estimated utility.

Cost per proposal is O(iterations * I * K), whatever the size of the outcome space.
"""

from __future__ import annotations

import numpy as np

from negsim.utility import gather, max_over_options

_BISECTION_STEPS = 6
_SWAP_PASSES = 1
_FORBIDDEN = np.float32(-1e9)
_TOLERANCE = 1e-6  # float32 sums are exact to about 1e-7 for utilities in [0, 1]


def _scores(a: np.ndarray, b: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """`b + slope * a` for option-major (K, n, I) arrays and a slope per row."""
    score = a * slope.astype(np.float32)[:, None]
    score += b
    return score


def _own_value(a: np.ndarray, b: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Proposer's utility of the offer maximising `b + slope * a` on every issue, shape (n,).

    Arrays are option-major, shape (K, n, I): reductions over the first axis are element-wise
    and fast, unlike an argmax over a short last axis. Ties go to the option worth more to the
    proposer.
    """
    score = _scores(a, b, slope)
    best = np.maximum.reduce(score)
    value = np.maximum.reduce(np.where(score == best, a, -np.inf))
    return value.sum(axis=-1, dtype=np.float64)


def _choice(a: np.ndarray, b: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Option index maximising `b + slope * a` on every issue, shape (n, I); ties as above."""
    score = _scores(a, b, slope)
    best = np.maximum.reduce(score)
    tied = np.where(score == best, a, -np.inf)
    return tied.argmax(axis=0)


def generate_offers(
    own: np.ndarray, others: np.ndarray, forbidden: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """Offers meeting `target` for the proposer and as good as possible for the others.

    Args:
        own: the proposer's weighted tables, shape (n, I, K).
        others: the others' estimated utility tables, summed, shape (n, I, K).
        forbidden: options never to offer (own red lines, known red lines of others, options
            an issue does not have), shape (n, I, K) or (I, K).
        target: the utility the proposer needs in each row, shape (n,).

    Returns:
        Option index per issue, shape (n, I). Where the target is out of reach the proposer's
        best offer is returned.
    """
    n = own.shape[0]
    if n == 0:
        return np.zeros((0, own.shape[1]), dtype=np.int64)
    # Scale the others' estimate to the proposer's range so one angle grid suits every row.
    scale = np.maximum(max_over_options(others).max(axis=-1), 1e-12)[:, None, None]
    a = np.where(forbidden, _FORBIDDEN, own.astype(np.float32))
    b = np.where(forbidden, _FORBIDDEN, (others / scale).astype(np.float32))
    a_major = np.ascontiguousarray(np.moveaxis(a, -1, 0))
    b_major = np.ascontiguousarray(np.moveaxis(b, -1, 0))
    # Bisection on the angle of the slope: slope = tan(angle), angle in [0, pi/2).
    lo = np.zeros(n)
    hi = np.full(n, np.pi / 2 - 1e-4)
    need = target + _TOLERANCE
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        feasible = _own_value(a_major, b_major, np.tan(mid)) >= need
        hi = np.where(feasible, mid, hi)
        lo = np.where(feasible, lo, mid)
    offers = _choice(a_major, b_major, np.tan(hi))
    return improve_by_swaps(offers, a, b, need)


def improve_by_swaps(
    offers: np.ndarray, own: np.ndarray, others: np.ndarray, need: np.ndarray
) -> np.ndarray:
    """Apply the best single-issue swap, `_SWAP_PASSES` times, that raises `others` while `own`
    stays at least `need`; where `own` is below `need`, the swap that raises `own` most instead.

    Args:
        offers: current offers, shape (n, I); changed in place and returned.
        own, others: the proposer's and the others' tables, shape (n, I, K).
        need: the proposer's utility floor per row, shape (n,).
    """
    rows = np.arange(offers.shape[0])
    n_options = own.shape[-1]
    need32 = need.astype(np.float32)[:, None, None]
    for _ in range(_SWAP_PASSES):
        own_now = gather(own, offers)
        own_total = own_now.sum(axis=-1)
        own_after = own - own_now[..., None]
        own_after += own_total[:, None, None]
        gain = others - gather(others, offers)[..., None]
        short = own_total < need
        ok = (own_after >= need32) & (gain > _TOLERANCE)
        score = np.where(ok, gain, -np.inf)
        if short.any():
            score[short] = np.where(own[short] > _FORBIDDEN / 2, own_after[short], -np.inf)
        flat_score = score.reshape(score.shape[0], -1)
        flat = flat_score.argmax(axis=-1)
        best = flat_score[rows, flat]
        improve = np.isfinite(best) & (~short | (best > own_total))
        issue, option = np.divmod(flat, n_options)
        offers[rows[improve], issue[improve]] = option[improve]
    return offers
