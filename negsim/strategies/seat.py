"""What a strategy sees: its own party (`Seat`) and the public table (`Table`).

Strategies type against these protocols, not against the model and agent classes, so they sit
below them: a strategy reads its own numbers and what was said at the table (who is there, the
risks announced, the offers made as the opponent model holds them), never another party's utility.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from negsim.strategies.opponent import FrequencyModel
from negsim.streams import Streams


class Table(Protocol):
    """The public side of a negotiation, as a strategy may read it."""

    at_table: np.ndarray  # (R, P): who is still negotiating in each replication
    risks: np.ndarray  # (R, P): the risk each answering party announced last (NaN: none)
    streams: Streams  # each replication's random streams
    opponents: FrequencyModel  # the offers made, as the frequency model holds them
    n_parties: int  # parties in the scenario, at the table or not


class Seat(Protocol):
    """One party as its strategy sees it: its own numbers, per replication."""

    index: int  # the party's position in the scenario
    reservation: np.ndarray  # (R,)
    best: np.ndarray  # (R,): the best utility it can reach within its red lines
    params: dict[str, np.ndarray]  # the strategy's numbers, each (R,)
    memory: dict[str, np.ndarray]  # what the strategy keeps per replication

    @property
    def model(self) -> Table:
        """The table the party sits at."""
        ...

    def time(self, round_: int, rows: np.ndarray) -> np.ndarray:
        """The party's time in `rows` at `round_`, in [0, 1]."""
        ...

    def utility(self, rows: np.ndarray, offers: np.ndarray) -> np.ndarray:
        """What `offers[j]` is worth to the party in `rows[j]`."""
        ...
