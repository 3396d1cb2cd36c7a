"""`NegotiationModel.results()`: one row per replication, from the model's end-of-run arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from negsim.analysis.drawn import VALUE, WEIGHT, drawn_numbers
from negsim.analysis.replication_quality import quality_is_exact
from negsim.scenario import Scenario
from negsim.scenario.draws import Draws
from negsim.scenario.points import Point
from negsim.status import OUTCOME_NAMES, Outcome
from negsim.utility import TOLERANCE


class Ended(Protocol):
    """What the results table reads of a model (see `NegotiationModel` for each array)."""

    scenario: Scenario
    points: Sequence[Point]
    draws: Draws
    parties: Sequence[Any]  # each with name, reservation, discounted, discount_factor
    replications: int
    index: np.ndarray
    status: np.ndarray
    walked: np.ndarray
    end_round: np.ndarray
    first_proposer: np.ndarray
    deal: np.ndarray
    deal_utility: np.ndarray
    distance_to_pareto: np.ndarray
    distance_to_nash: np.ndarray
    admissible: np.ndarray
    exact_quality: int


def results_table(model: Ended, extra: dict[str, Any]) -> pd.DataFrame:
    """One row per replication: outcome, who walked away, round, the deal, utilities, and the
    deal's distances to the Pareto frontier and the Nash point, every other drawn number
    (`drawn_columns`); `extra` columns (a protocol's) come last."""
    scenario = model.scenario
    names = np.array(scenario.party_names, dtype=object)
    outcome = np.array([OUTCOME_NAMES.get(Outcome(s), "running") for s in range(4)], dtype=object)[
        model.status
    ]
    agreed = model.status == Outcome.AGREEMENT
    columns: dict[str, object] = {
        "replication": model.index,
        "outcome": outcome,
        "walked_away": np.where(model.walked >= 0, names[np.maximum(model.walked, 0)], None),
        "round": model.end_round,
        "first_proposer": names[model.first_proposer],
    }
    for i, issue in enumerate(scenario.issues):
        labels = np.array(issue.options, dtype=object)
        columns[f"deal_{issue.name}"] = np.where(
            agreed, labels[np.maximum(model.deal[:, i], 0)], None
        )
    for agent in model.parties:
        utility = model.deal_utility[:, agent.index]
        got = np.where(agreed, utility, agent.reservation)
        if agent.discounted:  # worth d**s in the round the talks ended, deal or none
            got = got * agent.discount_factor(model.end_round, np.arange(model.replications))
        columns[f"utility_{agent.name}"] = got
        cleared = pd.array(utility >= agent.reservation - TOLERANCE, dtype="boolean")
        cleared[~agreed] = pd.NA
        columns[f"cleared_{agent.name}"] = cleared
        columns[f"reservation_{agent.name}"] = agent.reservation
    columns["distance_to_pareto"] = model.distance_to_pareto
    columns["distance_to_pareto_exact"] = np.full(
        model.replications, quality_is_exact(model.admissible, model.exact_quality)
    )
    columns["distance_to_nash"] = model.distance_to_nash
    columns.update(drawn_columns(model))
    columns.update(extra)
    frame = pd.DataFrame(columns)
    frame["outcome"] = pd.Categorical(
        frame["outcome"], categories=[*OUTCOME_NAMES.values(), "running"]
    )
    return frame


def drawn_columns(model: Ended) -> dict[str, np.ndarray]:
    """The drawn weights and option values that vary in the model (`drawn_numbers`), each as a
    float32 column (`weight_<party>_<issue>`, `value_<party>_<issue>_<option>`): float32
    halves what hundreds of such columns cost in memory and on disk, and keeps 7 digits."""
    picked: dict[str, np.ndarray] = {}
    numbers = drawn_numbers([p.scenario for p in model.points])
    for kind, drawn in ((WEIGHT, model.draws.weights), (VALUE, model.draws.values)):
        these = [n for n in numbers if n.kind == kind]
        if not these:
            continue
        at = np.array([(n.party, n.issue, n.option) for n in these]).T
        taken = drawn[at[0], :, at[1]] if kind == WEIGHT else drawn[at[0], :, at[1], at[2]]
        block = np.ascontiguousarray(taken.T, dtype=np.float32)  # (R, numbers)
        picked.update((n.column, block[:, j]) for j, n in enumerate(these))
    return {n.column: picked[n.column] for n in numbers if n.column in picked}  # party by party
