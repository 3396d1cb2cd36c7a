"""Sweeps: gather a multirun's jobs into one table, at the end of the multirun or on demand.

Each job of `negsim -m ...` writes `summary.json` into its own directory (`status: ok`, or
`status: failed` with the error). `SweepTable`, a Hydra callback, gathers them at the end of the
multirun into `summary.parquet` and `summary.csv` at the sweep root, one row per job, and draws
the agreement-probability figure; `negsim-report` does the same from whatever jobs exist.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from negsim.results import atomic_write, write_parquet

FAILED_JOBS: list[int] = []
"""Job numbers that failed in the last multirun of this process (the command's exit status)."""

TABLE_FILES = ("summary.parquet", "summary.csv")


@dataclass
class SweepInfo:
    """What a sweep varied and what it held fixed.

    Attributes:
        swept: the swept keys, in the order given, each with its values.
        fixed: overrides common to every job, and the main settings of the run.
        parties: the scenario's party names (for the utility columns).
    """

    swept: dict[str, list[Any]] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)
    parties: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=65536)  # a sweep repeats each value in many jobs' overrides
def _value(text: str) -> Any:
    """An override's value as YAML reads it: 0.4 is a float, us a string, null None."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def split_override(override: str) -> tuple[str, Any]:
    """`key=value` (with an optional leading + or ++) as (key, value)."""
    key, _, value = override.partition("=")
    return key.lstrip("+"), _value(value)


def sweep_info(sweep_dir: Path) -> SweepInfo:
    """Read the sweep's definition from `multirun.yaml`, which Hydra writes at the sweep root."""
    info = SweepInfo()
    path = sweep_dir / "multirun.yaml"
    if not path.is_file():
        return info
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    hydra_node = config.get("hydra") or {}
    task = list((hydra_node.get("overrides") or {}).get("task") or [])
    params = (hydra_node.get("sweeper") or {}).get("params") or {}
    candidates = [f"{key}={value}" for key, value in params.items()] + task
    parser = OverridesParser.create()
    for override in parser.parse_overrides(candidates):
        key = override.key_or_group
        if override.is_sweep_override():
            info.swept[key] = [v for v in override.sweep_iterator()]
        elif key not in info.swept:
            info.fixed[key] = override.value()
    for key in ("replications", "max_rounds", "seed", "batch_size"):
        if key in config and key not in info.swept:
            info.fixed.setdefault(key, config[key])
    scenario = config.get("scenario") or {}
    info.fixed.setdefault("scenario", scenario.get("name"))
    info.parties = list((scenario.get("parties") or {}).keys())
    return info


def job_dirs(sweep_dir: Path) -> list[Path]:
    """The job directories of a sweep: subdirectories with a Hydra record or a summary."""
    found = [
        p
        for p in sweep_dir.iterdir()
        if p.is_dir() and ((p / ".hydra").is_dir() or (p / "summary.json").is_file())
    ]
    return sorted(
        found, key=lambda p: (not p.name.isdigit(), int(p.name) if p.name.isdigit() else 0, p.name)
    )


def _job_overrides(job_dir: Path, summary: dict[str, Any]) -> list[str]:
    if "overrides" in summary:
        return list(summary["overrides"])
    path = job_dir / ".hydra" / "overrides.yaml"
    if path.is_file():
        return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return []


def job_row(job_dir: Path, info: SweepInfo) -> dict[str, Any]:
    """One row of the sweep table for the job in `job_dir`."""
    try:
        summary = json.loads((job_dir / "summary.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        summary = {"status": "failed", "error": "no summary.json: the job did not finish"}
    except ValueError as exc:
        summary = {"status": "failed", "error": f"unreadable summary.json: {exc}"}
    overrides = dict(split_override(o) for o in _job_overrides(job_dir, summary))
    row: dict[str, Any] = {key: overrides.get(key) for key in info.swept}
    row["job"] = summary.get("job", int(job_dir.name) if job_dir.name.isdigit() else None)
    row["status"] = summary.get("status", "failed")
    row["error"] = summary.get("error")
    row["seed"] = summary.get("seed")
    row["replications"] = summary.get("replications")
    low, high = summary.get("agreement_ci95") or (math.nan, math.nan)
    row["agreement_probability"] = summary.get("agreement_probability", math.nan)
    row["ci_low"], row["ci_high"] = low, high
    for key, share in (summary.get("outcome_shares") or {}).items():
        row[f"share_{key}"] = share
    row["mean_rounds"] = summary.get("mean_rounds", math.nan)
    row["mean_distance_to_pareto"] = summary.get("mean_distance_to_pareto", math.nan)
    row["mean_distance_to_nash"] = summary.get("mean_distance_to_nash", math.nan)
    row["distance_to_pareto_exact"] = summary.get("distance_to_pareto_exact")  # False: a bound
    stated = summary.get("stated_numbers") or {}
    row["zopa_share"] = stated.get("zopa_share", math.nan)
    row["mean_rounds_to_agreement"] = summary.get("mean_rounds_to_agreement", math.nan)
    for party, utility in (summary.get("mean_utility") or {}).items():
        row[f"mean_utility_{party}"] = utility
    top = (summary.get("top_deals") or [None])[0]
    row["top_deal"] = (
        "; ".join(f"{issue}={option}" for issue, option in top["deal"].items()) if top else None
    )
    row["top_deal_share"] = top["share_of_agreements"] if top else math.nan
    row["job_dir"] = job_dir.name
    return row


def sweep_table(sweep_dir: str | Path) -> tuple[pd.DataFrame, SweepInfo]:
    """The table of a sweep: one row per job, swept keys first, then the job's figures."""
    sweep_dir = Path(sweep_dir)
    info = sweep_info(sweep_dir)
    rows = [job_row(job_dir, info) for job_dir in job_dirs(sweep_dir)]
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=[*info.swept, "job", "status", "error", "seed"])
    for column in table.columns:
        if column.startswith(("share_", "mean_", "ci_")) or column == "agreement_probability":
            table[column] = pd.to_numeric(table[column], errors="coerce")
    if not info.parties:
        info.parties = [
            c.removeprefix("mean_utility_") for c in table if c.startswith("mean_utility_")
        ]
    return table, info


def write_sweep(sweep_dir: str | Path, figures: bool = True) -> tuple[pd.DataFrame, SweepInfo]:
    """Write `summary.parquet`, `summary.csv` and the agreement figure at the sweep root."""
    sweep_dir = Path(sweep_dir)
    table, info = sweep_table(sweep_dir)
    write_parquet(table, sweep_dir / "summary.parquet")
    csv = sweep_dir / "summary.csv"
    atomic_write(csv, lambda tmp: table.to_csv(tmp, index=False))
    if figures:
        from negsim import sweep_plots
        from negsim.plots import save_figure

        ok = table[table["status"] == "ok"] if "status" in table else table
        save_figure(sweep_plots.plot_sweep(ok, list(info.swept)), sweep_dir / "agreement.png")
    return table, info


class SweepTable(Callback):
    """Hydra callback: at the end of a multirun, gather the jobs into the sweep table."""

    def __init__(self, figures: bool = True) -> None:
        self.figures = figures

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write the table and figure; remember failed jobs for the exit status."""
        sweep_dir = Path(str(config.hydra.sweep.dir))
        table, _ = write_sweep(sweep_dir, figures=self.figures)
        failed = table[table["status"] != "ok"] if len(table) else table
        FAILED_JOBS[:] = [int(j) for j in failed.get("job", pd.Series(dtype=float)).dropna()]
        done = len(table) - len(failed)
        print(f"sweep: {done} of {len(table)} jobs finished; table in {sweep_dir / TABLE_FILES[0]}")
        for _, row in failed.iterrows():
            print(f"sweep: job {row['job']} failed: {row['error']}")
