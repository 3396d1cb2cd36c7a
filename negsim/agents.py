"""PartyAgent: one negotiating party across every replication of a batch.

An agent's state is numpy arrays whose first axis is the replication. It proposes and responds
through its strategy; it sees offers, answers and announced red lines, never another party's
true utility.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from negsim.scenario import Party
from negsim.strategies.acceptance import accepts, accepts_late
from negsim.utility import TOLERANCE, best_utility, crosses, row_any, utilities_at

if TYPE_CHECKING:
    from negsim.model import NegotiationModel


class PartyAgent(mesa.Agent):
    """A party's numbers and behaviour in R replications at once.

    Attributes:
        index: the party's position in the scenario.
        party: the party as the scenario states it.
        table: weighted option values `w_i * v_i(k)` per replication, shape (R, I, K).
        reservation: reservation value per replication, shape (R,).
        red_lines: options the party never accepts, shape (I, K).
        best: the best utility the party can reach without crossing its red lines, shape (R,).
        deadline: the round after which the party walks away (`NO_DEADLINE`: none), shape (R,).
        horizon: rounds over which the party concedes (see `NegotiationModel.horizon`), (R,).
        params: the strategy's numbers per replication (`Strategy.settings`), each (R,).
    """

    def __init__(
        self,
        model: NegotiationModel,
        index: int,
        party: Party,
        table: np.ndarray,
        reservation: np.ndarray,
        red_lines: np.ndarray,
        deadline: np.ndarray,
        horizon: np.ndarray,
        params: dict[str, np.ndarray],
    ) -> None:
        super().__init__(model)
        self.index = index
        self.party = party
        self.strategy = party.strategy
        self.table = table
        self.reservation = reservation
        self.red_lines = red_lines
        self.best = best_utility(table, red_lines)
        self.deadline = deadline
        self.first_deadline = int(deadline.min())  # no row walks away for its deadline before
        self.horizon = horizon
        self.params = params
        self.memory: dict[str, np.ndarray] = {}
        self.best_received = np.full(reservation.shape, -np.inf)  # for `accept_best_after`
        self.strategy.init_memory(self)

    @property
    def name(self) -> str:
        """The party's name in the scenario."""
        return self.party.name

    def time(self, round_: int, rows: np.ndarray) -> np.ndarray:
        """Normalised time of round `round_` in `rows`: `round / horizon`, capped at 1."""
        return np.minimum(round_ / self.horizon[rows], 1.0)

    def target(self, rows: np.ndarray, round_: int) -> np.ndarray:
        """The utility this party asks for in round `round_`, in each of `rows`."""
        return self.strategy.target(self, rows, round_)

    def utility(self, rows: np.ndarray, offers: np.ndarray) -> np.ndarray:
        """This party's utility of `offers[j]` in replication `rows[j]`."""
        return utilities_at(self.table, rows, offers)

    def propose(self, rows: np.ndarray) -> np.ndarray:
        """Offers for `rows` in the model's current round: meeting this round's target, aimed at
        every party whose acceptance it needs (`NegotiationModel.propose` batches proposers)."""
        return self.model.propose(rows, np.full(rows.size, self.index))

    def respond(
        self, rows: np.ndarray, offers: np.ndarray, round_: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Accept or reject `offers` in `rows`; also say on which options a red line was crossed.

        Returns:
            (accepted, objections, utility): shapes (n,), (n, I) and (n,); objections is True
            where the offer's option on an issue is one of this party's red lines, utility what
            each offer is worth to this party.
        """
        objections = crosses(self.red_lines, offers)
        utility = self.utility(rows, offers)
        crossed = row_any(objections)
        accepted = accepts(
            utility, self.strategy.next_target(self, rows, round_), self.reservation[rows], crossed
        )
        late = self.model.accept_best_after
        if late is not None:
            late_rows = self.time(round_, rows) >= late
            if late_rows.any():
                best = self.best_received[rows]
                accepted |= late_rows & accepts_late(utility, best, self.reservation[rows], crossed)
            self.best_received[rows] = np.maximum(self.best_received[rows], utility)
        return accepted, objections, utility

    def cannot_gain(self, rows: np.ndarray, forbidden: np.ndarray) -> np.ndarray:
        """Whether nothing still open beats this party's reservation value, in each of `rows`.

        `forbidden` marks options closed by this party's red lines and those others announced.
        """
        tables = self.table.take(rows, axis=0)
        return best_utility(tables, forbidden) < self.reservation[rows] - TOLERANCE
