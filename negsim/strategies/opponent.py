"""Frequency opponent model: estimate a party's preferences from the offers it makes.

An option a party keeps offering is probably worth much to it; an issue on which it rarely moves
is probably heavy (the HardHeaded frequency model of ANAC 2011). Accepting an offer counts half
an offer of it. Only public moves feed the model, never a party's true utility.

Options are ordered, so an offer also counts, with weight exp(-distance / h), for the options
next to it (h a quarter of the issue's span of options, at least half an option): a party that
keeps asking for 100 probably prefers 90 to 10. Without it, every option a party never offered
looks equally bad, and a proposer has no direction in which to concede on a long issue.

Every party sees the same offers and answers on the table, so one model of each party serves
every observer: it holds exactly what each of them could have learned. Estimates are refreshed
only where new evidence arrived, which keeps a round's cost proportional to the moves made.
"""

from __future__ import annotations

import numpy as np

from negsim.utility import max_over_options

_ACCEPT_EVIDENCE = 0.5
_BANDWIDTH = 0.25  # of the issue's span of options


def neighbour_kernel(option_mask: np.ndarray, bandwidth: float = _BANDWIDTH) -> np.ndarray:
    """How much an offer of option k counts for option j of issue i, shape (I, K, K).

    >>> neighbour_kernel(np.array([[True, True, True]])).round(2).tolist()
    [[[1.0, 0.14, 0.02], [0.14, 1.0, 0.14], [0.02, 0.14, 1.0]]]
    """
    n_options = option_mask.sum(axis=1)
    width = np.maximum(0.5, bandwidth * (n_options - 1))[:, None, None]
    k = np.arange(option_mask.shape[1])
    distance = np.abs(k[:, None] - k[None, :])[None, :, :]
    kernel = np.exp(-distance / width)
    return kernel * option_mask[:, None, :] * option_mask[:, :, None]


class FrequencyModel:
    """Counts of each party's offered options and the estimates drawn from them.

    Args:
        n_parties: number of modelled parties P.
        replications: number of replications R.
        option_mask: True where an option exists, shape (I, K).
    """

    def __init__(
        self,
        n_parties: int,
        replications: int,
        option_mask: np.ndarray,
    ) -> None:
        n_issues, n_options = option_mask.shape
        self.option_mask = option_mask.astype(np.float32)
        self.kernel = neighbour_kernel(option_mask).astype(np.float32)
        self.counts = np.zeros((n_parties, replications, n_issues, n_options), dtype=np.float32)
        self.top = np.zeros((n_parties, replications, n_issues), dtype=np.float32)  # max count
        self.kept = np.zeros((n_parties, replications, n_issues), dtype=np.float32)
        self.last = np.full((n_parties, replications, n_issues), -1, dtype=np.int64)
        self.estimates = np.empty_like(self.counts)
        for party in range(n_parties):
            self.estimates[party] = self._estimate(party, np.arange(replications))
        self._issue = np.arange(n_issues)[None, :]

    def observe_offers(self, party: np.ndarray, rows: np.ndarray, offers: np.ndarray) -> None:
        """Record that `party[j]` offered `offers[j]` in replication `rows[j]`."""
        if rows.size == 0:
            return
        p, r = party[:, None], rows[:, None]
        self._count(party, rows, offers, 1.0)
        previous = self.last[p, r, self._issue]
        self.kept[p, r, self._issue] += (previous == offers).astype(np.float32)
        self.last[p, r, self._issue] = offers
        for q in np.unique(party):
            self._refresh(int(q), rows[party == q])

    def observe_accepts(self, party: int, rows: np.ndarray, offers: np.ndarray) -> None:
        """Record that `party` accepted `offers[j]` in replication `rows[j]`."""
        if rows.size == 0:
            return
        self._count(party, rows, offers, _ACCEPT_EVIDENCE)
        self._refresh(party, rows)

    def tables(self, parties: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Estimated weighted tables of `parties` in `rows`, shape (len(parties), n, I, K)."""
        return self.estimates[parties[:, None], rows[None, :]]

    def _count(
        self, party: np.ndarray | int, rows: np.ndarray, offers: np.ndarray, weight: float
    ) -> None:
        """Add `weight` offers of `offers[j]` by `party` (or `party[j]`) in `rows[j]`."""
        counted = self.counts[party, rows] + weight * self.kernel[self._issue, offers]
        self.counts[party, rows] = counted
        self.top[party, rows] = max_over_options(counted)

    def _estimate(self, party: int, rows: np.ndarray) -> np.ndarray:
        """Laplace-smoothed counts over the issue's largest count, times weights that grow with
        how often the party kept its option on that issue between offers."""
        counts = self.counts[party, rows]
        values = (counts + 1.0) / (self.top[party, rows][..., None] + 1.0)
        kept = self.kept[party, rows] + 1.0
        weights = kept / kept.sum(axis=-1, keepdims=True)
        return weights[..., None] * values * self.option_mask

    def _refresh(self, party: int, rows: np.ndarray) -> None:
        self.estimates[party, rows] = self._estimate(party, rows)
