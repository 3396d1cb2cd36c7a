"""Figures of a model run: concession paths per party and the distribution of deals per issue.

Data and drawing are kept apart: `concession_table` and `deal_table` turn model arrays and results
into tidy DataFrames (easy to test, save or plot elsewhere); `plot_concession` and `plot_deals`
draw those tables. Figures are built with `matplotlib.figure.Figure`, never pyplot, so nothing
depends on a display or on a global backend. `party_colours` gives every party the colour it has
in every figure; `DEAL_COLOUR` (black) and `MEDIATOR_COLOUR` (grey) are no party's.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from negsim.errors import NegsimError
from negsim.files import atomic_write
from negsim.scenario import Scenario

if TYPE_CHECKING:
    from negsim.model import NegotiationModel

CONCESSION_COLUMNS = ["round", "party", "kind", "proposer", "median", "low", "high", "n"]
DEAL_COLUMNS = ["issue", "issue_label", "option", "option_label", "count", "share"]
ANY_PROPOSER = "any"
MEDIATOR = "mediator"
DEAL_COLOUR = "black"
MEDIATOR_COLOUR = "#737373"
NASH_COLOUR = "gold"
# tab10 without its grey and olive (too close to the mediator's grey and the Nash point's gold),
# then the lighter tab20 shades of the same hues: 16 colours before they repeat.
PARTY_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5",
)  # fmt: skip
_NOTE: dict[str, Any] = {"ha": "center", "va": "center", "color": "0.4", "fontsize": 11}


def party_colours(party_names: Sequence[str]) -> dict[str, str]:
    """Each party's colour, by its place in the scenario, the same in every figure.

    >>> party_colours(["us", "russia"])
    {'us': '#1f77b4', 'russia': '#ff7f0e'}

    The colours repeat after 16 parties; none is black (the deal), grey (a mediator) or gold
    (the Nash point).
    """
    return {name: PARTY_PALETTE[i % len(PARTY_PALETTE)] for i, name in enumerate(party_names)}


def proposer_colour(name: str, colours: dict[str, str]) -> str:
    """The colour of a proposer: its party's, grey for a mediator or an unknown proposer."""
    return colours.get(name, MEDIATOR_COLOUR)


def concession_table(
    target_history: np.ndarray,
    received_history: np.ndarray,
    party_names: Sequence[str],
    rounds: int | None = None,
    band: tuple[float, float] = (0.1, 0.9),
    proposer_history: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per round and party, the median and a quantile band over replications of two series.

    Summarises what each party aims for (`target`) and what it is offered (`received`), so one
    can see whether the two meet. The offers a party receives come from whoever proposes in that
    round; with `proposer_history` they are summarised per proposer, so each series follows one
    proposer's offers instead of jumping between proposers as the turn passes. Rounds with no
    data for a party, kind and proposer are dropped.

    Args:
        target_history: targets, shape (rounds, P, R), NaN where a party did not answer.
        received_history: utility of the offer received, same shape and NaN convention.
        party_names: the P party names, in the arrays' order.
        rounds: keep only the first `rounds` rounds; None keeps them all.
        band: lower and upper quantile of the band, 0 <= low <= high <= 1.
        proposer_history: who proposed, shape (rounds, R): a party's index, -1 a mediator;
            None: the received offers are not split (proposer `any`).

    Returns:
        Tidy rows with columns round (1-based), party, kind, proposer (None for targets), median,
        low, high, n; ordered by party, kind (target first), proposer (scenario order, the
        mediator last) and round.
    """
    low_q, high_q = band
    if not 0.0 <= low_q <= high_q <= 1.0:
        raise NegsimError(f"band: need 0 <= low <= high <= 1, got {band!r}")
    if target_history.shape != received_history.shape or target_history.ndim != 3:
        raise NegsimError(
            f"histories: need two arrays of the same shape (rounds, P, R), got "
            f"{target_history.shape} and {received_history.shape}"
        )
    if target_history.shape[1] != len(party_names):
        raise NegsimError(
            f"party_names: {len(party_names)} names for {target_history.shape[1]} parties"
        )
    shape = (target_history.shape[0], target_history.shape[2])
    if proposer_history is not None and proposer_history.shape != shape:
        raise NegsimError(f"proposer_history: need shape {shape}, got {proposer_history.shape}")
    names = list(party_names)
    received = np.asarray(received_history[:rounds], dtype=np.float64)
    series: list[tuple[str, str | None, np.ndarray]] = [
        ("target", None, np.asarray(target_history[:rounds], dtype=np.float64))
    ]
    if proposer_history is None:
        series.append(("received", ANY_PROPOSER, received))
    else:
        who = np.asarray(proposer_history[:rounds])
        for index, name in [*enumerate(names), (-1, MEDIATOR)]:
            mine = (who == index)[:, None, :]  # (rounds, 1, R)
            if mine.any():
                series.append(("received", name, np.where(mine, received, np.nan)))
    frames = [_summary(data, names, kind, proposer, band) for kind, proposer, data in series]
    table = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate([*names, MEDIATOR, ANY_PROPOSER])}
    table = table.assign(
        _party=table["party"].map(order),
        _kind=(table["kind"] != "target").astype(int),
        _proposer=table["proposer"].map(order).fillna(-1),
    )
    table = table.sort_values(["_party", "_kind", "_proposer", "round"], kind="stable")
    table = table.reset_index(drop=True)[CONCESSION_COLUMNS]
    table.attrs["band"] = (float(low_q), float(high_q))
    return table


def _summary(
    data: np.ndarray,
    names: list[str],
    kind: str,
    proposer: str | None,
    band: tuple[float, float],
) -> pd.DataFrame:
    """Median and band over the last axis of `data` (rounds, P, R), for rounds with a value."""
    counts = (~np.isnan(data)).sum(axis=-1)
    round_index, party_index = np.nonzero(counts)
    rows = data[round_index, party_index]  # every row has at least one value: no warnings
    low, median, high = (
        np.nanquantile(rows, [band[0], 0.5, band[1]], axis=1) if rows.size else np.empty((3, 0))
    )
    return pd.DataFrame(
        {
            "round": round_index + 1,
            "party": np.asarray(names, dtype=object)[party_index],
            "kind": kind,
            "proposer": proposer,
            "median": median,
            "low": low,
            "high": high,
            "n": counts[round_index, party_index],
        }
    )


def concession_table_from_model(
    model: NegotiationModel, band: tuple[float, float] = (0.1, 0.9)
) -> pd.DataFrame:
    """`concession_table` for the rounds a recorded model has played, offers split by proposer."""
    if not getattr(model, "record", False):
        raise NegsimError("concession_table_from_model: the model was run with record=False")
    return concession_table(
        model.target_history,
        model.received_history,
        model.scenario.party_names,
        rounds=model.round,
        band=band,
        proposer_history=model.proposer_history,
    )


def plot_concession(
    table: pd.DataFrame, scenario: Scenario, ax_grid: Sequence[Axes] | np.ndarray | None = None
) -> Figure:
    """One panel per party: its target and the utility of offers it received, against its floor.

    A party's own target is a solid line in its colour; the offers it received are dashed lines,
    one per proposer in the proposer's colour (`party_colours`), each drawn at the rounds that
    proposer made an offer. Bands are the table's quantiles over replications.

    Args:
        table: a `concession_table`.
        scenario: the scenario, for party labels and stated reservation values.
        ax_grid: axes to draw into, one per party at least (extra axes are hidden); None makes a
            new figure.
    """
    names = scenario.party_names
    colours = party_colours(names)
    fig, axes = _panels(len(names), 2, (5.2, 3.4), ax_grid)
    last_round = int(table["round"].max()) if len(table) else 1
    proposers = table["proposer"] if "proposer" in table else pd.Series(None, index=table.index)
    for ax, name in zip(axes, names, strict=True):
        party = scenario.party(name)
        mine = table[table["party"] == name]
        target = mine[mine["kind"] == "target"]
        colour = colours[name]
        ax.fill_between(target["round"], target["low"], target["high"], color=colour, alpha=0.2,
                        lw=0)  # fmt: skip
        ax.plot(target["round"], target["median"], color=colour, lw=2.2)
        received = mine[mine["kind"] == "received"]
        for proposer, rows in received.groupby(proposers[received.index].fillna(ANY_PROPOSER),
                                               sort=False):  # fmt: skip
            line = proposer_colour(str(proposer), colours) if proposer != ANY_PROPOSER else "0.3"
            ax.fill_between(rows["round"], rows["low"], rows["high"], color=line, alpha=0.1, lw=0)
            ax.plot(rows["round"], rows["median"], "--", color=line, lw=1.3, marker=".", ms=4)
        ax.axhline(party.reservation, color="black", ls=":", lw=1.2)
        ax.set(xlim=(1, max(last_round, 2)), ylim=(0, 1), title=party.label)
        ax.set_xlabel("round")
        ax.set_ylabel("utility to the party")
        ax.grid(alpha=0.3)
    low_q, high_q = table.attrs.get("band", (0.1, 0.9))
    handles: list[Line2D | Patch] = [
        Line2D([], [], color="black", lw=2.2),
        Line2D([], [], color="black", ls="--", marker=".", lw=1.3),
        Line2D([], [], color="black", ls=":", lw=1.2),
        Patch(facecolor="0.5", alpha=0.3),
    ]
    labels = [
        "the party's own target (median)",
        "utility to it of the offers it received, one line per proposer (median)",
        "its stated reservation value",
        f"shaded: quantiles {low_q:g}-{high_q:g} over replications",
    ]
    shown = set(proposers.dropna())
    for name in [*names, MEDIATOR]:
        if name in names or name in shown:
            handles.append(Patch(facecolor=proposer_colour(name, colours)))
            labels.append(scenario.party(name).label if name in names else "a mediator")
    fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False,
               title="colour: the party (its target, and its offers in the others' panels)",
               title_fontsize=9)  # fmt: skip
    fig.suptitle(f"{scenario.label}: targets and offers received, by round and proposer")
    return fig


def deal_table(results: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Count and share of each option among agreements, for every issue, in scenario order.

    Options never chosen appear with count 0; shares are 0 when there is no agreement.

    Args:
        results: `NegotiationModel.results()`, with columns outcome and deal_<issue>.
        scenario: the scenario the results come from.
    """
    agreed = results[results["outcome"].astype(str) == "agreement"]
    rows = []
    for issue in scenario.issues:
        chosen = agreed[f"deal_{issue.name}"]
        unknown = sorted(map(str, set(chosen) - set(issue.options)))
        if unknown:
            raise NegsimError(f"deal_{issue.name}: agreed options not in the scenario: {unknown}")
        counts = chosen.value_counts().reindex(list(issue.options), fill_value=0)
        for option, option_label in zip(issue.options, issue.option_labels, strict=True):
            count = int(counts[option])
            share = count / len(agreed) if len(agreed) else 0.0
            rows.append((issue.name, issue.label, option, option_label, count, share))
    return pd.DataFrame(rows, columns=DEAL_COLUMNS)


def plot_deals(
    table: pd.DataFrame,
    scenario: Scenario,
    ax_grid: Sequence[Axes] | np.ndarray | None = None,
    long_labels: bool = False,
) -> Figure:
    """One horizontal bar chart per issue: how often each option ends up in the agreement.

    Args:
        table: a `deal_table`.
        scenario: the scenario, for issue labels and option order.
        ax_grid: axes to draw into, one per issue at least (extra axes are hidden); None makes a
            new figure.
        long_labels: label bars with the options' full descriptions (wrapped) instead of their
            short names; needs a larger figure.
    """
    panel = (6.4, 2.8) if long_labels else (4.4, 2.0)
    fig, axes = _panels(len(scenario.issues), 3, panel, ax_grid)
    first = scenario.issues[0].name
    n_agreements = int(table.loc[table["issue"] == first, "count"].sum())
    for ax, issue in zip(axes, scenario.issues, strict=True):
        rows = table[table["issue"] == issue.name].set_index("option").reindex(list(issue.options))
        shares = rows["share"].fillna(0.0).to_numpy()
        ticks = [
            textwrap.fill(text, 34) if long_labels else text.replace("_", " ")
            for text in (issue.option_labels if long_labels else issue.options)
        ]
        y = np.arange(len(ticks))
        ax.barh(y, shares, color="C0", height=0.7)
        for pos, share in zip(y.tolist(), shares, strict=True):
            ax.text(share + 0.02, pos, f"{share:.0%}", va="center", fontsize=8)
        ax.set_yticks(y, ticks, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.12)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"], fontsize=8)
        ax.set_title(textwrap.fill(issue.label, 40), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        if n_agreements == 0:
            ax.text(0.5, 0.5, "no agreements", transform=ax.transAxes, **_NOTE)
    suffix = f"{n_agreements} agreements" if n_agreements else "no agreements"
    fig.suptitle(f"{scenario.label}: options in the agreed deal, share of {suffix}")
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 120) -> Path:
    """Write `fig` as a PNG atomically (temp file, then rename), creating the directory.

    A reader never sees a half-written file, even if drawing fails midway.
    """
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi))


def _panels(
    n: int,
    max_cols: int,
    panel_size: tuple[float, float],
    ax_grid: Sequence[Axes] | np.ndarray | None,
) -> tuple[Figure, list[Axes]]:
    """A figure with `n` visible panels: new (constrained layout) or from given axes."""
    if ax_grid is None:
        cols = min(n, max_cols)
        rows = -(-n // cols)
        fig = Figure(
            figsize=(panel_size[0] * cols, panel_size[1] * rows + 0.9), layout="constrained"
        )
        axes = list(fig.subplots(rows, cols, squeeze=False).ravel())
    else:
        axes = list(np.ravel(np.asarray(ax_grid, dtype=object)))
        if len(axes) < n:
            raise NegsimError(f"ax_grid: need at least {n} axes, got {len(axes)}")
        fig = axes[0].get_figure(root=True)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]
