"""A random stream per replication: numbers fixed by the run's seed and the replication's index.

Replications are grouped in blocks of `BLOCK` consecutive indices of one sweep point; a block
draws from generators keyed by `(seed, block, purpose)` alone, always for the whole block, and a
replication takes its own position in it. So a replication's numbers do not depend on the batch
size, on where a batch starts, nor on which other replications or points share its model: a
point run alone and the same point packed with others into one model tell the same stories.

Every purpose (a party's drawn weights, its option values, the opening party, a noisy
strategy's noise, ...) has its own generator, so a change in one kind of number (a swept
weight, which changes how many random numbers a gamma draw consumes) leaves the others alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

BLOCK = 64
"""Replications per block: one generator per block and purpose."""

_ROUND_CHUNK = 32
"""Rounds of per-round numbers drawn at once per block (the stream is the same however many)."""

# Purposes: the first word of a generator's key after (seed, block).
WEIGHTS, VALUES, RESERVATION, OPENER, NOISE, TRACK, RATIFY, SEATING, TIES = range(9)

Sampler = Callable[[np.random.Generator, int], np.ndarray]


@dataclass(frozen=True)
class _Block:
    seed: int
    block: int
    rows: np.ndarray  # the model's rows in this block
    offsets: np.ndarray  # their positions within the block


class Streams:
    """The random streams of a model's rows.

    Args:
        seeds: each row's seed (its sweep point's), shape (R,).
        index: each row's replication index within its point, shape (R,).
        point: each row's point, shape (R,); rows of one block must share a point.
        tag: extra key words shared by every generator (a split-track's track number).

    Example:
        >>> a = Streams(np.zeros(100, int), np.arange(100), np.zeros(100, int))
        >>> b = Streams(np.zeros(40, int), np.arange(60, 100), np.zeros(40, int))
        >>> bool((a.integers(OPENER, 4)[60:] == b.integers(OPENER, 4)).all())
        True
    """

    def __init__(
        self,
        seeds: np.ndarray,
        index: np.ndarray,
        point: np.ndarray,
        tag: tuple[int, ...] = (),
    ) -> None:
        self.size = int(index.size)
        self.tag = tag
        self._seeds, self._index, self._point = seeds, index, point
        block = index // BLOCK
        keys = point.astype(np.int64) * (1 << 40) + block
        order = np.argsort(keys, kind="stable")
        bounds = np.flatnonzero(np.diff(keys[order])) + 1
        self.blocks = [
            _Block(
                seed=int(seeds[rows[0]]),
                block=int(block[rows[0]]),
                rows=rows,
                offsets=index[rows] % BLOCK,
            )
            for rows in np.split(order, bounds)
            if rows.size
        ]
        self._rounds: dict[tuple[int, ...], list[np.ndarray]] = {}
        self._gens: dict[tuple[int, ...], list[np.random.Generator]] = {}

    def derived(self, *tag: int) -> Streams:
        """The same rows' streams under further key words (an independent family)."""
        return Streams(self._seeds, self._index, self._point, (*self.tag, *tag))

    def generator(self, block: _Block, purpose: tuple[int, ...]) -> np.random.Generator:
        """The generator of `block` for `purpose`."""
        key = [block.seed, block.block, *self.tag, *purpose]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(key)))

    def draw(
        self,
        purpose: tuple[int, ...],
        tail: tuple[int, ...],
        sampler: Callable[..., np.ndarray],
        active: np.ndarray | None = None,
    ) -> np.ndarray:
        """Numbers of shape (R, *tail): `sampler(generator, block)` gives a block's (BLOCK,
        *tail) numbers, and each row takes its own position's.

        Blocks whose rows are not `active` (a row mask; blocks share a point, so one row says)
        draw nothing and get zeros: their points do not use this purpose.
        """
        out = np.zeros((self.size, *tail))
        for block in self.blocks:
            if active is not None and not active[block.rows[0]]:
                continue
            numbers = sampler(self.generator(block, purpose), block)
            out[block.rows] = numbers[block.offsets]
        return out

    def normal(
        self,
        purpose: tuple[int, ...],
        tail: tuple[int, ...] = (),
        active: np.ndarray | None = None,
    ) -> np.ndarray:
        """Standard normal numbers of shape (R, *tail) (zeros where not `active`)."""
        return self.draw(purpose, tail, lambda g, _: g.standard_normal((BLOCK, *tail)), active)

    def integers(self, purpose: int | tuple[int, ...], high: int) -> np.ndarray:
        """Whole numbers in [0, high), shape (R,)."""
        key = (purpose,) if isinstance(purpose, int) else purpose
        drawn = self.draw(key, (), lambda g, _: g.integers(high, size=BLOCK).astype(float))
        return drawn.astype(np.int64)

    def normal_at(self, purpose: tuple[int, ...], round_: int) -> np.ndarray:
        """Standard normal numbers for round `round_` (1, 2, ...), shape (R,).

        Each block's generator yields round after round; rounds are drawn in chunks, and a round
        asked for twice gives the same numbers.
        """
        drawn = self._rounds.setdefault(purpose, [])
        while len(drawn) * _ROUND_CHUNK < round_:
            gens = self._gens.get(purpose)
            if gens is None:
                gens = self._gens[purpose] = [self.generator(b, purpose) for b in self.blocks]
            chunk = np.empty((_ROUND_CHUNK, self.size))
            for block, gen in zip(self.blocks, gens, strict=True):
                chunk[:, block.rows] = gen.standard_normal((_ROUND_CHUNK, BLOCK))[:, block.offsets]
            drawn.append(chunk)
        which, within = divmod(round_ - 1, _ROUND_CHUNK)
        return drawn[which][within]
