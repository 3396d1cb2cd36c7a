"""Frequency opponent model: estimate a party's preferences from the offers it makes.

An option a party keeps offering is probably worth much to it; an issue on which it rarely moves
is probably heavy (the HardHeaded frequency model of ANAC 2011). Accepting an offer counts half
an offer of it. Only public moves feed the model, never a party's true utility.

On an issue whose options are ordered (`ordered: true`, see `negsim.scenario.types.Issue`) an
offer also counts, with weight exp(-distance / h), for the options next to it (h a quarter of the
issue's span of options, at least half an option): a party that keeps asking for 100 probably
prefers 90 to 10. Without it, every option a party never offered looks equally bad, and a
proposer has no direction in which to concede on a long issue. The distance |j - k| is the same
whichever end the options are written from. On a nominal issue (kinds of food, venues: GENIUS and
GeniusWeb imports) nothing is assumed about which options are alike: an offer counts for the
option offered alone.

Every party sees the same offers and answers on the table, so one model of each party serves
every observer: it holds exactly what each of them could have learned. Estimates are refreshed
only where new evidence arrived, which keeps a round's cost proportional to the moves made.

The updates run compiled (`negsim.kernels.models`, one loop over the blocks a call touches)
unless the engine is the numpy `reference`, the code below; both give the same bits.
"""

from __future__ import annotations

import numpy as np

from negsim import kernels
from negsim.kernels import models
from negsim.utility import issue_offsets, max_over_options, row_sum

_ACCEPT_EVIDENCE = 0.5
_BANDWIDTH = 0.25  # of the issue's span of options


def neighbour_kernel(
    option_mask: np.ndarray, ordered: np.ndarray | None = None, bandwidth: float = _BANDWIDTH
) -> np.ndarray:
    """How much an offer of option k counts for option j of issue i, shape (I, K, K): by
    distance on ordered issues (all, when `ordered` is omitted), the option alone on others.

    >>> neighbour_kernel(np.array([[True, True, True]])).round(2).tolist()
    [[[1.0, 0.14, 0.02], [0.14, 1.0, 0.14], [0.02, 0.14, 1.0]]]
    >>> neighbour_kernel(np.array([[True, True]]), np.array([False])).tolist()
    [[[1.0, 0.0], [0.0, 1.0]]]
    """
    n_options = option_mask.sum(axis=1)
    width = np.maximum(0.5, bandwidth * (n_options - 1))[:, None, None]
    k = np.arange(option_mask.shape[1])
    distance = np.abs(k[:, None] - k[None, :])[None, :, :]
    kernel = np.exp(-distance / width)
    if ordered is not None:
        kernel = np.where(ordered[:, None, None], kernel, distance == 0)
    return kernel * option_mask[:, None, :] * option_mask[:, :, None]


class FrequencyModel:
    """Counts of each party's offered options and the estimates drawn from them.

    Args:
        n_parties: number of modelled parties P.
        replications: number of replications R.
        option_mask: True where an option exists, shape (I, K).
        ordered: whether each issue's options are ordered, shape (I,); all when omitted.
    """

    def __init__(
        self,
        n_parties: int,
        replications: int,
        option_mask: np.ndarray,
        ordered: np.ndarray | None = None,
    ) -> None:
        n_issues, n_options = option_mask.shape
        self.option_mask = option_mask.astype(np.float32)
        self.kernel = neighbour_kernel(option_mask, ordered).astype(np.float32)
        self.counts = np.zeros((n_parties, replications, n_issues, n_options), dtype=np.float32)
        self.top = np.zeros((n_parties, replications, n_issues), dtype=np.float32)  # max count
        self.kept = np.zeros((n_parties, replications, n_issues), dtype=np.float32)
        self.last = np.full((n_parties, replications, n_issues), -1, dtype=np.int64)
        self.estimates = np.empty_like(self.counts)
        self._replications = replications
        # The same arrays with (party, replication) flattened into one axis of blocks: a
        # `take` of whole blocks is much faster than indexing by two arrays.
        self._counts = self.counts.reshape(n_parties * replications, n_issues * n_options)
        self._top = self.top.reshape(n_parties * replications, n_issues)
        self._kept = self.kept.reshape(n_parties * replications, n_issues)
        self._last = self.last.reshape(n_parties * replications, n_issues)
        self._estimates = self.estimates.reshape(n_parties * replications, n_issues * n_options)
        self._kernel = self.kernel.reshape(n_issues * n_options, n_options)
        self._mask = self.option_mask.reshape(-1)
        # With no evidence yet every block has the same estimate: work it out once.
        first = np.zeros(1, dtype=np.int64)
        self._refresh(first, self._counts[:1], self._top[:1], self._kept[:1])
        self._estimates[:] = self._estimates[0]

    def observe_offers(self, party: np.ndarray, rows: np.ndarray, offers: np.ndarray) -> None:
        """Record that `party[j]` offered `offers[j]` in replication `rows[j]` (each (party,
        row) at most once)."""
        if rows.size == 0:
            return
        if kernels.compiled():
            self._compiled(party, rows, offers, 1.0, offered=True)
            return
        blocks = party * self._replications + rows
        counts, top = self._count(blocks, offers, 1.0)
        kept = self._kept.take(blocks, axis=0)
        kept += self._last.take(blocks, axis=0) == offers
        self._kept[blocks] = kept
        self._last[blocks] = offers
        self._refresh(blocks, counts, top, kept)

    def observe_accepts(
        self, party: int | np.ndarray, rows: np.ndarray, offers: np.ndarray
    ) -> None:
        """Record that `party` (or `party[j]`) accepted `offers[j]` in replication `rows[j]`
        (each (party, row) at most once)."""
        if rows.size == 0:
            return
        if kernels.compiled():
            self._compiled(party, rows, offers, _ACCEPT_EVIDENCE, offered=False)
            return
        blocks = party * self._replications + rows
        counts, top = self._count(blocks, offers, _ACCEPT_EVIDENCE)
        self._refresh(blocks, counts, top, self._kept.take(blocks, axis=0))

    def tables(self, parties: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Estimated weighted tables of `parties` in `rows`, shape (len(parties), n, I, K)."""
        return self.estimates[parties[:, None], rows[None, :]]

    def _compiled(
        self,
        party: int | np.ndarray,
        rows: np.ndarray,
        offers: np.ndarray,
        weight: float,
        offered: bool,
    ) -> None:
        """`_count` and `_refresh` (and, for offers, kept and last) in one compiled loop."""
        n_issues, n_options = self.option_mask.shape
        models.frequency_update(
            self._counts.reshape(-1, n_issues, n_options),
            self._top,
            self._kept,
            self._last,
            self._estimates.reshape(-1, n_issues, n_options),
            self.kernel,
            self.option_mask,
            np.ascontiguousarray(party, dtype=np.int64).reshape(-1),
            np.ascontiguousarray(rows, dtype=np.int64),
            np.ascontiguousarray(offers, dtype=np.int64),
            self._replications,
            np.float32(weight),
            offered,
        )

    def _count(
        self, blocks: np.ndarray, offers: np.ndarray, weight: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Add `weight` offers of `offers[j]` in (party, replication) block `blocks[j]`, each
        block at most once; returns the blocks' new counts (n, I * K) and largest counts."""
        n, n_issues = offers.shape
        index = offers + issue_offsets(n, n_issues, self.kernel.shape[-1])
        spread = self._kernel.take(index, axis=0).reshape(n, -1)
        spread *= np.float32(weight)
        counted = self._counts.take(blocks, axis=0)
        counted += spread
        self._counts[blocks] = counted
        top = max_over_options(counted.reshape(n, n_issues, -1))
        self._top[blocks] = top
        return counted, top

    def _refresh(
        self, blocks: np.ndarray, counts: np.ndarray, top: np.ndarray, kept: np.ndarray
    ) -> None:
        """Re-estimate the tables of (party, replication) blocks `blocks` from their `counts`,
        largest counts `top` and `kept` counts: Laplace-smoothed counts over the issue's largest
        count, times weights that grow with how often the party kept its option on that issue
        between offers."""
        n_options = self.kernel.shape[-1]
        values = counts + 1.0
        values /= np.repeat(top + 1.0, n_options, axis=-1)
        weights = kept + 1.0
        weights /= np.repeat(row_sum(weights), weights.shape[-1]).reshape(weights.shape)
        values *= np.repeat(weights, n_options, axis=-1)
        values *= self._mask
        self._estimates[blocks] = values
