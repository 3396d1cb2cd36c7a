"""Offer generation: an offer meeting the proposer's target that every other party may accept.

Under unanimity an offer succeeds only if every required party accepts it, so the proposer looks
for the offer whose smallest estimated margin is largest: for each other party q, the margin is
q's estimated utility of the offer minus q's estimated acceptance threshold (both learned from
the table, see `opponent.py` and `thresholds.py`), subject to the proposer's own utility meeting
its target. A sum of estimated utilities would let one party's gain hide another's loss.

Utilities are sums over issues, so the search is built issue by issue and never enumerates
outcomes, in two vectorised stages:

1. Weighted Lagrangian sweeps: for weights `lam` over the other parties, combine their estimated
   tables into one, and bisect on the angle `a` in [0, pi/2] of the offer maximising
   `cos(a) * combined + sin(a) * own` issue by issue, for the smallest angle still meeting the
   target. The weights then move towards the parties whose margins are smallest (multiplicative
   weights on the max-min problem), and the sweep is repeated; the best offer found is kept.
2. Swap repair: single-issue swaps that raise the smallest margin (then the sum of margins) while
   the proposer's utility stays at its target spend the slack the discrete hull offer leaves.

Cost per proposal is O((sweeps * bisection steps + swap passes * parties) * I * K), whatever the
size of the outcome space.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from negsim.utility import gather

_BISECTION_STEPS = 6
_SWEEPS = 3  # weighted Lagrangian sweeps; the first uses equal weights
_SWAP_PASSES = 3
_STEP_SIZE = 8.0  # multiplicative-weights step, per unit of margin
_SECONDARY = 1e-3  # weight of the mean margin beside the smallest one
_FORBIDDEN = np.float32(-1e9)
_TOLERANCE = 1e-6  # float32 sums are exact to about 1e-7 for utilities in [0, 1]


class Aim(NamedTuple):
    """Whom a proposer's offer must win over, as the table shows them.

    Attributes:
        others: the other parties' estimated weighted tables, shape (n, Q, I, K).
        thresholds: their estimated acceptance thresholds, in the same scale, shape (n, Q).
        present: which of them are at the table, shape (n, Q).
    """

    others: np.ndarray
    thresholds: np.ndarray
    present: np.ndarray


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


def _hull_offer(a_major: np.ndarray, b_major: np.ndarray, need: np.ndarray) -> np.ndarray:
    """The offer on the (own, combined) hull with the smallest own weight meeting `need`."""
    n = need.shape[0]
    lo = np.zeros(n)
    hi = np.full(n, np.pi / 2 - 1e-4)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        feasible = _own_value(a_major, b_major, np.tan(mid)) >= need
        hi = np.where(feasible, mid, hi)
        lo = np.where(feasible, lo, mid)
    return _choice(a_major, b_major, np.tan(hi))


def margins(
    others: np.ndarray, offers: np.ndarray, thresholds: np.ndarray, present: np.ndarray
) -> np.ndarray:
    """Each other party's estimated utility of `offers` minus its threshold, shape (n, Q).

    Parties not at the table get +inf: they never decide the smallest margin.
    """
    n, n_others = others.shape[:2]
    repeated = np.repeat(offers, n_others, axis=0)
    flat = others.reshape(n * n_others, *others.shape[2:])
    value = gather(flat, repeated).sum(axis=-1, dtype=np.float64).reshape(n, n_others)
    return np.where(present, value - thresholds, np.inf)


def generate_offers(
    own: np.ndarray,
    others: np.ndarray,
    forbidden: np.ndarray,
    target: np.ndarray,
    thresholds: np.ndarray | None = None,
    present: np.ndarray | None = None,
) -> np.ndarray:
    """Offers meeting `target` for the proposer with the largest smallest margin of the others.

    Args:
        own: the proposer's weighted tables, shape (n, I, K).
        others: the other parties' estimated weighted tables, shape (n, Q, I, K); a single
            combined estimate of shape (n, I, K) is one party.
        forbidden: options never to offer (own red lines, known red lines of others, options
            an issue does not have), shape (n, I, K) or (I, K).
        target: the utility the proposer needs in each row, shape (n,).
        thresholds: each other party's estimated acceptance threshold, in the scale of its
            estimated table, shape (n, Q); zeros when omitted.
        present: which other parties are at the table, shape (n, Q); all when omitted.

    Returns:
        Option index per issue, shape (n, I). Where the target is out of reach the proposer's
        best offer is returned.
    """
    n = own.shape[0]
    if n == 0:
        return np.zeros((0, own.shape[1]), dtype=np.int64)
    if others.ndim == 3:
        others = others[:, None]
    if others.shape[1] == 0:  # nobody else to win over: a stand-in that never decides
        others = np.zeros((n, 1, *own.shape[1:]), dtype=np.float32)
        thresholds, present = np.zeros((n, 1)), np.zeros((n, 1), dtype=bool)
    n_others = others.shape[1]
    thresholds = np.zeros((n, n_others)) if thresholds is None else thresholds
    present = np.ones((n, n_others), dtype=bool) if present is None else present
    others = others.astype(np.float32, copy=False)
    a = np.where(forbidden, _FORBIDDEN, own.astype(np.float32))
    a_major = np.ascontiguousarray(np.moveaxis(a, -1, 0))
    need = target + _TOLERANCE
    lam = present / np.maximum(present.sum(axis=1, keepdims=True), 1)
    best = np.zeros((n, own.shape[1]), dtype=np.int64)
    best_score = np.full(n, -np.inf)
    for sweep in range(_SWEEPS if n_others > 1 else 1):
        combined = np.einsum("nq,nqik->nik", lam.astype(np.float32), others)
        # Scale the combination to the proposer's range so one angle grid suits every row.
        top = np.maximum(combined.max(axis=-1).sum(axis=-1), 1e-12)[:, None, None]
        b = np.where(forbidden, _FORBIDDEN, combined / top)
        offers = _hull_offer(a_major, np.ascontiguousarray(np.moveaxis(b, -1, 0)), need)
        margin = margins(others, offers, thresholds, present)
        score = _score(margin) + np.where(utilities_of(own, offers) >= need, 0.0, -1e6)
        better = score > best_score
        best[better] = offers[better]
        best_score = np.maximum(score, best_score)
        if sweep + 1 < _SWEEPS and n_others > 1:
            low = np.where(present, margin, np.nan)
            shift = low - np.nanmin(np.where(present, low, np.inf), axis=1, keepdims=True)
            lam = lam * np.exp(-_STEP_SIZE * np.nan_to_num(shift, nan=0.0, posinf=0.0))
            lam = lam * present
            lam /= np.maximum(lam.sum(axis=1, keepdims=True), 1e-300)
    return improve_by_swaps(best, a, others, thresholds, present, need)


def utilities_of(tables: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Each row's utility of its offer, summed in float64, shape (n,)."""
    return gather(tables, offers).sum(axis=-1, dtype=np.float64)


def _score(margin: np.ndarray) -> np.ndarray:
    """The smallest margin, with the mean of the finite margins as a tie-breaker, shape (n,)."""
    finite = np.isfinite(margin)
    smallest = np.where(finite, margin, np.inf).min(axis=1)
    mean = np.where(finite, margin, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)
    return np.where(np.isfinite(smallest), smallest, 0.0) + _SECONDARY * mean


def improve_by_swaps(
    offers: np.ndarray,
    own: np.ndarray,
    others: np.ndarray,
    thresholds: np.ndarray,
    present: np.ndarray,
    need: np.ndarray,
) -> np.ndarray:
    """Apply, `_SWAP_PASSES` times, the single-issue swap that most raises the smallest margin
    while `own` stays at least `need`; where `own` is below `need`, the swap that raises `own`
    most instead.

    Args:
        offers: current offers, shape (n, I); changed in place and returned.
        own: the proposer's table with forbidden options at `_FORBIDDEN`, shape (n, I, K).
        others: the others' estimated tables, shape (n, Q, I, K).
        thresholds, present: as for `generate_offers`, shape (n, Q).
        need: the proposer's utility floor per row, shape (n,).
    """
    rows = np.arange(offers.shape[0])
    n_options = own.shape[-1]
    open_ = own > _FORBIDDEN / 2
    need32 = need.astype(np.float32)[:, None, None]
    weight = np.float32(_SECONDARY) / np.maximum(present.sum(axis=1), 1).astype(np.float32)
    for _ in range(_SWAP_PASSES):
        own_now = gather(own, offers)
        own_total = own_now.sum(axis=-1)
        own_after = own - own_now[..., None]
        own_after += own_total[:, None, None]
        margin = margins(others, offers, thresholds, present).astype(np.float32)
        now = _score(margin)
        finite = np.isfinite(margin)
        held = np.where(finite, margin, 0.0)[..., None, None]
        change = others - gather_each(others, offers)[..., None]  # (n, Q, I, K)
        after = held + change
        smallest = np.where(finite[..., None, None], after, np.inf).min(axis=1)
        smallest = np.where(np.isfinite(smallest), smallest, 0.0)
        mean = np.where(finite[..., None, None], after, 0.0).sum(axis=1) * weight[:, None, None]
        short = own_total < need
        ok = (own_after >= need32) & open_
        score = np.where(ok, smallest + mean, -np.inf)
        if short.any():
            score[short] = np.where(open_[short], own_after[short], -np.inf)
        flat_score = score.reshape(score.shape[0], -1)
        flat = flat_score.argmax(axis=-1)
        top = flat_score[rows, flat]
        improve = np.where(short, top > own_total, top > now + _TOLERANCE) & np.isfinite(top)
        if not improve.any():
            break
        issue, option = np.divmod(flat, n_options)
        offers[rows[improve], issue[improve]] = option[improve]
    return offers


def gather_each(tables: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Each party's table entry at each row's offered option: (n, Q, I, K) -> (n, Q, I)."""
    n, n_others = tables.shape[:2]
    repeated = np.repeat(offers, n_others, axis=0)
    flat = tables.reshape(n * n_others, *tables.shape[2:])
    return gather(flat, repeated).reshape(n, n_others, -1)
