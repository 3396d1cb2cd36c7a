"""Figures of a threshold search: the fitted crossing of one number, the level curve of two.

Both read the report a threshold sweep writes (`threshold.json`): the level, and per threshold
its estimate, 95% interval, fit and design points (value, events, replications, in the fit).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from negsim.analysis.intervals import wilson_interval
from negsim.analysis.threshold import expit
from negsim.plots.sweep import short_key

OUT_OF_FIT = "0.6"


def output_label(output: str) -> str:
    """The output's name on an axis: `agreement_probability` -> `P(agree)`."""
    return "P(agree)" if output == "agreement_probability" else output


def fitted_curve(fit: dict[str, Any], steps: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The fitted logistic curve over the fit's window (empty when the counts separated)."""
    if fit.get("slope") is None or fit.get("intercept") is None:
        return np.array([]), np.array([])
    x = np.linspace(fit["window"][0], fit["window"][1], steps)
    return x, expit(fit["intercept"] + fit["slope"] * x)


def plot_threshold(report: dict[str, Any], title: str | None = None) -> Figure:
    """The design points with their Wilson intervals, the local fit, the level, the threshold
    and its 95% interval."""
    result = report["thresholds"][0]
    level, what = report["level"], output_label(report["output"])
    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    ax = fig.add_subplot()
    points = result["points"]
    x = np.array([p["value"] for p in points], dtype=float)
    share = np.array([p["share"] for p in points], dtype=float)
    bounds = np.array([wilson_interval(p["events"], p["replications"]) for p in points])
    inside = np.array([p["in_fit"] for p in points], dtype=bool)
    error = np.vstack([share - bounds[:, 0], bounds[:, 1] - share]).clip(0)
    for mask, colour, label in (
        (inside, "C0", "points in the fit"),
        (~inside, OUT_OF_FIT, "points outside the fit's window"),
    ):
        if mask.any():
            ax.errorbar(
                x[mask],
                share[mask],
                yerr=error[:, mask],
                fmt="o",
                ms=4,
                color=colour,
                ecolor=colour,
                capsize=2,
                alpha=0.85,
                label=f"{label} (95% Wilson)",
            )
    cx, cy = fitted_curve(result.get("fit") or {})
    if len(cx):
        ax.plot(cx, cy, color="C1", lw=1.8, label="logistic fit near the crossing")
    ax.axhline(level, color="0.3", ls=":", lw=1, label=f"level {level:g}")
    low, high, at = result["low"], result["high"], result["threshold"]
    ax.axvspan(low, high, color="C3", alpha=0.15, lw=0, label="95% interval of the threshold")
    ax.axvline(at, color="C3", lw=1.5, label=f"threshold {at:.4g} ({low:.4g} to {high:.4g})")
    ax.set_xlim(*report["range"])
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(short_key(report["number"]))
    ax.set_ylabel(what)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    spent = f"{result['negotiations']:,} negotiations in {len(points)} points"
    ax.set_title(title or f"Where {what} crosses {level:g} ({spent})", fontsize=11)
    return fig


def plot_level_curve(report: dict[str, Any], title: str | None = None) -> Figure:
    """The first number's threshold at each value of the second, with its 95% interval."""
    level, what = report["level"], output_label(report["output"])
    rows = [row for row in report["thresholds"] if row["threshold"] is not None]
    along = str(report["along"])
    values = [row["at"][along] for row in rows]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    y = np.array(values, dtype=float) if numeric else np.arange(len(values), dtype=float)
    at = np.array([row["threshold"] for row in rows], dtype=float)
    low = np.array([row["low"] for row in rows], dtype=float)
    high = np.array([row["high"] for row in rows], dtype=float)
    short = np.array([row["stopped"] != "tolerance" for row in rows], dtype=bool)
    fig = Figure(figsize=(7.0, 4.8), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(at, y, color="C0", lw=1.2, alpha=0.6)
    error = np.vstack([at - low, high - at]).clip(0)
    for mask, colour, label in (
        (~short, "C0", "threshold, 95% interval"),
        (short, "C3", "threshold, stopped before the tolerance"),
    ):
        if mask.any():
            ax.errorbar(
                at[mask],
                y[mask],
                xerr=error[:, mask],
                fmt="o",
                ms=5,
                color=colour,
                ecolor=colour,
                capsize=3,
                label=label,
            )
    if not numeric:
        ax.set_yticks(y, [str(v) for v in values])
    ax.set_xlim(*report["range"])
    ax.set_xlabel(short_key(report["number"]))
    ax.set_ylabel(short_key(along))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    spent = f"{report['negotiations']:,} negotiations in {report['points']} points"
    ax.set_title(title or f"Where {what} = {level:g} ({spent})", fontsize=11)
    return fig


def plot_report(report: dict[str, Any]) -> Figure:
    """The figure for a report: the crossing for one number, the level curve for two."""
    return plot_threshold(report) if report.get("along") is None else plot_level_curve(report)
