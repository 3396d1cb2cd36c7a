"""The utility space of two parties: outcomes, Pareto frontier, Nash point and one negotiation.

`utility_space(model, a, b, replication)` computes the data under that replication's own drawn
numbers: the outcome cloud (every outcome when there are few, a uniform sample otherwise), the two
parties' Pareto frontier (from the cloud and the outcomes that maximise weighted sums of their
utilities, which lie on it exactly), the Nash point of all required parties (projected onto the
two), the reservation values, and the offers of that negotiation round by round.
`plot_utility_space` draws it, in the parties' colours (`negsim.plots.run.party_colours`): each
offer in its proposer's colour, fainter the earlier it came, numbered by round; the deal a black
star, the Nash point a gold diamond; the title says which replication it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

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
from negsim.plots.run import DEAL_COLOUR, NASH_COLOUR, party_colours, proposer_colour

MAX_NUMBERS = 24  # offers numbered one by one up to this many; above it, about this many


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
    replication: int = 0  # the replication's index (results.parquet's `replication`)
    colours: dict[str, str] | None = None  # every party's colour (`party_colours`)


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
    index = int(np.asarray(getattr(model, "index", np.arange(model.replications)))[r])
    return UtilitySpace(
        (a, b), labels, cloud, sampled, frontier, nash, reservations[pick], path, deal, index,
        party_colours(names),
    )  # fmt: skip


def _project(analysis: object, names: list[str], pick: list[int]) -> np.ndarray:
    """The Nash point's utilities for the two parties (analysed parties are the required ones)."""
    parties = list(analysis.parties)  # type: ignore[attr-defined]
    utilities = analysis.nash.utilities  # type: ignore[attr-defined]
    return np.array(
        [utilities[parties.index(names[p])] if names[p] in parties else np.nan for p in pick]
    )


def offer_alpha(rounds: np.ndarray) -> np.ndarray:
    """Opacity of each offer by its round: 0.2 for the first, 1 for the last, rising between."""
    rounds = np.asarray(rounds, dtype=float)
    if rounds.size == 0:
        return rounds
    span = rounds.max() - rounds.min()
    return 0.2 + 0.8 * ((rounds - rounds.min()) / span if span else np.ones_like(rounds))


def space_title(space: UtilitySpace) -> str:
    """Which parties and which replication, and that its numbers are that replication's."""
    if space.deal is not None:
        ending = f"deal in round {int(space.path['round'].max())}" if len(space.path) else "deal"
    else:
        ending = "no deal"
    return (
        f"Utility space of {space.labels[0]} and {space.labels[1]}\n"
        f"replication {space.replication} ({ending}): its own drawn weights, values "
        "and reservations"
    )


def plot_utility_space(space: UtilitySpace, ax: Axes | None = None) -> Figure:
    """Draw the cloud, the frontier, the Nash point, the reservation lines and the offers.

    Offers are in their proposer's colour, fainter the earlier they came (`offer_alpha`), with
    their round written beside them; the deal is a black star, which no party's colour shares.
    """
    if ax is None:
        fig = Figure(figsize=(6.4, 6.4), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    colours = space.colours or party_colours(space.parties)
    kind = "sampled outcomes" if space.sampled else "all outcomes"
    cloud_x, cloud_y = space.cloud.T
    ax.scatter(cloud_x, cloud_y, s=3, color="0.75", alpha=0.5, lw=0, label=kind, rasterized=True)
    ax.plot(*space.frontier.T, color="0.2", lw=1.5, label="Pareto frontier")
    for i, axis_line in enumerate((ax.axvline, ax.axhline)):
        name = space.parties[i]
        axis_line(space.reservations[i], color=proposer_colour(name, colours), ls="--", lw=1.2,
                  label=f"{name}'s reservation value (as drawn)")  # fmt: skip
    path = space.path
    if len(path):
        ax.plot(path["utility_a"], path["utility_b"], "-", color="0.55", lw=0.6, zorder=2)
    alpha = offer_alpha(path["round"].to_numpy())
    offers = []  # legend entries at full opacity (a fading marker says little)
    for proposer, rows in path.groupby("proposer", sort=False):
        colour = proposer_colour(str(proposer), colours)
        # One alpha per offer: matplotlib's stub types scatter's alpha as a float, but the
        # collection it makes takes an array (`Collection.set_alpha`).
        ax.scatter(rows["utility_a"], rows["utility_b"], s=26, color=colour,
                   alpha=alpha[path.index.get_indexer(rows.index)],  # type: ignore[arg-type]
                   edgecolors="none", zorder=3, gid=f"offers by {proposer}")  # fmt: skip
        offers.append(Line2D([], [], ls="", marker="o", ms=5, color=colour,
                             label=f"offers by {proposer}"))  # fmt: skip
    step = max(1, math.ceil(len(path) / MAX_NUMBERS))
    numbered = path.iloc[::step]
    if len(path) and path.index[-1] not in numbered.index:
        numbered = pd.concat([numbered, path.iloc[[-1]]])
    spots = numbered.groupby([numbered["utility_a"].round(3), numbered["utility_b"].round(3)])
    for (x, y), rows in spots:  # offers repeated at one point share one label: `6,10,…,30`
        rounds = [str(int(v)) for v in sorted(rows["round"])]
        text = ",".join(rounds if len(rounds) <= 4 else [*rounds[:2], "…", rounds[-1]])
        ax.annotate(text, (x, y), fontsize=6, xytext=(3, 3), textcoords="offset points",
                    color="0.25")  # fmt: skip
    if space.nash is not None:
        ax.plot(*space.nash, "D", ms=9, color=NASH_COLOUR, mec="black", label="Nash point",
                zorder=4)  # fmt: skip
    if space.deal is not None:
        ax.plot(*space.deal, "*", ms=17, color=DEAL_COLOUR, mec="white", mew=0.8, label="deal",
                zorder=5)  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"utility to {space.labels[0]}")
    ax.set_ylabel(f"utility to {space.labels[1]}")
    ax.set_title(space_title(space), fontsize=10)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=[*handles, *offers], loc="lower left", fontsize=7,
              title="offers: numbered by round, fainter the earlier", title_fontsize=7)  # fmt: skip
    ax.grid(alpha=0.3)
    return fig
