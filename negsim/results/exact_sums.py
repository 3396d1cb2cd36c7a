"""Float sums that do not depend on where a series is split into pieces.

Every sum is taken over aligned chunks of a fixed number of rows (row k always lands in chunk
k // chunk_rows) by a fixed pairwise tree, and the chunk sums are added exactly (Shewchuk's
algorithm, as `math.fsum`), so a series fed whole or in any pieces, in order, sums to the same
float, bit for bit. `negsim.results.accumulator` builds the run's summary on it.

>>> whole, pieces = ChunkedSums(1, 4), ChunkedSums(1, 4)
>>> values = np.arange(10.0)[None, :] / 3
>>> whole.add(values)
>>> for piece in (values[:, :3], values[:, 3:7], values[:, 7:]):
...     pieces.add(piece)
>>> whole.totals() == pieces.totals()
True
"""

from __future__ import annotations

import math

import numpy as np


def tree_sums(block: np.ndarray) -> np.ndarray:
    """Sums over the last axis (a power of two long) by halving: a fixed order of additions."""
    while block.shape[-1] > 1:
        half = block.shape[-1] // 2
        block = block[..., :half] + block[..., half:]
    return block[..., 0]


def add_exact(partials: list[float], x: float) -> None:
    """Add `x` to the exact sum held as non-overlapping `partials` (Shewchuk, as `math.fsum`)."""
    i = 0
    for y in partials:
        if abs(x) < abs(y):
            x, y = y, x
        high = x + y
        low = y - (high - x)
        if low:
            partials[i] = low
            i += 1
        x = high
    partials[i:] = [x]


class ChunkedSums:
    """Sums of a few float series fed in pieces, independent of where the pieces split."""

    def __init__(self, n_series: int, chunk_rows: int) -> None:
        self._n_series, self._chunk = n_series, chunk_rows
        # The partial chunk's rows, as many as came: an accumulator that has seen 100 rows
        # holds 100, not a whole chunk (a sweep keeps thousands of accumulators open).
        self._pending: list[np.ndarray] = []
        self._fill = 0
        self._partials: list[list[float]] = [[] for _ in range(n_series)]
        self._special = [0.0] * n_series  # inf and NaN chunk sums, which exact sums cannot hold

    def _padded(self) -> np.ndarray:
        """The partial chunk, padded with zeros to a whole one (summed like a whole one)."""
        block = np.zeros((self._n_series, self._chunk))
        if self._pending:
            block[:, : self._fill] = np.concatenate(self._pending, axis=1)
        return block

    def add(self, values: np.ndarray) -> None:
        """Append `values` (n_series, rows), the next rows in order; excluded rows hold 0.0."""
        n_series, chunk = self._n_series, self._chunk
        rows, pos = values.shape[1], 0
        if self._fill:
            pos = min(chunk - self._fill, rows)
            self._pending.append(np.array(values[:, :pos], dtype=float))
            self._fill += pos
            if self._fill == chunk:
                self._fold(tree_sums(self._padded()[:, None, :]))
                self._pending, self._fill = [], 0
        whole = (rows - pos) // chunk
        if whole:
            block = values[:, pos : pos + whole * chunk].reshape(n_series, whole, chunk)
            self._fold(tree_sums(block))
            pos += whole * chunk
        if pos < rows:
            self._pending = [np.array(values[:, pos:], dtype=float)]
            self._fill = rows - pos

    def _fold(self, sums: np.ndarray) -> None:
        for series, row in enumerate(sums.tolist()):
            for value in row:
                if math.isfinite(value):
                    add_exact(self._partials[series], value)
                else:
                    self._special[series] += value

    def totals(self) -> list[float]:
        """The sum of every series so far (the partial chunk summed like a whole one)."""
        partial = tree_sums(self._padded()[:, None, :])[:, 0].tolist()
        totals = []
        for series, last in enumerate(partial):
            special = self._special[series] + (0.0 if math.isfinite(last) else last)
            total = math.fsum([*self._partials[series], last if math.isfinite(last) else 0.0])
            totals.append(total + special if special else total)
        return totals
