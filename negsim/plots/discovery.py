"""The figure of a scenario discovery: PRIM's coverage–density trade-off and the chosen box.

Left, every step of the peeling trajectory, coverage against density, coloured by how many inputs
the box restricts and numbered by step (for `--box`), the chosen box ringed and the density
asked for dashed. Right, the chosen
box's limits as dark bars over each restricted number's full swept range (light bars), each number
on its own scale. Data helpers (`trajectory_frame`, `limits_frame`) are pure; drawing builds a
`matplotlib.figure.Figure` directly, never pyplot.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure

from negsim.analysis.discovery import Discovery
from negsim.plots.sweep import short_key

TITLE = "Scenario discovery (PRIM)"


def trajectory_frame(result: Discovery) -> pd.DataFrame:
    """One row per step of the trajectory: step, coverage, density, restricted, chosen."""
    return pd.DataFrame(
        [
            {
                "step": i,
                "coverage": s.coverage,
                "density": s.density,
                "restricted": s.restricted,
                "chosen": i == result.box,
            }
            for i, s in enumerate(result.trajectory)
        ]
    )


def limits_frame(result: Discovery) -> pd.DataFrame:
    """One row per restricted number of the chosen box: its limits and full range, and the
    limits as shares of that range (0 the lowest swept value, 1 the highest)."""
    rows = []
    for limit in result.limits:
        if limit.categories is not None or limit.low is None or limit.high is None:
            continue
        lower = limit.low if limit.lower is None else limit.lower
        upper = limit.high if limit.upper is None else limit.upper
        span = (limit.high - limit.low) or 1.0
        rows.append(
            {
                "name": limit.name,
                "low": limit.low,
                "high": limit.high,
                "lower": lower,
                "upper": upper,
                "start": (lower - limit.low) / span,
                "end": (upper - limit.low) / span,
            }
        )
    columns = ["name", "low", "high", "lower", "upper", "start", "end"]
    return pd.DataFrame(rows, columns=columns)


def plot_discovery(
    result: Discovery, density: float | None = None, name: Callable[[str], str] = short_key
) -> Figure:
    """The trade-off (left) and the chosen box's limits (right) in one figure.

    `density` is the threshold the default box was chosen at, drawn as a dashed line.
    """
    fig = Figure(figsize=(11, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.1])
    _plot_tradeoff(result, left, density)
    _plot_limits(result, right, name)
    fig.suptitle(
        f"{TITLE}: {result.condition.words()} in {result.of_interest} of {result.points} points"
    )
    return fig


def _plot_tradeoff(result: Discovery, ax: Axes, density: float | None) -> None:
    frame = trajectory_frame(result)
    most = max(int(frame["restricted"].max()), 1)
    cmap = colormaps["viridis"].resampled(most + 1)
    norm = BoundaryNorm(np.arange(-0.5, most + 1.5), cmap.N)
    ax.plot(frame["coverage"], frame["density"], color="0.75", lw=1, zorder=1)
    dots = ax.scatter(
        frame["coverage"], frame["density"], c=frame["restricted"], cmap=cmap, norm=norm,
        s=36, edgecolor="0.3", linewidth=0.5, zorder=2,
    )  # fmt: skip
    for row in frame.to_dict("records"):  # step numbers, for --box
        ax.annotate(str(row["step"]), (row["coverage"], row["density"]), xytext=(-9, 3),
                    textcoords="offset points", fontsize=7, color="0.45")  # fmt: skip
    chosen = frame[frame["chosen"]].iloc[0]
    ax.scatter(
        [chosen["coverage"]], [chosen["density"]], s=220, facecolor="none", edgecolor="#c0392b",
        linewidth=2, zorder=3, label=f"chosen: box {result.box}",
    )  # fmt: skip
    ax.annotate(
        f"box {result.box}", (chosen["coverage"], chosen["density"]), xytext=(9, -14),
        textcoords="offset points", color="#c0392b", fontsize=9,
    )  # fmt: skip
    if density is not None:
        ax.axhline(density, color="0.5", ls="--", lw=1, label=f"density {density:g}")
    colorbar = ax.figure.colorbar(dots, ax=ax, ticks=range(most + 1), pad=0.01)
    colorbar.set_label("restricted inputs", fontsize=9)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("coverage (share of all points of interest in the box)")
    ax.set_ylabel("density (share of the box's points of interest)")
    ax.set_title("Peeling trajectory: coverage against density", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)


def _plot_limits(result: Discovery, ax: Axes, name: Callable[[str], str]) -> None:
    frame = limits_frame(result)
    categories = [limit for limit in result.limits if limit.categories is not None]
    title = f"Box {result.box}: coverage {result.coverage:.0%}, density {result.density:.0%}"
    ax.set_title(title, fontsize=10)
    if frame.empty:
        ax.set_axis_off()
        text = "No number restricted:\nthe box is the whole swept range"
        ax.text(0.5, 0.5, text, ha="center", va="center", color="0.4", fontsize=11)
    else:
        ys = np.arange(len(frame))[::-1]
        ax.barh(ys, 1.0, left=0.0, height=0.5, color="0.88", edgecolor="0.6")
        widths = (frame["end"] - frame["start"]).clip(lower=0.01)
        ax.barh(ys, widths, left=frame["start"], height=0.5, color="#c0392b", alpha=0.85)
        for y, row in zip(ys, frame.to_dict("records"), strict=True):
            for x, value, ha in ((-0.02, row["low"], "right"), (1.02, row["high"], "left")):
                ax.text(x, y, f"{value:.3g}", ha=ha, va="center", fontsize=8, color="0.4")
            middle = (row["start"] + row["end"]) / 2
            ax.text(middle, y + 0.3, f"{row['lower']:.3g} to {row['upper']:.3g}",
                    ha="center", va="bottom", fontsize=8)  # fmt: skip
        ax.set_yticks(ys, [name(str(n)) for n in frame["name"]], fontsize=9)
        ax.set_xlim(-0.15, 1.15)
        ax.set_ylim(-0.8, len(frame) - 0.2)
        ax.set_xticks([0, 0.5, 1], ["lowest", "", "highest"])
        ax.set_xlabel("each number's swept range (grey) and the box's limits (red)")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    if categories:
        text = "\n".join(limit.words(name) for limit in categories)
        ax.text(0.0, -0.22, text, transform=ax.transAxes, fontsize=8, va="top")
