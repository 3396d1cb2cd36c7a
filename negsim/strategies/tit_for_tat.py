"""Multilateral tit-for-tat: concede as much as the others conceded, on average.

Each round the party lowers its target by the average of the others' latest concessions, each
measured in its own utility (how much better for it their new offer is than their previous one),
plus a small `step` so that two mirroring parties do not wait for each other forever. A party
that hardens makes it harden back. The target stays within [reservation, best].
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from negsim.strategies.base import Param, Strategy, at_least_zero
from negsim.strategies.seat import Seat


class TitForTat(Strategy):
    """Mirror the others' average concession."""

    name: ClassVar[str] = "tit_for_tat"
    description: ClassVar[str] = "concedes as much as the others conceded, on average"
    params: ClassVar[dict[str, Param]] = {
        "mirror": Param(1.0, at_least_zero, "share of the others' concession given back"),
        "step": Param(0.005, at_least_zero, "concession per round whatever the others do"),
    }

    def init_memory(self, agent: Seat) -> None:
        """Own target; last offer from each party and its latest concession, in own utility."""
        n_rows, n_parties = agent.reservation.shape[0], agent.model.n_parties
        agent.memory["target"] = agent.best.copy()
        agent.memory["last_from"] = np.full((n_rows, n_parties), np.nan)
        agent.memory["conceded"] = np.zeros((n_rows, n_parties))

    def observe(
        self, agent: Seat, rows: np.ndarray, proposer: np.ndarray, utility: np.ndarray
    ) -> None:
        """Record how much better for this party the proposer's new offer is."""
        previous = agent.memory["last_from"][rows, proposer]
        agent.memory["conceded"][rows, proposer] = np.where(
            np.isnan(previous), 0.0, utility - previous
        )
        agent.memory["last_from"][rows, proposer] = utility

    def begin_round(self, agent: Seat, rows: np.ndarray, round_: int) -> None:
        """Concede by the others' average concession since last round, then forget it."""
        if round_ == 1:
            return
        others = np.ones(agent.model.n_parties, dtype=bool)
        others[agent.index] = False
        present = agent.model.at_table[rows][:, others]
        conceded = agent.memory["conceded"][rows][:, others]
        count = np.maximum(present.sum(axis=1), 1)
        mean = (conceded * present).sum(axis=1) / count
        mirror, step = agent.params["mirror"][rows], agent.params["step"][rows]
        target = agent.memory["target"][rows] - mirror * mean - step
        agent.memory["target"][rows] = np.clip(target, agent.reservation[rows], agent.best[rows])
        agent.memory["conceded"][rows] = 0.0

    def target(self, agent: Seat, rows: np.ndarray, round_: int) -> np.ndarray:
        """The current target."""
        return agent.memory["target"][rows]

    def next_target(self, agent: Seat, rows: np.ndarray, round_: int) -> np.ndarray:
        """It does not know its next concession: the current target."""
        return agent.memory["target"][rows]
