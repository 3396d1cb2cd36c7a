"""Frequency opponent model: estimate a party's preferences from the offers it makes.

An option a party keeps offering is probably worth much to it; an issue on which it rarely moves
is probably heavy (the HardHeaded frequency model of ANAC 2011). Accepting an offer counts half
an offer of it. Only public moves feed the model, never a party's true utility.

Every party sees the same offers and answers on the table, so one model of each party serves
every observer: it holds exactly what each of them could have learned.
"""

from __future__ import annotations

import numpy as np

_ACCEPT_EVIDENCE = 0.5


class FrequencyModel:
    """Counts of each party's offered options, per replication.

    Args:
        n_parties: number of modelled parties P.
        replications: number of replications R.
        option_mask: True where an option exists, shape (I, K).
    """

    def __init__(self, n_parties: int, replications: int, option_mask: np.ndarray) -> None:
        n_issues, n_options = option_mask.shape
        self.option_mask = option_mask
        self.counts = np.zeros((n_parties, replications, n_issues, n_options), dtype=np.float32)
        self.kept = np.zeros((n_parties, replications, n_issues), dtype=np.float32)
        self.last = np.full((n_parties, replications, n_issues), -1, dtype=np.int64)
        self._issue = np.arange(n_issues)[None, :]

    def observe_offers(self, party: np.ndarray, rows: np.ndarray, offers: np.ndarray) -> None:
        """Record that `party[j]` offered `offers[j]` in replication `rows[j]`."""
        if rows.size == 0:
            return
        p, r = party[:, None], rows[:, None]
        self.counts[p, r, self._issue, offers] += 1.0
        previous = self.last[p, r, self._issue]
        self.kept[p, r, self._issue] += (previous == offers).astype(np.float32)
        self.last[p, r, self._issue] = offers

    def observe_accepts(self, party: int, rows: np.ndarray, offers: np.ndarray) -> None:
        """Record that `party` accepted `offers[j]` in replication `rows[j]`."""
        if rows.size == 0:
            return
        self.counts[party, rows[:, None], self._issue, offers] += _ACCEPT_EVIDENCE

    def tables(self, parties: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Estimated weighted tables of `parties` in `rows`, shape (len(parties), n, I, K).

        Option values are Laplace-smoothed counts over the issue's largest count; issue weights
        grow with how often the party kept its option on that issue between offers.
        """
        counts = self.counts[parties[:, None], rows[None, :]]
        values = (counts + 1.0) / (counts.max(axis=-1, keepdims=True) + 1.0)
        kept = self.kept[parties[:, None], rows[None, :]] + 1.0
        weights = kept / kept.sum(axis=-1, keepdims=True)
        return weights[..., None] * values * self.option_mask
