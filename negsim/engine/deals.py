"""A deal's worth and quality when it is struck: each party's utility, and the deal's distances
to the Pareto frontier and the Nash point under the replication's own numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from negsim.analysis.replication_quality import deal_distances


def deal_worth(
    parties: Sequence[Any],
    rows: np.ndarray,
    deals: np.ndarray,
    round_: int,
    admissible: np.ndarray,
    exact_quality: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(utilities (n, P), distance to the Pareto frontier (n,), to the Nash point (n,)) of
    `deals[j]` struck in `rows[j]` in round `round_`.

    Utilities are the stated ones, clipped into [0, 1] (weights sum to 1 only up to rounding);
    the distances are measured in what the parties get in this round, each discounting party's
    utilities (its reservation too) scaled by its `d**s`, which keeps the frontier's outcomes.
    """
    # Weights sum to 1 only up to rounding: keep utilities exactly within [0, 1].
    utilities = np.stack(
        [np.clip(agent.utility(rows, deals), 0.0, 1.0) for agent in parties], axis=1
    )
    tables = np.stack([agent.table[rows] for agent in parties], axis=1)
    reservations = np.stack([agent.reservation[rows] for agent in parties], axis=1)
    if any(agent.discounted for agent in parties):
        factor = np.stack([agent.discount_factor(round_, rows) for agent in parties], axis=1)
        tables = tables * factor[:, :, None, None]
        reservations = reservations * factor
    to_pareto, to_nash = deal_distances(
        tables, admissible, deals, reservations, exact_limit=exact_quality
    )
    return utilities, to_pareto, to_nash
