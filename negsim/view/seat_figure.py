"""The utility space of a seated party and its counterpart, as "Play as" and the debrief show it.

One figure for both: the Pareto frontier, both walk-away values, the Nash point, the deals
played (filled dots; a game without a deal is a hollow dot at the walk-away values) and where
the agents alone ended (a cross). The legend sits beside the axes, never over the data, and the
type is large enough for a projector.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

from negsim.plots.space import NASH_COLOUR

FONT = 12  # points: about 16 px at the view's 100 dpi, the least a projector needs
SIZE = (8.0, 5.4)  # inches: the axes square, the legend to their right


def seat_space_figure(
    labels: tuple[str, str],
    frontier: np.ndarray,
    reservations: np.ndarray,
    nash: np.ndarray | None,
    deals: np.ndarray,
    no_deals: np.ndarray,
    agents: np.ndarray | None,
    title: str,
    deal_label: str = "the class's deals",
    cloud: np.ndarray | None = None,
) -> Figure:
    """The figure: `deals` and `no_deals` are (k, 2) utilities of (the seat, its counterpart)."""
    fig = Figure(figsize=SIZE, dpi=100, layout="constrained")
    ax = fig.add_subplot()
    if cloud is not None and len(cloud):
        x, y = cloud[:, 0], cloud[:, 1]
        ax.scatter(x, y, s=2, color="0.82", edgecolors="none", label="possible deals",
                   rasterized=True)  # fmt: skip
    ax.plot(*frontier.T, color="0.15", lw=1.6, label="Pareto frontier")
    ax.axvline(reservations[0], color="0.45", ls=":", lw=1.2)
    ax.axhline(reservations[1], color="0.45", ls=":", lw=1.2, label="walk-away values")
    if nash is not None:
        ax.plot(*nash, "D", color=NASH_COLOUR, mec="0.1", ms=10, label="Nash point")
    deals, no_deals = deals.reshape(-1, 2), no_deals.reshape(-1, 2)
    if len(deals):
        ax.scatter(deals[:, 0], deals[:, 1], s=70, color="tab:blue", alpha=0.75, zorder=4,
                   label=deal_label)  # fmt: skip
    if len(no_deals):
        ax.scatter(no_deals[:, 0], no_deals[:, 1], s=70, facecolor="none", edgecolor="tab:red",
                   lw=1.6, zorder=4, label="no deal")  # fmt: skip
    if agents is not None:
        # a thin cross: a student's deal on the same spot still shows under it
        ax.plot(*agents, "x", color="0.1", ms=14, mew=2.2, zorder=5, label="the agents alone")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel(f"utility to {labels[0]}", fontsize=FONT)
    ax.set_ylabel(f"utility to {labels[1]}", fontsize=FONT)
    ax.tick_params(labelsize=FONT - 1)
    ax.set_title(textwrap.fill(title, 48), fontsize=FONT)  # a long count wraps over the axes
    ax.grid(alpha=0.3)
    legend = fig.legend(loc="outside right upper", fontsize=FONT - 1, frameon=False)
    for handle in legend.legend_handles:  # the outcomes' dots are tiny; their key need not be
        if handle is not None and handle.get_label() == "possible deals":
            handle.set_sizes([30])  # type: ignore[attr-defined]
    return fig
