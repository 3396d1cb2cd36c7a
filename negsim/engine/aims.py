"""Who an offer is aimed at, and how each proposer weighs them from offer to offer.

Under unanimity every required party must accept, so a proposer aims at the other required
parties (every other party when none is), as the table shows them: their tables as the frequency
model estimates them, their acceptance thresholds as learned from their answers, and whether they
are still at the table. The weights over them (`negsim.strategies.offers`) move towards the
parties least likely to accept and are carried from one offer to the next.

Under the compiled engine the estimated tables are never gathered: the kernels read the frequency
model's (P, R, I, K) array where it lies, by (party, replication). The numpy reference gathers
them once a round, (Q, n, I, K).
"""

from __future__ import annotations

import numpy as np

from negsim import kernels
from negsim.engine.horizon import aim_table
from negsim.strategies.offers import Aim, Estimates, generate_offers
from negsim.strategies.opponent import FrequencyModel
from negsim.strategies.thresholds import ThresholdModel
from negsim.utility import row_blocks


class Aims:
    """Each proposer's aimed-at parties and its weights over them, per replication."""

    def __init__(self, required: np.ndarray, replications: int) -> None:
        self.parties, self.valid = aim_table(required)  # (Q, P) each
        self.weights = np.ones((required.size, self.parties.shape[0], replications))

    def aim(
        self,
        rows: np.ndarray,
        proposer: np.ndarray,
        opponents: FrequencyModel,
        thresholds: ThresholdModel,
        at_table: np.ndarray,
    ) -> Aim:
        """What `proposer[j]` aims its offer in `rows[j]` at: the parties' estimated tables (where
        they lie, under the compiled engine) and acceptance thresholds, and whether they are at
        the table."""
        parties = self.parties[:, proposer]  # (Q, n)
        present = self.valid[:, proposer] & at_table[rows[None, :], parties]
        estimates = opponents.estimates
        if kernels.compiled():  # read in place
            learned = thresholds.thresholds(parties, rows, estimates, every_party=True)
            return Aim(Estimates(estimates, parties, rows), learned, present)
        tables = row_blocks(estimates, parties, rows[None, :])
        return Aim(tables, thresholds.thresholds(parties, rows, tables), present)

    def offers(
        self,
        aim: Aim,
        rows: np.ndarray,
        proposer: np.ndarray,
        own_tables: np.ndarray,
        forbidden: np.ndarray,
        targets: np.ndarray,
        keys: np.ndarray,
    ) -> np.ndarray:
        """Offers meeting `targets` that aim at `aim`, each proposer's weights carried on; exact
        ties go by the rows' tie-break `keys`."""
        weights = self.weights[proposer, :, rows].T
        offers = generate_offers(
            own_tables, aim.others, forbidden, targets, aim.thresholds, aim.present, weights, keys
        )
        self.weights[proposer, :, rows] = weights.T
        return offers
