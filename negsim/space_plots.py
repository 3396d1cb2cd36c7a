"""The utility space of two parties: outcomes, Pareto frontier, Nash point and one negotiation.

`utility_space(model, a, b, replication)` computes the data under that replication's own drawn
numbers: the outcome cloud (every outcome when there are few, a uniform sample otherwise), the two
parties' Pareto frontier (from the cloud and the outcomes that maximise weighted sums of their
utilities, which lie on it exactly), the Nash point of all required parties (projected onto the
two), the reservation values, and the offers of that negotiation round by round.
`plot_utility_space` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negsim.analysis import (
    analyse_tables,
    enumerate_outcomes,
    outcome_count,
    outcome_utilities,
    pareto_frontier,
    sample_outcomes,
    supported_outcomes,
)
from negsim.errors import NegsimError
from negsim.model import NegotiationModel


@dataclass
class UtilitySpace:
    """Two parties' view of one replication: every array has a column per party (a, b)."""

    parties: tuple[str, str]
    labels: tuple[str, str]
    cloud: np.ndarray  # (N, 2)
    sampled: bool
    frontier: np.ndarray  # (F, 2), sorted by the first party's utility
    nash: np.ndarray | None  # (2,)
    reservations: np.ndarray  # (2,)
    path: pd.DataFrame  # round, proposer, utility_a, utility_b
    deal: np.ndarray | None  # (2,)


def utility_space(
    model: NegotiationModel, a: str, b: str, replication: int = 0, sample: int = 20_000
) -> UtilitySpace:
    """The data of the utility-space figure for parties `a` and `b` in one replication."""
    names = model.scenario.party_names
    for name in (a, b):
        if name not in names:
            raise NegsimError(f"utility space: no party {name!r} (parties: {', '.join(names)})")
    if not 0 <= replication < model.replications:
        raise NegsimError(f"utility space: replication must lie in [0, {model.replications})")
    if not hasattr(model, "offer_history"):
        raise NegsimError("utility space: the model kept no history (record=False or released)")
    scenario, r = model.scenario, replication
    tables = np.stack([agent.table[r] for agent in model.parties])  # (P, I, K)
    reservations = np.array([agent.reservation[r] for agent in model.parties])
    pick = [names.index(a), names.index(b)]
    allowed = scenario.option_mask & ~scenario.red_lines[scenario.required].any(axis=0)
    sampled = outcome_count(scenario.n_options) > sample
    if sampled:
        outcomes = sample_outcomes(allowed, sample, np.random.default_rng(0))
    else:
        outcomes = enumerate_outcomes(scenario.n_options)
    cloud = outcome_utilities(tables[pick], outcomes)
    supported = outcome_utilities(tables[pick], supported_outcomes(tables[pick], allowed, 200))
    every = np.vstack([cloud, supported])
    frontier = every[pareto_frontier(every)]
    frontier = frontier[np.argsort(frontier[:, 0])]
    required = scenario.required
    analysis = analyse_tables(
        tables[required],
        scenario.option_mask,
        reservations[required],
        scenario.red_lines[required],
        parties=[n for n, keep in zip(names, required, strict=True) if keep],
    )
    nash = None if analysis.nash is None else _project(analysis, names, pick)
    played = model.proposer_history[:, r] != -1
    played[model.round :] = False
    offers = model.offer_history[played, r].astype(np.int64)
    path_utilities = outcome_utilities(tables[pick], offers)
    proposers = model.proposer_history[played, r]
    path = pd.DataFrame(
        {
            "round": np.flatnonzero(played) + 1,
            "proposer": [names[p] if p >= 0 else "mediator" for p in proposers],
            "utility_a": path_utilities[:, 0],
            "utility_b": path_utilities[:, 1],
        }
    )
    deal = model.deal_utility[r, pick] if model.status[r] == 1 else None
    labels = (scenario.party(a).label, scenario.party(b).label)
    return UtilitySpace(
        (a, b), labels, cloud, sampled, frontier, nash, reservations[pick], path, deal
    )


def _project(analysis: object, names: list[str], pick: list[int]) -> np.ndarray:
    """The Nash point's utilities for the two parties (analysed parties are the required ones)."""
    parties = list(analysis.parties)  # type: ignore[attr-defined]
    utilities = analysis.nash.utilities  # type: ignore[attr-defined]
    return np.array(
        [utilities[parties.index(names[p])] if names[p] in parties else np.nan for p in pick]
    )


def plot_utility_space(space: UtilitySpace, ax: Axes | None = None) -> Figure:
    """Draw the cloud, the frontier, the Nash point, the reservation lines and the offers."""
    if ax is None:
        fig = Figure(figsize=(6.4, 6.0), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    kind = "sampled outcomes" if space.sampled else "all outcomes"
    ax.scatter(*space.cloud.T, s=3, color="0.75", alpha=0.5, lw=0, label=kind, rasterized=True)
    ax.plot(*space.frontier.T, color="black", lw=1.5, label="Pareto frontier")
    ax.axvline(space.reservations[0], color="C3", ls="--", lw=1)
    ax.axhline(space.reservations[1], color="C3", ls="--", lw=1, label="reservation values")
    for i, (name, rows) in enumerate(space.path.groupby("proposer", sort=False)):
        ax.plot(
            rows["utility_a"],
            rows["utility_b"],
            "o",
            ms=4,
            color=f"C{i}",
            alpha=0.8,
            label=f"offers by {name}",
        )
    if len(space.path):
        ax.plot(space.path["utility_a"], space.path["utility_b"], "-", color="0.4", lw=0.6)
    if space.nash is not None:
        ax.plot(*space.nash, "*", ms=16, color="gold", mec="black", label="Nash point")
    if space.deal is not None:
        ax.plot(*space.deal, "D", ms=10, color="C2", mec="black", label="deal")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"utility to {space.labels[0]}")
    ax.set_ylabel(f"utility to {space.labels[1]}")
    ax.set_title(f"Utility space: {space.parties[0]} and {space.parties[1]}")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig
