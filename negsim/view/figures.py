"""The teaching view's figures, as they stand in a given round: story in, matplotlib Figure out.

The utility space reuses `negsim.plots.space` with the offers made so far (older ones fading);
the concession panel shows each party's target and the utility of the offers it received, by
round, up to the round on screen; the odds curve draws a mini-sweep's agreement probability
with its 95% interval. Nothing here imports Solara.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from negsim.plots.run import party_colours
from negsim.plots.space import plot_utility_space
from negsim.view.story import Story

# Fixed margins, not a layout engine: these two are drawn at every step, and constrained layout
# nearly doubles the time a figure takes to draw (about 0.3 s against 0.2 s here).
SPACE_MARGINS = {"left": 0.12, "right": 0.97, "bottom": 0.10, "top": 0.93}
CONCESSION_MARGINS = {"left": 0.11, "right": 0.97, "bottom": 0.14, "top": 0.91}


def space_figure(story: Story, a: str, b: str, round_: int) -> Figure:
    """Parties `a` and `b`'s utility space with the offers of rounds 1 to `round_`."""
    space = story.space(a, b)
    path = space.path[space.path["round"] <= round_].reset_index(drop=True)
    deal = space.deal if round_ >= story.rounds else None
    shown = dataclasses.replace(space, path=path, deal=deal)
    fig = Figure(figsize=(5.6, 5.2))
    fig.subplots_adjust(**SPACE_MARGINS)
    plot_utility_space(shown, fig.add_subplot())
    fig.axes[0].set_title(
        f"{space.labels[0]} and {space.labels[1]}: offers up to round {round_}", fontsize=10
    )
    return fig


def concession_figure(story: Story, round_: int) -> Figure:
    """Each party's target (line) and the utility to it of the offers it received (dots)."""
    model, names = story.model, story.scenario.party_names
    colours = party_colours(names)
    last = max(story.rounds, 1)
    rounds = np.arange(1, last + 1)
    fig = Figure(figsize=(5.6, 3.6))
    fig.subplots_adjust(**CONCESSION_MARGINS)
    ax = fig.add_subplot()
    for agent in model.parties:
        colour = colours[agent.name]
        target = model.target_history[:last, agent.index, 0].astype(float)
        received = model.received_history[:last, agent.index, 0].astype(float)
        seen = rounds <= round_
        ax.plot(rounds[seen], target[seen], "-", color=colour, lw=1.8, label=agent.party.label)
        ax.plot(rounds[seen], received[seen], "o", color=colour, ms=3.5, alpha=0.8)
        ax.axhline(agent.reservation[0], color=colour, ls=":", lw=1)
    ax.axvline(round_, color="0.4", lw=0.8)
    ax.set_xlim(0.5, last + 0.5)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("round")
    ax.set_ylabel("utility to the party")
    ax.set_title("targets (lines), offers received (dots), reservations (dotted)", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)
    return fig


def odds_curve_figure(curve: pd.DataFrame, label: str, current: float | None = None) -> Figure:
    """A mini-sweep's agreement probability against the swept value, with its 95% interval."""
    fig = Figure(figsize=(4.8, 3.0), layout="constrained")
    ax = fig.add_subplot()
    ax.fill_between(curve["value"], curve["low"], curve["high"], color="tab:blue", alpha=0.2)
    ax.plot(curve["value"], curve["probability"], "o-", color="tab:blue", ms=4)
    if current is not None:
        ax.axvline(current, color="0.4", lw=0.8, ls="--")
    ax.set_ylim(0, 1)
    ax.set_xlabel(label)
    ax.set_ylabel("agreement probability")
    ax.grid(alpha=0.3)
    return fig
