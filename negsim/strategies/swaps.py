"""Swap repair: single-issue swaps that spend the slack a hull offer leaves (`offers.py`).

Each pass applies, in every row still moving, the single swap that most raises the smallest of
the other parties' margins (plus a fifth of their mean, so that a party gains where nobody loses)
while the proposer's utility stays at its target; rows stop when no swap gains more than `_GAIN`.
Of swaps tied for the others, the proposer takes the one worth most to it, then the one its
replication's tie-break keys rank highest (`negsim.strategies.ties`), never the first written.
Arrays are option-major float32 `(K, m, I)`, as `offers.py` lays them out.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from negsim.strategies.ties import NEAR
from negsim.utility import max_over_options, row_sum

_GAIN = 1e-4  # the least gain in margin a swap must bring
OUT = np.float32(1e30)  # subtracted from scores that are out: below every score that is not


def spread(values: np.ndarray, n_issues: int) -> np.ndarray:
    """Per-row numbers `(..., n)` repeated over each row's issues as float32, `(..., n, I)`."""
    return values.astype(np.float32, copy=False).repeat(n_issues).reshape(*values.shape, n_issues)


def score_of(margin: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The smallest margin plus `scale` times their sum (a fifth of their mean), shape (n,)."""
    return np.minimum.reduce(margin) + scale * np.add.reduce(margin)


class Swaps(NamedTuple):
    """The swap repair's rows still moving and their option-major float32 data.

    Attributes:
        rows: their indices in the offers being repaired, shape (m,).
        tables: the Q others' tables (zero for absent parties), then the proposer's (forbidden
            options far below every other, as `offers.py` sets them), then the others' summed
            times `scale`: (Q + 2, K, m, I).
        held: the first Q + 1 tables at the current offers, shape (Q + 1, m, I).
        thresholds: the others' thresholds, far below 0 for absent parties, shape (Q, m).
        scale: weight of the sum of margins beside the smallest, shape (m,); spread over the
            issues in `spread_scale`, (m, I).
        need: the proposer's utility floor, shape (m,).
    """

    rows: np.ndarray
    tables: np.ndarray
    held: np.ndarray
    thresholds: np.ndarray
    scale: np.ndarray
    spread_scale: np.ndarray
    need: np.ndarray


class Ties(NamedTuple):
    """Every row's tie-break keys: of the options option-major (K, n, I), of the issues (n, I)."""

    options: np.ndarray
    issues: np.ndarray


_ROW_AXIS = (-1, -2, -2, -1, -1, -2, -1)  # each field's axis over the rows, in field order


def merged(parts: list[Swaps | None]) -> Swaps | None:
    """The rows of several `Swaps` in one (None: no rows)."""
    parts = [part for part in parts if part is not None]
    if len(parts) <= 1:
        return parts[0] if parts else None
    fields = zip(*parts, strict=True)
    return Swaps(*(np.concatenate(f, axis=ax) for f, ax in zip(fields, _ROW_AXIS, strict=True)))


def repair(
    swaps: Swaps | None, offers: np.ndarray, margin_out: np.ndarray, passes: int, ties: Ties
) -> Swaps | None:
    """Up to `passes` swap passes; returns the rows still moving (None: none)."""
    for _ in range(passes):
        if swaps is None:
            break
        swaps = swap_pass(swaps, offers, margin_out, ties)
    return swaps


def swap_pass(swaps: Swaps, offers: np.ndarray, margin_out: np.ndarray, ties: Ties) -> Swaps | None:
    """Apply each row's best single swap: the one that most raises the smallest margin (plus
    `scale` times their sum) while the proposer's utility stays at least `need`, or where it is
    below `need`, the one that raises it most. Swaps to forbidden options never keep the floor.

    Rows stop when no swap gains more than `_GAIN`; their margins at their final offers go to
    `margin_out`. `offers[swaps.rows]` change in place; returns the rows that moved (None: none).
    """
    s = swaps
    n_others = s.thresholds.shape[0]
    others, own, summed = s.tables[:n_others], s.tables[n_others], s.tables[n_others + 1]
    held, own_now = s.held[:n_others], s.held[n_others]
    n_issues = own_now.shape[1]
    slack = (row_sum(own_now, np.float64) - s.need).astype(np.float32)
    margin = row_sum(held) - s.thresholds  # (Q, n)
    # A swap on issue i to option k moves party q's margin to table_q[k, i] + shift_q[i].
    shift = spread(margin, n_issues)
    shift -= held  # (Q, n, I)
    score = others[0] + shift[0]
    moved = np.empty_like(score)
    for q in range(1, n_others):
        np.minimum(score, np.add(others[q], shift[q], out=moved), out=score)
    score += summed
    score += s.spread_scale * shift.sum(axis=0)
    # Swaps that take the proposer below its floor are out.
    floor = own_now - spread(slack, n_issues)
    score -= np.multiply(np.less(own, floor), OUT, out=moved)
    short = slack < 0
    any_short = short.any()
    if any_short:  # a row below its floor takes the swap that raises its own utility most
        score[:, short] = own[:, short] - own_now[short]
    by_issue = np.maximum.reduce(score)  # (n, I): the best option's score on each issue
    top = max_over_options(by_issue)  # (n,): over the issues, a running maximum is faster
    now = score_of(margin, s.scale) + _GAIN
    if any_short:
        now[short] = 0.0
    improve = top > now
    if not improve.all():
        stop = ~improve
        margin_out[:, s.rows[stop]] = margin[:, stop]
        if not improve.any():
            return None
    keep = np.flatnonzero(improve)
    rows = s.rows[keep]
    # Of the swaps tied for the best score, the one that leaves the proposer most, then the
    # one ranked highest by the keys; only rows with tied issues weigh every issue. Flat indices
    # into (K, m * I) views read one option column per row.
    n_options = own.shape[0]
    level = top[keep] - NEAR
    tied = by_issue[keep] >= level[:, None]
    issue = tied.argmax(axis=-1)  # the first tied issue; the last differs where several tie
    several = np.flatnonzero(issue != n_issues - 1 - tied[:, ::-1].argmax(axis=-1))
    own_flat, score_flat = own.reshape(n_options, -1), score.reshape(n_options, -1)
    if several.size:  # weigh each tied (row, issue) pair by its best tied option for the proposer
        pair, tied_issue = np.nonzero(tied[several])
        at = keep[several][pair] * n_issues + tied_issue
        worth = own_flat.take(at, axis=1) - own_now.reshape(-1)[at]  # (K, pairs)
        worth[score_flat.take(at, axis=1) < level[several][pair]] = -np.inf
        # Per row, the pair worth most to the proposer, then the one whose issue ranks highest.
        keys = ties.issues.reshape(-1)[rows[several][pair] * n_issues + tied_issue]
        order = np.lexsort((keys, worth.max(axis=0), pair))
        last = np.flatnonzero(np.diff(pair[order], append=several.size))
        issue[several] = tied_issue[order[last]]
    line = np.arange(keep.size)
    at = keep * n_issues + issue
    worth = own_flat.take(at, axis=1)  # (K, m): the chosen issue's options
    worth -= own_now.reshape(-1)[at]
    worth[score_flat.take(at, axis=1) < level] = -np.inf
    hit = worth >= np.maximum.reduce(worth) - NEAR  # (K, m): the options tied for the best
    option = hit.argmax(axis=0)
    tied_options = np.flatnonzero(option != n_options - 1 - hit[::-1].argmax(axis=0))
    if tied_options.size:  # only there do the keys decide
        at = rows[tied_options] * n_issues + issue[tied_options]
        keys = ties.options.reshape(n_options, -1).take(at, axis=1)
        chosen = np.where(hit[:, tied_options], keys, np.float32(-1))
        option[tied_options] = chosen.argmax(axis=0)
    offers[rows, issue] = option
    tables, held = s.tables.take(keep, -2), s.held.take(keep, -2)
    held[:, line, issue] = tables[: n_others + 1, option, line, issue]
    scale, spread_scale, need = s.scale[keep], s.spread_scale[keep], s.need[keep]
    return Swaps(rows, tables, held, s.thresholds[:, keep], scale, spread_scale, need)
