"""Tie-break keys: an exact tie goes by the replication's own random order, never by position.

Where a search or a mediator has two options (or two issues) worth exactly the same, taking the
first one written would make the results depend on the order a scenario lists its issues and
options in. Each replication instead draws, once, a random order of the options of every issue
and a random order of the issues (`TIES` stream), and a tie goes to the one ranked highest. The
keys are the same for every party of the replication, so two parties that mirror each other
meet the same tie-breaks.
"""

from __future__ import annotations

import numpy as np

from negsim.streams import BLOCK, TIES, Streams


def draw_tie_keys(streams: Streams, n_issues: int, n_options: int) -> np.ndarray:
    """Each row's keys, shape (R, I, K + 1) float32 in [0, 1): `[..., :K]` order the options of
    each issue, `[..., K]` the issues (the largest first; equal keys, about one pair in 10^7,
    fall back to the first written)."""
    shape = (n_issues, n_options + 1)
    keys = streams.draw((TIES,), shape, lambda g, _: g.random((BLOCK, *shape)))
    return keys.astype(np.float32)


def written_keys(n: int, n_issues: int, n_options: int) -> np.ndarray:
    """Keys that rank the first written option and issue highest, shape (n, I, K + 1)."""
    keys = np.empty((n, n_issues, n_options + 1), dtype=np.float32)
    keys[..., :n_options] = np.arange(n_options - 1, -1, -1, dtype=np.float32)
    keys[..., n_options] = np.arange(n_issues - 1, -1, -1, dtype=np.float32)
    return keys


def first_max(values: np.ndarray, top: np.ndarray) -> np.ndarray:
    """The first index along axis 0 where `values` equals `top` (which it reaches somewhere).

    A running comparison: many times faster than `argmax` over a short leading axis.
    """
    pending = values[0] != top
    first = pending.astype(np.int64)
    for k in range(1, values.shape[0] - 1):
        pending &= values[k] != top
        first += pending
    return first


NEAR = np.float32(1e-6)
"""Values within this of the largest tie with it: float32 sums of the same numbers in another
order (issues written in another order) differ by about 1e-7, and must not decide."""


def ranked_max(values: np.ndarray, top: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The index along axis 0 where `values` is within `NEAR` of `top` with the largest key
    (keys are at least 0): ties by key.

    >>> ranked_max(np.array([[3.0], [5.0], [5.0]]), np.array([5.0]), np.array([[0], [1], [2]]))
    array([2])
    """
    ranked = np.where(values >= top - NEAR, keys, np.float32(-1))
    return first_max(ranked, np.maximum.reduce(ranked))


def ranked_argmax(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """`argmax` over the last axis with ties going to the largest key (keys are at least 0).

    >>> ranked_argmax(np.array([[1.0, 2.0, 2.0]]), np.array([[0, 2, 1]]))
    array([1])
    """
    tied = values == values.max(axis=-1, keepdims=True)
    return np.where(tied, keys, np.float32(-1)).argmax(axis=-1)
