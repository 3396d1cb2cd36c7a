"""How a replication stands or ended: running, agreement, walk-away or timeout."""

from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    """How a replication stands or ended (the model's `status`, one per row)."""

    RUNNING = 0
    AGREEMENT = 1
    WALKAWAY = 2
    TIMEOUT = 3


OUTCOME_NAMES = {
    Outcome.AGREEMENT: "agreement",
    Outcome.WALKAWAY: "walkaway",
    Outcome.TIMEOUT: "timeout",
}
"""The names of ended outcomes, as the results table writes them."""
