"""The summary of a results table, the printed report of a run, and what reproduces it."""

from __future__ import annotations

import functools
import math
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from negsim.results.accumulator import SummaryAccumulator
from negsim.scenario import Scenario


def summarize(results: pd.DataFrame, scenario: Scenario, top: int = 5) -> dict[str, Any]:
    """The summary of a results table (one row per replication).

    Returns a JSON-ready mapping: agreement probability and its 95% Wilson interval, outcome
    shares (agreement, walkaway by each party, timeout), mean rounds to agreement, mean utility
    per party (no deal counts as the reservation value), the deals' mean distances to the Pareto
    frontier and the Nash point with whether they are exact (`distance_to_pareto_exact`,
    `distance_to_nash_exact`: when False, the first is a lower bound and the second an estimate;
    see `negsim.analysis.replication_quality`) and the `top` most frequent deals (ties: the deal
    seen first). Computed by `negsim.results.accumulator.SummaryAccumulator`, so a table summarised
    whole and the same table folded in piece by piece give the same numbers, bit for bit.
    """
    accumulator = SummaryAccumulator(scenario, top=top)
    accumulator.add(results)
    return accumulator.summary()


def deal_quality_text(summary: dict[str, Any]) -> str | None:
    """The report's lines on deal quality, saying "at least" where the figure is a lower bound.

    >>> quality = {"mean_distance_to_pareto": 0.063, "distance_to_pareto_exact": True,
    ...            "mean_distance_to_nash": 0.2, "distance_to_nash_exact": True}
    >>> deal_quality_text(quality)
    'deal quality: mean distance to the Pareto frontier 0.063, to the Nash point 0.200 (exact)'
    >>> quality.update(distance_to_pareto_exact=False, distance_to_nash_exact=False)
    >>> print(deal_quality_text(quality))
    deal quality: mean distance to the Pareto frontier at least 0.063, to the Nash point about 0.200
      (too many outcomes to list for every deal: a lower bound and an estimate)
    """
    to_pareto = summary.get("mean_distance_to_pareto")
    if to_pareto is None:
        return None
    to_nash = summary.get("mean_distance_to_nash")
    pareto_exact = summary.get("distance_to_pareto_exact", False)
    nash_exact = summary.get("distance_to_nash_exact", False)
    nash = (
        "n/a (no outcome gives every party more than its reservation)"
        if to_nash is None or math.isnan(to_nash)
        else f"{'' if nash_exact else 'about '}{to_nash:.3f}"
    )
    text = (
        f"deal quality: mean distance to the Pareto frontier "
        f"{'' if pareto_exact else 'at least '}{to_pareto:.3f}, to the Nash point {nash}"
    )
    if pareto_exact and nash_exact:
        return text + " (exact)"
    return text + "\n  (too many outcomes to list for every deal: a lower bound and an estimate)"


def odds_text(odds: dict[str, Any], replications: int, shown: int = 5) -> list[str]:
    """The report's section on what moved the odds: the `shown` best drawn numbers in words with
    their intervals, and the noise floor; one line where the summary gives no ranking.

    >>> odds = {"method": "RBD-FAST (given data)", "replications": 1000, "numbers": 3,
    ...         "noise_floor": 0.016, "above_noise": 1, "inert": {}, "top": [
    ...     {"label": "Russia: reservation value", "index": 0.119, "low": 0.076, "high": 0.162,
    ...      "above_noise": True},
    ...     {"label": "US: weight of Crimea", "index": 0.011, "low": -0.01, "high": 0.032,
    ...      "above_noise": False}]}
    >>> print("\\n".join(odds_text(odds, 1000)))
    what moved the odds in these 1,000 replications (RBD-FAST (given data): the share of the
    variance of agreement each drawn number explains on its own, 95% interval)
      Russia: reservation value  0.119  [0.076, 0.162]  above noise
      US: weight of Crimea       0.011  [-0.010, 0.032]
      noise floor 0.016 (what inert random numbers reach by chance): 1 of 3 drawn numbers above it
    """
    n = odds["replications"]
    these = (
        f"these {n:,} replications"
        if n == replications
        else f"the first {n:,} of these {replications:,} replications"
    )
    if "note" in odds:
        return [f"what moved the odds in {these}: {odds['note']}"]
    lines = [
        f"what moved the odds in {these} ({odds['method']}: the share of the",
        "variance of agreement each drawn number explains on its own, 95% interval)",
    ]
    top = odds["top"][:shown]
    width = max(len(entry["label"]) for entry in top) + 2
    for entry in top:
        line = (
            f"  {entry['label']:<{width}}{entry['index']:.3f}  "
            f"[{entry['low']:.3f}, {entry['high']:.3f}]"
        )
        lines.append(line + ("  above noise" if entry["above_noise"] else ""))
    lines.append(
        f"  noise floor {odds['noise_floor']:.3f} (what inert random numbers reach by chance): "
        f"{odds['above_noise']} of {odds['numbers']} drawn numbers above it"
    )
    return lines


def format_report(summary: dict[str, Any], scenario: Scenario) -> str:
    """A short human-readable report of a summary: odds, outcomes, utilities, frequent deals,
    and what moved the odds (when the summary ranks the drawn numbers)."""
    low, high = summary["agreement_ci95"]
    labels = {f"walkaway_{p.name}": f"walk-away by {p.name}" for p in scenario.parties}
    width = max(len(v) for v in labels.values()) + 2
    lines = [
        f"{scenario.label}: {summary['replications']} replications",
        f"agreement probability {summary['agreement_probability']:.3f}"
        f" (95% Wilson interval {low:.3f} to {high:.3f})",
        "",
        "outcome shares",
    ]
    for key, share in summary["outcome_shares"].items():
        lines.append(f"  {labels.get(key, key):<{width}}{share:6.3f}")
    rounds = summary["mean_rounds_to_agreement"]
    lines.append(
        "mean rounds to agreement: " + ("n/a (no agreement)" if rounds is None else f"{rounds:.1f}")
    )
    quality = deal_quality_text(summary)
    if quality is not None:
        lines.append(quality)
    lines += ["", "mean utility (a replication without a deal counts the reservation value)"]
    for party in scenario.parties:
        lines.append(f"  {party.name:<{width}}{summary['mean_utility'][party.name]:6.3f}")
    stated = summary.get("stated_numbers")
    if stated:
        lines.append(
            f"zone of possible agreement under the stated numbers: {stated['zopa_outcomes']:,} of "
            f"{stated['outcomes']:,} outcomes ({stated['zopa_share']:.2%}"
            f"{'' if stated['zopa_exact'] else ', estimated'})"
        )
    if summary["top_deals"]:
        columns = {
            f"#{rank} ({entry['share_of_agreements']:.1%})": [
                entry["deal"][issue] for issue in scenario.issue_names
            ]
            for rank, entry in enumerate(summary["top_deals"], 1)
        }
        table = pd.DataFrame(columns, index=scenario.issue_names)
        lines += ["", f"most frequent deals (share of {summary['agreements']} agreements)"]
        lines += ["  " + line for line in table.to_string().splitlines()]
    odds = summary.get("what_moved_the_odds")
    if odds:
        lines += ["", *odds_text(odds, summary["replications"])]
    return "\n".join(lines)


@functools.cache
def provenance() -> dict[str, str | None]:
    """The package version and, when run from a git checkout, its commit."""
    try:
        package_version = version("negsim")
    except PackageNotFoundError:
        package_version = None
    commit = None
    try:
        here = Path(__file__).resolve().parent
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        if out.returncode == 0:
            commit = out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"negsim_version": package_version, "git_commit": commit}
