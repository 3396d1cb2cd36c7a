"""Vectorised utilities: `U(o) = sum_i w_i * v_i(o_i)`, for a batch of replications at once.

A party's utility in one replication is held as a weighted table `table[i, k] = w_i * v_i(k)` of
shape (I, K), so the utility of an outcome is a gather and a sum; batches add a leading axis.
"""

from __future__ import annotations

import numpy as np

TOLERANCE = 1e-9
"""Utilities closer than this count as equal: a party accepts an offer worth its floor minus
TOLERANCE, and the analysis (ZOPA, bargaining set, Pareto dominance) draws the same line, so
an outcome the engine would accept is never outside the zone the analysis reports."""


def gather(tables: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Each row's table entry at its offered option, per issue: shape `offers.shape`.

    `tables` has one more (option) axis than `offers`, the others equal. A flat-index `take`:
    `take_along_axis` with far less overhead, which matters in the hot loop.
    """
    n_issues, n_options = offers.shape[-1], tables.shape[-1]
    start = _offsets(offers.size // max(1, n_issues), n_issues, n_options, flat=True)
    return np.ascontiguousarray(tables).take(offers + start.reshape(offers.shape))


def gather_rows(tables: np.ndarray, rows: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """`gather(tables[rows], offers)` without copying the tables' rows: shape (n, I).

    Args:
        tables: one table per replication, shape (R, I, K).
        rows: replications, shape (n,).
        offers: option index per issue, shape (n, I).
    """
    n_issues, n_options = tables.shape[-2:]
    index = offers + _offsets(rows.size, n_issues, n_options, flat=False)
    index += (rows * (n_issues * n_options))[:, None]
    return np.ascontiguousarray(tables).take(index)


def row_blocks(tables: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """`tables[first, second]` for two broadcasting index arrays over the leading two axes,
    by a `take` of whole blocks (much faster than numpy's two-array fancy indexing)."""
    n_first, n_second = tables.shape[:2]
    blocks = np.ascontiguousarray(tables).reshape(n_first * n_second, *tables.shape[2:])
    return blocks.take(first * n_second + second, axis=0)


def row_sum(values: np.ndarray, dtype: type | None = None) -> np.ndarray:
    """`values.sum(axis=-1, dtype=dtype)` bit for bit, up to twice as fast for a short last
    (issue) axis and many rows: column by column, in the order of numpy's pairwise summation, on
    blocks of rows small enough to stay in cache.

    >>> x = np.random.default_rng(0).random((5, 12), dtype=np.float32)
    >>> bool((row_sum(x, np.float64) == x.sum(axis=-1, dtype=np.float64)).all())
    True
    """
    width = values.shape[-1]
    n_rows = values.size // width if width else 0
    if n_rows < _SUM_FEWEST or width < 2:  # numpy is faster on few rows
        return np.add.reduce(values, axis=-1, dtype=dtype)
    flat = np.ascontiguousarray(values).reshape(n_rows, width)
    total = np.empty(n_rows, dtype=dtype or values.dtype)
    for start in range(0, n_rows, _SUM_BLOCK):
        part = flat[start : start + _SUM_BLOCK]
        if dtype is not None and part.dtype != dtype:
            part = part.astype(dtype)
        block = _pairwise(part, 0, width)
        np.add(block, 0.0, out=total[start : start + _SUM_BLOCK])  # numpy adds to 0: -0.0 is 0.0
    return total.reshape(values.shape[:-1])


_SUM_FEWEST = 1500  # rows below which `row_sum` leaves the sum to numpy
_SUM_BLOCK = 4096  # rows `row_sum` sums at a time


def _pairwise(values: np.ndarray, start: int, count: int) -> np.ndarray:
    """numpy's pairwise sum of columns `start .. start + count` (`pairwise_sum` in its loops):
    below 8 terms in turn; up to 128 in eight running sums; above, the two halves."""
    column = [values[..., start + j] for j in range(count)] if count <= 128 else []
    if count < 8:
        if count == 1:
            return column[0].copy()
        total = column[0] + column[1]
        for term in column[2:]:
            total += term
        return total
    if count <= 128:
        done = count - count % 8
        sums = column[:8] if done == 8 else [c.copy() for c in column[:8]]
        for block in range(8, done, 8):
            for j in range(8):
                sums[j] += column[block + j]
        total = (sums[0] + sums[1]) + (sums[2] + sums[3])
        total += (sums[4] + sums[5]) + (sums[6] + sums[7])
        for term in column[done:]:
            total += term
        return total
    half = count // 2
    half -= half % 8
    return _pairwise(values, start, half) + _pairwise(values, start + half, count - half)


def row_any(mask: np.ndarray) -> np.ndarray:
    """`mask.any(axis=-1)` for a boolean array, an order of magnitude faster for a short last
    axis: its bytes are read as a few wider words, which are or-ed together.

    >>> row_any(np.array([[False, True, False], [False, False, False]])).tolist()
    [True, False]
    """
    mask = np.ascontiguousarray(mask, dtype=bool)
    width = mask.shape[-1]
    if width == 0:
        return np.zeros(mask.shape[:-1], dtype=bool)
    if mask.size <= _ANY_FEWEST:  # numpy is faster on few rows
        return mask.any(axis=-1)
    word = next(w for w in (8, 4, 2, 1) if width % w == 0)
    words = mask.view(f"u{word}")
    found = words[..., 0].copy()
    for j in range(1, words.shape[-1]):
        found |= words[..., j]
    return found != 0


_ANY_FEWEST = 1024  # elements up to which `row_any` leaves the reduction to numpy

_OFFSETS: dict[tuple[int, int, bool], np.ndarray] = {}


def issue_offsets(n: int, n_issues: int, n_options: int) -> np.ndarray:
    """`i * K` for each of `n` rows and I issues, shape (n, I): add an offer to index a flat
    (I, K) table (read-only, cached)."""
    return _offsets(n, n_issues, n_options, flat=False)


def _offsets(n: int, n_issues: int, n_options: int, flat: bool) -> np.ndarray:
    """Flat offsets of the first option of each issue in `n` rows of (I, K) tables, shape
    (n, I): of row j's own table (`flat`: `(j * I + i) * K`) or of one shared table (`i * K`).

    Read-only views of a cache grown on demand (broadcasting a short axis in numpy costs more
    than reading a ready array), up to `_CACHED_ROWS` rows; more are worked out afresh.
    """
    key = (n_issues, n_options, flat)
    cached = _OFFSETS.get(key)
    if cached is None or cached.shape[0] < n:
        size = max(n, 1024, 0 if cached is None else min(2 * cached.shape[0], _CACHED_ROWS))
        issue = np.arange(n_issues, dtype=np.int64) * n_options
        row = np.arange(size, dtype=np.int64)[:, None] * (n_issues * n_options if flat else 0)
        cached = row + issue
        if size > _CACHED_ROWS:
            return cached[:n]
        cached.flags.writeable = False
        _OFFSETS[key] = cached
    return cached[:n]


_CACHED_ROWS = 1 << 16  # rows of offsets kept per table shape (6 MiB for 12 issues)


def max_over_options(tables: np.ndarray) -> np.ndarray:
    """The maximum over the last (option) axis, shape `tables.shape[:-1]`.

    Equal to `tables.max(axis=-1)`, but a running maximum over the few options is an order of
    magnitude faster than numpy's reduction over a short last axis, and it runs every round.

    >>> max_over_options(np.array([[0.1, 0.4, 0.2]])).tolist()
    [0.4]
    """
    top = tables[..., 0].copy()
    for k in range(1, tables.shape[-1]):
        np.maximum(top, tables[..., k], out=top)
    return top


def utilities_at(tables: np.ndarray, rows: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """`utilities(tables[rows], offers)` without copying the tables' rows, shape (n,)."""
    return row_sum(gather_rows(tables, rows, offers))


def utilities(tables: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Utility of each row's offer under that row's table.

    Args:
        tables: weighted tables, shape (n, I, K).
        offers: option index per issue, shape (n, I).

    Returns:
        Utilities, shape (n,).

    >>> t = np.array([[[0.5, 0.0], [0.0, 0.5]]])
    >>> utilities(t, np.array([[0, 1]])).tolist()
    [1.0]
    """
    return row_sum(gather(tables, offers))


def best_utility(tables: np.ndarray, forbidden: np.ndarray | None = None) -> np.ndarray:
    """Highest utility reachable in each row, skipping forbidden options.

    Returns -inf for a row where every option of some issue is forbidden.
    """
    if forbidden is not None:
        tables = np.where(forbidden, -np.inf, tables)
    return row_sum(max_over_options(tables))


def crosses(forbidden: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Which issues of each row's offer fall on a forbidden option, shape (n, I)."""
    if forbidden.ndim == 2:
        n_issues, n_options = forbidden.shape
        start = _offsets(offers.shape[0], n_issues, n_options, flat=False)
        return np.ascontiguousarray(forbidden).take(offers + start)
    return gather(forbidden, offers)
