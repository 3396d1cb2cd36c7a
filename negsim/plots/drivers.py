"""The figure of what moved the odds: the drawn numbers that explain agreement best.

`drivers_table` turns a summary's `what_moved_the_odds` (`negsim.analysis.drivers.odds_summary`)
into a tidy table with short labels; `plot_drivers` draws it: one horizontal bar per number (its
first-order index for agreement) with its interval, in its party's colour, and a dashed line at
the noise floor (what numbers that cannot matter reach by chance).
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from negsim.analysis.drawn import drawn_numbers
from negsim.plots.run import party_colours
from negsim.scenario import Scenario

DRIVER_COLUMNS = ["number", "label", "party", "index", "low", "high", "above_noise"]
LABEL_WIDTH = 40  # characters of an option's label kept in the figure
LINE_WIDTH = 48  # a label longer than this is wrapped


def drivers_table(odds: dict[str, Any], scenario: Scenario) -> pd.DataFrame:
    """One row per ranked number, best first, labelled with the scenario's labels (options cut
    to `LABEL_WIDTH` characters); empty when the summary gives no ranking."""
    known = {n.column: n for n in drawn_numbers([scenario])}
    rows = []
    for entry in odds.get("top", []):
        number = known.get(entry["number"])
        label = entry["number"] if number is None else number.label(scenario, LABEL_WIDTH)
        label = "\n".join(textwrap.wrap(label, LINE_WIDTH))
        party = "" if number is None else scenario.parties[number.party].name
        rows.append([entry["number"], label, party])
        rows[-1] += [entry[key] for key in ("index", "low", "high", "above_noise")]
    return pd.DataFrame(rows, columns=DRIVER_COLUMNS)


def plot_drivers(odds: dict[str, Any], scenario: Scenario) -> Figure:
    """Horizontal bars of the ranked numbers' indices with their intervals, best at the top, and
    the noise floor; a one-line note instead where the summary gives no ranking."""
    table = drivers_table(odds, scenario)
    fig = Figure(figsize=(9, 1.3 + 0.45 * max(len(table), 3)), layout="constrained")
    ax = fig.add_subplot()
    if table.empty:
        ax.axis("off")
        ax.text(0.5, 0.5, odds.get("note", "no ranking"), ha="center", va="center", color="0.4")
        return fig
    colours = party_colours(scenario.party_names)
    y = np.arange(len(table))[::-1]
    low, high = table["low"].to_numpy(), table["high"].to_numpy()
    index = table["index"].to_numpy()
    faded = [1.0 if above else 0.4 for above in table["above_noise"]]
    fill = [to_rgba(colours.get(p, "0.6"), a) for p, a in zip(table["party"], faded, strict=True)]
    ax.barh(y, index, color=fill, height=0.65)
    ax.errorbar(
        index,
        y,
        xerr=np.vstack([index - low, high - index]),
        fmt="none",
        ecolor="black",
        capsize=3,
        linewidth=1,
    )
    ax.axvline(odds["noise_floor"], color="0.3", linestyle="--", linewidth=1)
    ax.text(
        odds["noise_floor"],
        y[0] + 0.6,
        " noise floor",
        color="0.3",
        fontsize=9,
        va="bottom",
    )
    ax.axvline(0, color="0.6", linewidth=0.8)
    ax.set_yticks(y, table["label"].tolist(), fontsize=8.5)
    ax.set_ylim(-0.7, len(table) + 0.2)
    ax.set_xlabel("share of the variance of agreement explained (first-order index, 95% interval)")
    ax.set_title(
        f"What moved the odds in {odds['replications']:,} replications\n"
        f"{odds['method']}; faded: not above the noise floor",
        fontsize=10,
    )
    return fig
