"""Zeuthen's risk-based concession: the party least willing to risk conflict concedes.

Every party answering an offer announces its risk, `(target - u) / (target - reservation)`: the
largest chance of breakdown it would accept rather than take the offer worth `u` to it (Zeuthen
1930; with the reservation value as the conflict point). A Zeuthen party whose last announced risk
is the smallest at the table concedes one `step` of utility, just enough to change who must move
next; otherwise it holds. Only announced risks are read, never another party's utility. Two
Zeuthen parties converge on the Nash bargaining point (Harsanyi 1956).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from negsim.strategies.base import Param, Strategy

if TYPE_CHECKING:
    from negsim.agents import PartyAgent


def _positive(x: float) -> str | None:
    return None if x > 0 else "must be above 0"


class Zeuthen(Strategy):
    """Concede a step when my announced risk is the smallest at the table."""

    name: ClassVar[str] = "zeuthen"
    description: ClassVar[str] = "the party least willing to risk conflict concedes a step"
    reads_risks: ClassVar[bool] = True
    params: ClassVar[dict[str, Param]] = {
        "step": Param(0.02, _positive, "utility conceded when it is this party's turn to move"),
    }

    def init_memory(self, agent: PartyAgent) -> None:
        """Own target, starting at the party's best."""
        agent.memory["target"] = agent.best.copy()

    def begin_round(self, agent: PartyAgent, rows: np.ndarray, round_: int) -> None:
        """Concede a step where this party announced the least willingness to risk conflict."""
        risks = agent.model.risks[rows]
        present = agent.model.at_table[rows]
        others = present.copy()
        others[:, agent.index] = False
        mine = risks[:, agent.index]
        lowest_other = np.where(others & ~np.isnan(risks), risks, np.inf).min(axis=1)
        concede = ~np.isnan(mine) & np.isfinite(lowest_other) & (mine <= lowest_other + 1e-12)
        target = agent.memory["target"][rows] - np.where(concede, self.values["step"], 0.0)
        agent.memory["target"][rows] = np.maximum(target, agent.reservation[rows])

    def target(self, agent: PartyAgent, rows: np.ndarray, round_: int) -> np.ndarray:
        """The current target."""
        return agent.memory["target"][rows]

    def next_target(self, agent: PartyAgent, rows: np.ndarray, round_: int) -> np.ndarray:
        """The current target: it concedes only when its turn comes."""
        return agent.memory["target"][rows]
