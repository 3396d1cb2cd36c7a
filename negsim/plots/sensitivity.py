"""Figures of a sensitivity analysis: the tornado of a ranking, and Morris's mu*-sigma chart.

Both read an index table (`negsim.analysis.sensitivity.indices`: number, index, value, low,
high). The dummy number, when the design has one, is drawn as the noise floor: a grey band in
the tornado and a grey point in the Morris chart, so numbers at or below it read as noise.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from negsim.analysis.sensitivity import DUMMY, INDEX_NAMES, ranking_index
from negsim.plots.sweep import short_key

NOISE_COLOUR = "0.55"


def plot_tornado(
    table: pd.DataFrame,
    title: str | None = None,
    top: int = 20,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Horizontal bars of the ranking index (mu* or ST, and S1 beside ST), with intervals.

    `labels` names the numbers for a reader (a key it lacks: the key without its prefix).
    """
    kind = ranking_index(table)
    main = table[(table["index"] == kind) & (table["number"] != DUMMY)].head(top)
    dummy = table[(table["index"] == kind) & (table["number"] == DUMMY)]
    n = max(len(main), 1)
    fig = Figure(figsize=(7.5, 1.6 + 0.38 * n), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(main))
    error = np.vstack([main["value"] - main["low"], main["high"] - main["value"]]).clip(0)
    ax.barh(y, main["value"], xerr=error, color="C0", height=0.6, capsize=3,
            label=_label(kind))  # fmt: skip
    if kind == "ST":
        first = table[table["index"] == "S1"].set_index("number").reindex(main["number"])
        ax.barh(y, first["value"].clip(lower=0), color="C1", height=0.3, label=_label("S1"))
    if len(dummy):
        row = dummy.iloc[0]
        ax.axvspan(0, float(row["high"]), color=NOISE_COLOUR, alpha=0.25, lw=0, zorder=0,
                   label="noise floor (the dummy: a fresh random seed)")  # fmt: skip
    names = labels or {}
    ax.set_yticks(y, [names.get(k, short_key(k)) for k in main["number"]])
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel(_axis(kind))
    ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside lower center", fontsize=8, frameon=False)  # below: over no bar
    ax.set_title(title or "Which numbers move the odds", fontsize=11)
    return fig


def plot_morris(table: pd.DataFrame, title: str | None = None) -> Figure:
    """Morris's chart: mu* (how much a number moves the odds) against sigma (how unevenly)."""
    star = table[table["index"] == "mu_star"].set_index("number")
    sigma = table[table["index"] == "sigma"].set_index("number")["value"].reindex(star.index)
    fig = Figure(figsize=(7.0, 5.2), layout="constrained")
    ax = fig.add_subplot()
    real = star.index != DUMMY
    error = np.vstack([star["value"] - star["low"], star["high"] - star["value"]])[:, real]
    ax.errorbar(star["value"][real], sigma[real], xerr=error.clip(0), fmt="o", color="C0",
                ecolor="C0", alpha=0.8, capsize=2)  # fmt: skip
    if (~real).any():
        ax.plot(star["value"][~real], sigma[~real], "o", color=NOISE_COLOUR,
                label="dummy (a fresh random seed): the noise floor")  # fmt: skip
        ax.legend(loc="upper left", fontsize=8)
    for name in star.index[real][:10]:  # label the ten largest: they are what a reader asks about
        ax.annotate(short_key(str(name)), (star.loc[name, "value"], sigma[name]), fontsize=8,
                    xytext=(4, 3), textcoords="offset points")  # fmt: skip
    top = float(max(star["high"].max(), sigma.max(), 1e-9)) * 1.1
    ax.plot([0, top], [0, top], ls=":", color="0.6", lw=1)
    ax.text(top * 0.98, top * 0.93, "sigma = mu*", ha="right", fontsize=8, color="0.5")
    ax.set(xlim=(0, top), ylim=(0, top))
    ax.set_xlabel("mu*: mean absolute change in the odds across the number's range")
    ax.set_ylabel("sigma: how much that change depends on the other numbers")
    ax.grid(alpha=0.3)
    ax.set_title(title or "Morris screening: effect and interaction", fontsize=11)
    return fig


def _label(kind: str) -> str:
    return {
        "mu_star": "mu*, with its 95% interval",
        "ST": "total index ST (alone and with others), with its 95% interval",
        "S1": "first-order index S1 (alone)",
    }.get(kind, INDEX_NAMES.get(kind, kind))


def _axis(kind: str) -> str:
    if kind == "mu_star":
        return "mu*: mean absolute change in the output across the number's range"
    return "share of the output's variance"
