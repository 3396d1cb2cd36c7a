"""Acceptance thresholds learned from answers: how much each party needs, as the table shows it.

An acceptance says the offer cleared the answering party's current threshold; a rejection that
names no red line says it did not. Thresholds are read in the scale of the party's estimated
table (the frequency model of `opponent.py`); offers are kept as option indices and re-valued
with the current estimate whenever a threshold is needed, so evidence and estimate stay in one
scale as the estimate sharpens (which evidence to keep is judged by its value when it came).
Per party and replication the model keeps:

- the strongest recent rejection: the rejected offer worth most to the party by its estimate
  (the threshold lies above it). Thresholds fall as time passes, so a rejection older than one
  turn of the table is replaced by the next one, however weak;
- the weakest recent acceptance: the accepted offer worth least to it (the threshold lies at or
  below it), replaced in the same way, and by any acceptance that comes after the kept
  rejection (the latest word on a threshold that fell).

The estimate is `_STEP` above the rejection, capped by the acceptance: the least the party has
shown it needs (an acceptance newer than the rejection and worth less says the threshold fell
below it). Where the rejection is the newer and worth more than the acceptance, the threshold
rose since, or the estimate moved, and the rejection alone counts. With no answer
yet every party gets `_PRIOR`, so a first offer aims at the others evenly. Only public moves are
read: offers, answers and the red lines a rejection names.

Both methods run compiled (`negsim.kernels.models`, one loop over the answers or the rows)
unless the engine is the numpy `reference`, the code below; both give the same bits.
"""

from __future__ import annotations

import numpy as np

from negsim import kernels
from negsim.kernels import models
from negsim.utility import gather, gather_rows, row_blocks, row_sum

_PRIOR = 0.5
_STEP = 0.05


class ThresholdModel:
    """The telling answers each party gave, and the acceptance thresholds estimated from them.

    Args:
        n_parties: number of parties P.
        replications: number of replications R.
        n_issues: number of issues I.
        memory: rounds after which evidence is replaced by the next answer, however weak (one
            turn of the table: the number of parties).
    """

    def __init__(self, n_parties: int, replications: int, n_issues: int, memory: int) -> None:
        shape = (n_parties, replications)
        self.memory = memory
        # Kept offers as option indices; int16 (options per issue are few) keeps their reads cheap.
        self.accepted = np.zeros((*shape, n_issues), dtype=np.int16)
        self.rejected = np.zeros((*shape, n_issues), dtype=np.int16)
        self.accepted_value = np.zeros(shape)  # as estimated when it was kept
        self.rejected_value = np.zeros(shape)
        self.accepted_round = np.full(shape, -1, dtype=np.int32)
        self.rejected_round = np.full(shape, -1, dtype=np.int32)

    def observe_answers(
        self,
        party: int | np.ndarray,
        rows: np.ndarray,
        offers: np.ndarray,
        accepted: np.ndarray,
        named_red_line: np.ndarray,
        round_: int,
        estimate: np.ndarray,
    ) -> None:
        """Record `party`'s answers to `offers[j]` in `rows[j]` in round `round_`.

        Args:
            party: the answering party, or one per answer (each (party, row) at most once).
            estimate: the party's estimated table in every replication, shape (R, I, K), to
                compare the new evidence with the kept one; every party's, (P, R, I, K), when
                `party` is one per answer.

        A rejection that names a red line says nothing about the threshold (the option is
        closed for everyone instead), so it is not recorded.
        """
        n_rows = self.accepted_round.shape[1]
        if kernels.compiled():
            n_issues = self.accepted.shape[-1]
            models.threshold_answers(
                self.accepted.reshape(-1, n_issues),
                self.rejected.reshape(-1, n_issues),
                self.accepted_value.reshape(-1),
                self.rejected_value.reshape(-1),
                self.accepted_round.reshape(-1),
                self.rejected_round.reshape(-1),
                np.ascontiguousarray(party, dtype=np.int64).reshape(-1),
                np.ascontiguousarray(rows, dtype=np.int64),
                np.ascontiguousarray(offers, dtype=np.int64),
                np.ascontiguousarray(accepted, dtype=bool),
                np.ascontiguousarray(named_red_line, dtype=bool),
                int(round_),
                np.ascontiguousarray(estimate).reshape(-1, *estimate.shape[-2:]),
                np.ndim(party) != 0,
                n_rows,
                self.memory,
            )
            return
        blocks = party * n_rows + rows  # (party, replication) pairs as one index
        if np.ndim(party) == 0:
            value = _values_at(estimate, rows, offers)
        else:
            value = _values_at(estimate.reshape(-1, *estimate.shape[2:]), blocks, offers)
        for kept, worth, when, mine, stronger, other in (
            (
                self.accepted,
                self.accepted_value,
                self.accepted_round,
                accepted,
                np.less_equal,
                self.rejected_round,
            ),
            (
                self.rejected,
                self.rejected_value,
                self.rejected_round,
                ~accepted & ~named_red_line,
                np.greater_equal,
                None,
            ),
        ):
            # One axis of (party, replication) blocks: views, as the arrays are contiguous.
            flat_kept, flat_worth = kept.reshape(-1, kept.shape[-1]), worth.ravel()
            flat_when = when.ravel()
            line = np.flatnonzero(mine)
            at = blocks[line]
            old = flat_when[at]
            take = (old < 0) | (round_ - old >= self.memory)
            take |= stronger(value[line], flat_worth[at])
            if other is not None:  # an acceptance newer than the kept rejection supersedes it
                take |= other.ravel()[at] > old
            line, at = line[take], at[take]
            flat_kept[at] = offers[line]
            flat_worth[at] = value[line]
            flat_when[at] = round_

    def thresholds(
        self,
        parties: np.ndarray,
        rows: np.ndarray,
        tables: np.ndarray,
        every_party: bool = False,
    ) -> np.ndarray:
        """Estimated thresholds of `parties` in `rows`, shape (Q, n).

        Args:
            parties: party indices, shape (Q,), or one column per row, shape (Q, n).
            rows: replications, shape (n,).
            tables: the parties' estimated weighted tables there, shape (Q, n, I, K); every
                party's in every replication, (P, R, I, K), when `every_party` (the compiled
                engine reads them in place, numpy gathers them).
        """
        p = parties if parties.ndim == 2 else parties[:, None]
        r = rows[None, :]
        if kernels.compiled():
            n_issues = self.accepted.shape[-1]
            return models.threshold_estimates(
                self.accepted.reshape(-1, n_issues),
                self.rejected.reshape(-1, n_issues),
                self.accepted_round.reshape(-1),
                self.rejected_round.reshape(-1),
                np.ascontiguousarray(p, dtype=np.int64),
                np.ascontiguousarray(rows, dtype=np.int64),
                np.ascontiguousarray(tables).reshape(-1, *tables.shape[-2:]),
                every_party,
                self.accepted_round.shape[1],
                _STEP,
                _PRIOR,
            )
        if every_party:
            tables = row_blocks(tables, p, r)

        def value(offers: np.ndarray) -> np.ndarray:
            return row_sum(gather(tables, row_blocks(offers, p, r)), np.float64)

        yes_round = self.accepted_round[p, r]
        no_round = self.rejected_round[p, r]
        yes = np.where(yes_round >= 0, value(self.accepted), np.inf)
        no = np.where(no_round >= 0, value(self.rejected) + _STEP, -np.inf)
        # A rejection newer than an acceptance worth no more than the rejected offer: the
        # threshold rose (or the estimate moved) since; the rejection is the evidence.
        risen = (no_round > yes_round) & (yes <= no - _STEP)
        estimate = np.where(risen, no, np.minimum(yes, no))
        estimate = np.where(no_round < 0, yes, estimate)
        return np.where(np.isfinite(estimate), estimate, _PRIOR)


def _values_at(tables: np.ndarray, rows: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Each row's estimated utility of its offer, `tables[rows]` read in place: shape (n,)."""
    return row_sum(gather_rows(tables, rows, offers), np.float64)
