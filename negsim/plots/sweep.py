"""The figure of a sweep: agreement probability against the swept keys, with its 95% interval.

`plot_sweep` picks the view from the number of swept keys: a point (none), a line with a band
(one), a heatmap or a few lines (two), small multiples of lines (three or more). Data helpers
(`key_values`, `curve`, `grid`, `panel_groups`) are pure and return tidy tables; drawing builds a
`matplotlib.figure.Figure` directly, never pyplot. Failed jobs are missing cells, drawn blank.
A large heatmap has no room for the intervals in its cells, and its title says so.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from negsim.errors import NegsimError

TITLE = "Agreement probability"
WITH_INTERVAL = "with 95% Wilson interval"
NO_INTERVAL = "(95% intervals: see the sweep table)"
MAX_PANELS = 24
FEW = 3  # a key with at most this many values becomes one line per value, not a heatmap axis
VALUE = "agreement_probability"
_NOTE: dict[str, Any] = {"ha": "center", "va": "center", "color": "0.4", "fontsize": 11}


def short_key(key: str) -> str:
    """A key without the scenario's prefix: `scenario.parties.us.deadline` -> `us.deadline`."""
    for prefix in ("scenario.parties.", "scenario."):
        if key.startswith(prefix):
            return key.removeprefix(prefix)
    return key


def label(value: Any) -> str:
    """A key value as text: 0.4 -> `0.4`, None or NaN -> `null`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def is_numeric(values: pd.Series) -> bool:
    """Whether a key's values are all real numbers (not booleans, not missing): a numeric axis."""
    return len(values) > 0 and all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) and not math.isnan(v)
        for v in values
    )


def key_column(table: pd.DataFrame, key: str) -> pd.Series:
    """A key's column as plotted: numbers as they are, anything else as text labels."""
    if key not in table:
        raise NegsimError(f"sweep table: no column for the swept key {key!r}")
    column = table[key]
    return column.astype(float) if is_numeric(column) else column.map(label).astype(object)


def key_values(table: pd.DataFrame, key: str) -> list[Any]:
    """A key's distinct values in plotting order: numbers sorted, text in sweep (job) order."""
    values = key_column(table, key).drop_duplicates().tolist()
    return sorted(values) if is_numeric(table[key]) else values


def curve(table: pd.DataFrame, x_key: str, x_values: Sequence[Any] | None = None) -> pd.DataFrame:
    """Probability and interval per value of `x_key` (mean if several jobs), NaN where missing."""
    x_values = key_values(table, x_key) if x_values is None else list(x_values)
    columns = [VALUE, "ci_low", "ci_high"]
    data = table[columns].astype(float).assign(x=key_column(table, x_key))
    out = data.groupby("x", sort=False)[columns].mean().reindex(x_values)
    return out.rename_axis(x_key).reset_index()


def grid(table: pd.DataFrame, row_key: str, col_key: str, value: str = VALUE) -> pd.DataFrame:
    """`value` pivoted: rows are `row_key`'s values, columns `col_key`'s, NaN where missing."""
    data = pd.DataFrame(
        {"r": key_column(table, row_key), "c": key_column(table, col_key), "v": table[value]}
    )
    pivot = data.groupby(["r", "c"], sort=False)["v"].mean().unstack("c")
    pivot = pivot.reindex(index=key_values(table, row_key), columns=key_values(table, col_key))
    return pivot.rename_axis(index=row_key, columns=col_key).astype(float)


def panel_groups(table: pd.DataFrame, keys: Sequence[str]) -> list[tuple[str, pd.DataFrame]]:
    """One (title, rows) per combination of `keys` that has rows, in plotting order."""
    orders = [key_values(table, key) for key in keys]
    ranks = pd.DataFrame(  # each row's position in every key's order; index: row positions
        {
            key: key_column(table, key).map(_positions(order)).to_numpy(dtype=float)
            for key, order in zip(keys, orders, strict=True)
        }
    ).dropna()
    groups = []
    for combo, rows in sorted(ranks.groupby(list(keys), sort=False).indices.items()):
        combo = combo if isinstance(combo, tuple) else (combo,)
        names = [
            f"{short_key(k)}={label(order[int(r)])}"
            for k, order, r in zip(keys, orders, combo, strict=True)
        ]
        groups.append((", ".join(names), table.iloc[np.sort(ranks.index[rows])]))
    return groups


def _positions(order: Sequence[Any]) -> dict[Any, int]:
    return {value: i for i, value in enumerate(order)}


def replications_text(table: pd.DataFrame) -> str:
    """The replications per point as the sweep table gives them: `20 replications per point`."""
    if "replications" not in table:
        return ""
    counts = sorted(
        {int(v) for v in pd.to_numeric(table["replications"], errors="coerce").dropna()}
    )
    if not counts:
        return ""
    if len(counts) == 1:
        return f"{counts[0]} replication{'s' if counts[0] != 1 else ''} per point"
    return f"{counts[0]} to {counts[-1]} replications per point"


def sweep_title(table: pd.DataFrame, scenario: str | None = None, intervals: bool = True) -> str:
    """The figure's title: scenario, what is drawn (intervals or not), jobs and replications."""
    n = int(table[VALUE].notna().sum()) if VALUE in table else 0
    head = f"{TITLE} {WITH_INTERVAL if intervals else NO_INTERVAL}"
    if scenario:
        head = f"{scenario}\n{head}"
    details = [f"{n} job{'s' if n != 1 else ''}", replications_text(table)]
    return f"{head}\n{', '.join(d for d in details if d)}"


def plot_sweep(
    table: pd.DataFrame, keys: Sequence[str], ax: Axes | None = None, scenario: str | None = None
) -> Figure:
    """Agreement probability against the swept `keys`, in the view that suits their number.

    Args:
        table: the sweep table (`negsim.sweep.table.sweep_table`), usually its finished jobs only.
        keys: the swept keys, in sweep order.
        ax: axes to draw into for 0 to 2 keys; 3 or more keys need a figure of their own.
        scenario: the scenario's label, for the title.
    """
    keys = list(keys)
    table = table.assign(**{key: key_column(table, key) for key in keys})  # one type per key
    n = int(table[VALUE].notna().sum()) if VALUE in table else 0
    if len(keys) >= 3:
        if ax is not None:
            raise NegsimError("plot_sweep: 3 or more swept keys draw small multiples, not one ax")
        title = sweep_title(table, scenario, intervals=n > 0)
        combos = len(table[keys[2:]].drop_duplicates()) if n else 0
        if combos > max(MAX_PANELS, len(table) // 2):  # a design, not a grid: a panel a point
            return _plot_scatter(table, keys, title)
        return _plot_panels(table, keys, title)
    sizes = [len(key_values(table, key)) for key in keys] if n else []
    heatmap = len(sizes) == 2 and min(sizes) > FEW
    size = (5.6, 4.2) if not keys else (7.0, 4.2)
    if heatmap:
        # Room for the values in the cells of a small grid; a large one stays a page wide.
        size = (
            min(max(6.5, 0.9 * sizes[1] + 3.5), 14.0),
            min(max(4.0, 0.55 * sizes[0] + 2.0), 10.0),
        )
    if ax is None:
        ax = Figure(figsize=size, layout="constrained").add_subplot()
    fig = ax.get_figure(root=True)
    assert fig is not None  # an Axes always belongs to a figure
    intervals = n > 0
    if n == 0:
        ax.text(0.5, 0.5, "no finished jobs", transform=ax.transAxes, **_NOTE)
    elif not keys:
        _plot_point(table, ax)
    elif len(keys) == 1:
        _plot_lines(table, keys[0], None, ax)
    elif heatmap:
        intervals = _plot_heatmap(table, keys[0], keys[1], ax)
    else:
        x_key, by = keys if sizes[0] >= sizes[1] else keys[::-1]
        _plot_lines(table, x_key, by, ax)
    ax.set_title(sweep_title(table, scenario, intervals), fontsize=10)
    return fig


def _plot_point(table: pd.DataFrame, ax: Axes) -> None:
    """One point per job with its interval as an error bar (a single run: one point)."""
    rows = table[table[VALUE].notna()]
    p = rows[VALUE].to_numpy(float)
    err = np.vstack([p - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - p])
    x = np.arange(len(rows))
    ax.errorbar(x, p, yerr=err, fmt="o", color="C0", capsize=6, ms=8, lw=1.8)
    for xi, pi in zip(x, p, strict=True):
        ax.annotate(f"{pi:.3f}", (xi, pi), xytext=(10, 0), textcoords="offset points", va="center")
    names = [f"job {j}" for j in rows["job"]] if "job" in rows else [""] * len(rows)
    ax.set_xticks(x, names if len(rows) > 1 else ["this run"])
    ax.set_xlim(-0.8, len(rows) - 0.2)
    ax.set_ylim(0, 1)
    ax.set_ylabel("agreement probability")
    ax.grid(axis="y", alpha=0.3)


def _plot_lines(
    table: pd.DataFrame,
    x_key: str,
    by: str | None,
    ax: Axes,
    x_values: list[Any] | None = None,
    by_values: list[Any] | None = None,
) -> None:
    """Probability against `x_key` with a shaded interval; one line per value of `by`, if any.

    `x_values` and `by_values` fix the x positions and colours (shared by small multiples).
    """
    x_values = key_values(table, x_key) if x_values is None else x_values
    numeric = is_numeric(table[x_key])
    x = np.asarray(x_values, float) if numeric else np.arange(len(x_values), dtype=float)
    lines: list[tuple[int, str | None, pd.DataFrame]]
    if by is None:
        lines = [(0, None, table)]
    else:
        by_values = key_values(table, by) if by_values is None else by_values
        column = key_column(table, by)
        lines = [(i, label(v), table[column == v]) for i, v in enumerate(by_values)]
    for i, name, rows in lines:
        if rows.empty:
            continue
        data = curve(rows, x_key, x_values)
        color = f"C{i % 10}"
        p, low, high = (data[c].to_numpy(float) for c in (VALUE, "ci_low", "ci_high"))
        if not numeric:  # categories have no order to draw a line along: points and bars
            shift = (i - (len(lines) - 1) / 2) * 0.08
            bars = [p - low, high - p]
            ax.errorbar(x + shift, p, yerr=bars, fmt="o", color=color, capsize=4, label=name)
            continue
        ax.fill_between(x, data["ci_low"], data["ci_high"], color=color, alpha=0.18, lw=0)
        ax.plot(x, data[VALUE], "o-", color=color, lw=1.8, ms=4, label=name)
        known = np.r_[False, ~np.isnan(p), False]
        alone = known[1:-1] & ~known[:-2] & ~known[2:]  # no neighbour: no band, so a bar
        if alone.any():
            bars = [p[alone] - low[alone], high[alone] - p[alone]]
            ax.errorbar(x[alone], p[alone], yerr=bars, fmt="none", color=color, capsize=4)
    if not numeric:
        ax.set_xticks(x, [label(v) for v in x_values])
        ax.set_xlim(-0.5, len(x_values) - 0.5)
    elif len(x) and x.min() > 0 and x.max() / x.min() >= 50:
        ax.set_xscale("log")  # values spanning decades (replications) read best on a log axis
        ax.set_xticks(x, [label(v) for v in x_values])
        ax.minorticks_off()
    ax.set_ylim(0, 1)
    ax.set_xlabel(short_key(x_key))
    ax.set_ylabel("agreement probability")
    ax.grid(alpha=0.3)
    if by is not None:
        ax.legend(title=short_key(by), fontsize=8, title_fontsize=8, loc="best")


def _plot_heatmap(table: pd.DataFrame, row_key: str, col_key: str, ax: Axes) -> bool:
    """Probability as colour, rows `row_key`, columns `col_key`, the value written in each cell.

    Returns whether the cells show their intervals too (only while the grid is small).
    """
    data = grid(table, row_key, col_key)
    cmap = colormaps["viridis"].with_extremes(bad="white")
    values = np.ma.masked_invalid(data.to_numpy(float))
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=1, aspect="auto", origin="lower")
    rows, cols = data.shape
    low, high = (grid(table, row_key, col_key, c).to_numpy(float) for c in ("ci_low", "ci_high"))
    size, detail = (9, max(rows, cols) <= 6) if max(rows, cols) <= 10 else (7, False)
    # Values in the cells while they stay legible (and cheap: a text costs milliseconds).
    for (r, c), v in np.ndenumerate(data.to_numpy(float) if max(rows, cols) <= 12 else []):
        if math.isnan(v):
            ax.text(c, r, "n/a", ha="center", va="center", color="0.5", fontsize=size - 1)
            continue
        red, green, blue, _ = cmap(v)
        color = "white" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5 else "black"
        ax.text(c, r, f"{v:.2f}", ha="center", va="bottom" if detail else "center",
                fontsize=size + detail, color=color)  # fmt: skip
        if detail:  # room for the interval under the value
            ax.text(c, r, f"[{low[r, c]:.2f}, {high[r, c]:.2f}]", ha="center", va="top",
                    fontsize=size - 2, color=color)  # fmt: skip
    xstep, ystep = max(1, cols // 12), max(1, rows // 12)  # at most about 12 labels an axis
    ax.set_xticks(range(0, cols, xstep), [label(v) for v in data.columns[::xstep]])
    ax.set_yticks(range(0, rows, ystep), [label(v) for v in data.index[::ystep]])
    if not is_numeric(table[row_key]):
        ax.invert_yaxis()  # categories read top-down in sweep order
    ax.set_xlabel(short_key(col_key))
    ax.set_ylabel(short_key(row_key))
    fig = ax.get_figure(root=True)
    assert fig is not None  # an Axes always belongs to a figure
    fig.colorbar(image, ax=ax, label="agreement probability", shrink=0.9)
    return detail and bool(np.isfinite(data.to_numpy(float)).any())


def _plot_panels(table: pd.DataFrame, keys: list[str], title: str) -> Figure:
    """Small multiples: one panel per combination of keys[2:], lines of the first two keys."""
    groups = panel_groups(table, keys[2:]) if len(table) else []
    shown = groups[:MAX_PANELS]
    cols = min(max(len(shown), 1), 4)
    n_rows = -(-max(len(shown), 1) // cols)
    fig = Figure(figsize=(3.6 * cols, 2.9 * n_rows + 1.4), layout="constrained")
    axes = fig.subplots(n_rows, cols, squeeze=False, sharex=True, sharey=True).ravel()
    for ax in axes[max(len(shown), 1) :]:
        ax.set_visible(False)
    if not shown:
        axes[0].text(0.5, 0.5, "no finished jobs", transform=axes[0].transAxes, **_NOTE)
        fig.suptitle(title)
        return fig
    sizes = [len(key_values(table, key)) for key in keys[:2]]
    x_key, by = keys[:2] if sizes[0] >= sizes[1] else keys[1::-1]
    x_values, by_values = key_values(table, x_key), key_values(table, by)
    for ax, (name, rows) in zip(axes, shown, strict=False):
        _plot_lines(rows, x_key, by, ax, x_values, by_values)
        ax.get_legend().remove()
        ax.set_title(name, fontsize=9)
        ax.label_outer()
    handles = [Line2D([], [], color=f"C{i % 10}", marker="o") for i in range(len(by_values))]
    fig.legend(handles, [label(v) for v in by_values], title=short_key(by),
               loc="outside lower center", ncols=min(len(by_values), 8), frameon=False)  # fmt: skip
    if len(groups) > MAX_PANELS:
        title += f"\nshowing the first {MAX_PANELS} of {len(groups)} panels ({', '.join(keys[2:])})"
    fig.suptitle(title)
    return fig


def _plot_scatter(table: pd.DataFrame, keys: list[str], title: str) -> Figure:
    """One panel per swept number: every point's probability and interval against its value.

    For sweeps whose points do not form a grid (a sensitivity design varies every number at
    every point), where small multiples would give each point a panel of its own.
    """
    shown = keys[:MAX_PANELS]
    cols = min(len(shown), 4)
    n_rows = -(-len(shown) // cols)
    fig = Figure(figsize=(3.4 * cols, 2.6 * n_rows + 1.2), layout="constrained")
    axes = fig.subplots(n_rows, cols, squeeze=False, sharey=True).ravel()
    for ax in axes[len(shown) :]:
        ax.set_visible(False)
    y = table[VALUE].astype(float).to_numpy()
    error = np.vstack([y - table["ci_low"].astype(float), table["ci_high"].astype(float) - y])
    for ax, key in zip(axes, shown, strict=False):
        x = key_column(table, key)
        if is_numeric(table[key]):
            ax.errorbar(x.to_numpy(float), y, yerr=error.clip(0), fmt="o", ms=3, alpha=0.5,
                        elinewidth=0.6)  # fmt: skip
        else:
            order = _positions(key_values(table, key))
            ax.errorbar(x.map(order).to_numpy(float), y, yerr=error.clip(0), fmt="o", ms=3,
                        alpha=0.5, elinewidth=0.6)  # fmt: skip
            ax.set_xticks(range(len(order)), [label(v) for v in order])
        ax.set_xlabel(short_key(key), fontsize=9)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    for ax in axes[::cols]:
        ax.set_ylabel("agreement probability")
    if len(keys) > MAX_PANELS:
        title += f"\nshowing the first {MAX_PANELS} of {len(keys)} swept numbers"
    fig.suptitle(title)
    return fig
