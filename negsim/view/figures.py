"""The teaching view's odds curve: a mini-sweep's agreement probability with its 95% interval.

The story's own figures (the utility space and the concession panel) are drawn round by round
in `negsim.view.frames`. Nothing here imports Solara.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure


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
