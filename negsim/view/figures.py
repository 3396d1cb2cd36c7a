"""The teaching view's odds curve: a mini-sweep's agreement probability with its 95% interval.

The story's own figures (the utility space and the concession panel) are drawn round by round
in `negsim.view.frames`. Nothing here imports Solara.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text

DPI = 100
"""The view's figures are drawn at 100 dpi, whatever matplotlib's settings in the server."""

SMALLEST_PT = 12.0
"""The smallest type of a figure in the view: 12 pt at 100 dpi shows at 16 px or more."""


def readable(fig: Figure) -> Figure:
    """`fig` at `DPI` with every text at least `SMALLEST_PT`, for a projector."""
    fig.set_dpi(DPI)
    for text in fig.findobj(Text):
        if float(text.get_fontsize()) < SMALLEST_PT:  # a float once the text is made
            text.set_fontsize(SMALLEST_PT)
    return fig


def odds_curve_figure(curve: pd.DataFrame, label: str, current: float | None = None) -> Figure:
    """A mini-sweep's agreement probability against the swept value, with its 95% interval."""
    fig = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = fig.add_subplot()
    ax.fill_between(curve["value"], curve["low"], curve["high"], color="tab:blue", alpha=0.2)
    ax.plot(curve["value"], curve["probability"], "o-", color="tab:blue", ms=4)
    if current is not None:
        ax.axvline(current, color="0.4", lw=0.8, ls="--")
    ax.set_ylim(0, 1)
    ax.set_xlabel(label)
    ax.set_ylabel("agreement probability")
    ax.grid(alpha=0.3)
    return readable(fig)
