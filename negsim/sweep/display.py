"""The sweep table as the report shows it: page-wide parts, each column's meaning, estimates
marked."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from negsim.plots.sweep import VALUE, label, short_key

COLUMNS = {
    "job": "the job's number (its directory under the sweep)",
    "status": "ok: the job finished; anything else (failed, or a point not run yet): no "
    "figures for it (listed under Jobs)",
    "agreement probability": "share of the point's replications that ended in agreement "
    "(agreement_probability)",
    "95% interval": "the 95% Wilson interval of that share (ci_low, ci_high)",
    "mean rounds": "rounds played, mean over all replications, deals or not (mean_rounds)",
    "rounds to deal": "rounds played, mean over the replications that agreed "
    "(mean_rounds_to_agreement)",
    "ZOPA share": "share of outcomes every required party values at or above its reservation, "
    "under the stated numbers (zopa_share; the zone of possible agreement)",
    "Pareto distance": "the deal's mean distance to the Pareto frontier, under each replication's "
    "drawn numbers (mean_distance_to_pareto; 0: no party can gain without another losing)",
    "Nash distance": "the deal's mean distance to the Nash bargaining point "
    "(mean_distance_to_nash)",
    "walk-away <party>": "share of replications that ended because that party walked away "
    "(share_walkaway_<party>)",
    "timeout": "share of replications that reached the last round without a deal (share_timeout)",
    "utility <party>": "that party's mean utility over all replications; a replication without "
    "a deal counts its reservation value (mean_utility_<party>)",
}
_MAIN = {
    "mean_rounds": "mean rounds",
    "mean_rounds_to_agreement": "rounds to deal",
    "zopa_share": "ZOPA share",
    "mean_distance_to_pareto": "Pareto distance",
    "mean_distance_to_nash": "Nash distance",
}


def display_tables(table: pd.DataFrame, keys: Sequence[str]) -> list[tuple[str, pd.DataFrame]]:
    """The sweep table as shown, in parts that fit a page: (title, frame) for the agreement
    (probability, interval, rounds, ZOPA, deal quality), the outcomes and the utilities; each
    part starts with the swept keys. Column names are those of `COLUMNS`."""
    short = [short_key(key) for key in keys]
    names = short if len(set(short)) == len(short) else list(keys)  # full names if ambiguous
    head = pd.DataFrame(
        {n: table[k].map(label) for k, n in zip(keys, names, strict=True) if k in table},
        index=table.index,
    )
    main = head.copy()
    for column in ("job", "status"):
        if column in table:
            main[column] = table[column]
    if VALUE in table:
        main["agreement probability"] = table[VALUE]
        main["95% interval"] = [
            "" if pd.isna(low) else f"[{low:.3f}, {high:.3f}]"
            for low, high in zip(table["ci_low"], table["ci_high"], strict=True)
        ]
    estimated = estimated_rows(table)
    words = {"mean_distance_to_pareto": "at least", "mean_distance_to_nash": "≈"}
    for column, name in _MAIN.items():
        if column in table and table[column].notna().any():
            main[name] = table[column]
            if column in words and estimated.any():  # say so: a lower bound, a guess
                main[name] = [
                    "" if pd.isna(v) else f"{words[column]} {v:.3f}" if guess else f"{v:.3f}"
                    for v, guess in zip(table[column], estimated, strict=True)
                ]
    parts = [("Agreement", main)]
    outcomes = head.copy()
    for column in table.columns:
        if column.startswith("share_walkaway_"):
            outcomes[f"walk-away {column.removeprefix('share_walkaway_')}"] = table[column]
    if "share_timeout" in table:
        outcomes["timeout"] = table["share_timeout"]
    utilities = head.copy()
    for column in table.columns:
        if column.startswith("mean_utility_"):
            utilities[f"utility {column.removeprefix('mean_utility_')}"] = table[column]
    for title, frame in (("Outcomes", outcomes), ("Mean utilities", utilities)):
        if frame.shape[1] > head.shape[1]:
            parts.append((title, frame))
    return parts


def column_definitions(parts: Sequence[tuple[str, pd.DataFrame]]) -> dict[str, str]:
    """The meaning of every column shown (party columns once, as `walk-away <party>`)."""
    shown = [c for _, frame in parts for c in frame.columns]
    found = {}
    for name, meaning in COLUMNS.items():
        prefix = name.removesuffix("<party>")
        if name in shown or (prefix != name and any(c.startswith(prefix) for c in shown)):
            found[name] = meaning
    return found


def estimated_rows(table: pd.DataFrame) -> pd.Series:
    """Per job, whether its deal-quality figures are estimates (False: exact, or not known)."""
    if "distance_to_pareto_exact" not in table:
        return pd.Series(False, index=table.index)
    flags = table["distance_to_pareto_exact"]
    return flags.map(lambda v: v is not None and not pd.isna(v) and not v)
