"""Sweeps: gather a multirun's jobs into one table, at the end of the multirun or on demand.

Each job of `negsim -m ...` writes `summary.json` into its own directory (`status: ok`, or
`status: failed` with the error). `SweepTable`, a Hydra callback, gathers them at the end of the
multirun into `summary.parquet` and `summary.csv` at the sweep root, one row per job, and draws
the agreement-probability figure; `negsim-report` does the same from whatever jobs exist.

Broken files never stop the table: a job whose summary is not a JSON mapping, or whose results
file is truncated, is a `failed` row naming the file (`negsim.results.job_files`); an unreadable
`multirun.yaml` gives way to the sweep's own record (`negsim.sweep.lock`); and every point of
the recorded grid without a finished job is a `not_run` row.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from negsim.errors import NegsimError
from negsim.files import atomic_write, write_parquet
from negsim.results.job_files import files_problem, read_summary
from negsim.sweep import lock as sweep_lock

FAILED_JOBS: list[int] = []
"""Job numbers that failed in the last multirun of this process (the command's exit status)."""

JOB_ERRORS: dict[int, str] = {}
"""Errors of this process's last multirun whose job could not record them (a full disk)."""


OverrideParser = Callable[[list[str]], list[tuple[str, bool, Any]]]
"""Reads `key=value` overrides in Hydra's grammar as `(key, swept, values or value)`."""


def _no_parser(overrides: list[str]) -> list[tuple[str, bool, Any]]:
    raise NegsimError("reading it needs the command line's override parser")


parse_overrides: OverrideParser = _no_parser
"""Hydra's override grammar, set by `negsim.cli` (which alone imports Hydra) before a table is
read; `multirun.yaml` needs it, and without it counts as unreadable (the sweep's record serves)."""

TABLE_FILES = ("summary.parquet", "summary.csv")


@dataclass
class SweepInfo:
    """What a sweep varied and what it held fixed.

    Attributes:
        swept: the swept keys, in the order given, each with its values.
        fixed: overrides common to every job, and the main settings of the run.
        parties: the scenario's party names (for the utility columns).
        grid: every job's overrides, in job order, when the sweep's record holds them.
        problems: what could not be read (one line each, naming the file).
    """

    swept: dict[str, list[Any]] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)
    parties: list[str] = field(default_factory=list)
    grid: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


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
    """Read the sweep's definition from `multirun.yaml`, which Hydra writes at the sweep root,
    and its grid from negsim's record; an unreadable file is a problem noted, never an error."""
    info = SweepInfo()
    try:
        record = sweep_lock.read_record(sweep_dir)
    except NegsimError as exc:
        record = None
        info.problems.append(str(exc).split(": the sweep's settings")[0])
    if record is not None:
        info.grid = [list(job) for job in record["grid"] if isinstance(job, list)]
    path = sweep_dir / "multirun.yaml"
    if path.is_file():
        try:
            _read_multirun(path, info)
            if record is not None:  # numbers a design sweeper chose besides those it was given
                for key in record.get("swept") or {}:
                    info.fixed.pop(key, None)
                    info.swept.setdefault(key, [])
            return info
        except Exception as exc:  # YAML errors, a list, overrides Hydra cannot parse
            info.swept, info.fixed, info.parties = {}, {}, []
            text = " ".join(str(exc).split()) or type(exc).__name__
            info.problems.append(f"{path}: unreadable ({text[:160]})")
    if record is not None:
        _from_record(record, info)
    return info


def _read_multirun(path: Path, info: SweepInfo) -> None:
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(config, dict):
        raise ValueError(f"not a mapping (a YAML {type(config).__name__})")
    hydra_node = config.get("hydra") or {}
    task = list((hydra_node.get("overrides") or {}).get("task") or [])
    params = (hydra_node.get("sweeper") or {}).get("params") or {}
    candidates = [f"{key}={value}" for key, value in params.items()] + task
    for key, swept, value in parse_overrides(candidates):
        if swept:
            info.swept[key] = value
        elif key not in info.swept:
            info.fixed[key] = value
    for key in ("replications", "max_rounds", "seed", "batch_size"):
        if key in config and key not in info.swept:
            info.fixed.setdefault(key, config[key])
    scenario = config.get("scenario") or {}
    info.fixed.setdefault("scenario", scenario.get("name"))
    info.parties = list((scenario.get("parties") or {}).keys())


def _from_record(record: dict[str, Any], info: SweepInfo) -> None:
    """The swept and fixed keys from negsim's record, when `multirun.yaml` cannot say."""
    swept = record.get("swept") or {}
    for key, text in swept.items():
        info.swept[key] = [_value(v) for v in str(text).split(",")]
    for job in info.grid[:1]:
        for line in job:
            key, value = split_override(line)
            if key not in info.swept:
                info.fixed[key] = value
    config = record.get("config") or {}
    for key in ("replications", "max_rounds", "seed", "batch_size"):
        if key in config and key not in info.swept:
            info.fixed.setdefault(key, config[key])


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
    overrides = summary.get("overrides")
    if isinstance(overrides, list):
        return [str(o) for o in overrides]
    path = job_dir / ".hydra" / "overrides.yaml"
    try:
        found = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    return [str(o) for o in found] if isinstance(found, list) else []


def job_summary(job_dir: Path, errors: dict[int, str] | None = None) -> dict[str, Any]:
    """A job's summary as the table reads it: a broken job is `failed` with the file named,
    a job that never wrote its summary `not_run` (or `failed`, with an error in `errors`)."""
    summary, problem = read_summary(job_dir)
    if problem is not None:
        return {"status": "failed", "error": problem}
    if summary is None:
        num = int(job_dir.name) if job_dir.name.isdigit() else None
        if errors and num in errors:
            return {"status": "failed", "error": errors[num], "job": num}
        return {"status": "not_run", "error": "no summary.json: the job did not finish"}
    if summary.get("status") == "ok":
        problem = files_problem(job_dir, summary)
        if problem is not None:
            return {**summary, "status": "failed", "error": problem}
    return summary


def job_row(job_dir: Path, info: SweepInfo, errors: dict[int, str] | None = None) -> dict[str, Any]:
    """One row of the sweep table for the job in `job_dir` (`errors`: see `job_summary`)."""
    summary = job_summary(job_dir, errors)
    overrides = dict(split_override(o) for o in _job_overrides(job_dir, summary))
    row: dict[str, Any] = {key: overrides.get(key) for key in info.swept}
    job = summary.get("job")
    row["job"] = (
        job if isinstance(job, int) else int(job_dir.name) if job_dir.name.isdigit() else None
    )
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


def _row(job_dir: Path, info: SweepInfo, errors: dict[int, str]) -> dict[str, Any]:
    """`job_row`, or a failed row naming the summary when its fields are not what a job writes."""
    try:
        return job_row(job_dir, info, errors)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        problem = f"unexpected contents ({type(exc).__name__}: {exc})"
        return {
            "job": int(job_dir.name) if job_dir.name.isdigit() else None,
            "status": "failed",
            "error": f"{job_dir / 'summary.json'}: {problem}",
            "job_dir": job_dir.name,
        }


def not_run_row(
    num: int, overrides: list[str], info: SweepInfo, error: str | None = None
) -> dict[str, Any]:
    """The row of a grid point that has no job directory: it never ran (or, with `error`,
    failed without leaving a file)."""
    values = dict(split_override(o) for o in overrides)
    row: dict[str, Any] = {key: values.get(key) for key in info.swept}
    if error is not None:
        row.update(job=num, status="failed", error=error)
    else:
        row.update(job=num, status="not_run", error="not run: the sweep ended before this job")
    return row


def sweep_table(
    sweep_dir: str | Path, errors: dict[int, str] | None = None
) -> tuple[pd.DataFrame, SweepInfo]:
    """The table of a sweep: one row per job, swept keys first, then the job's figures; every
    point of the recorded grid without a job directory is a `not_run` row. `errors` holds
    failures that their jobs could not write down (the launcher's, a full disk)."""
    sweep_dir = Path(sweep_dir)
    info = sweep_info(sweep_dir)
    errors = errors or {}
    rows = [_row(job_dir, info, errors) for job_dir in job_dirs(sweep_dir)]
    seen = {row["job"] for row in rows}
    missing = [
        not_run_row(num, job, info, errors.get(num))
        for num, job in enumerate(info.grid)
        if num not in seen
    ]
    known = seen | {row["job"] for row in missing}
    missing += [
        {"job": num, "status": "failed", "error": error}
        for num, error in sorted(errors.items())
        if num not in known
    ]
    if missing:
        rows = sorted([*rows, *missing], key=lambda row: (row["job"] is None, row["job"] or 0))
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=[*info.swept, "job", "status", "error", "seed"])
    for column in table.columns:
        if column.startswith(("share_", "mean_", "ci_")) or column == "agreement_probability":
            table[column] = pd.to_numeric(table[column], errors="coerce")
    if not info.parties:
        info.parties = [
            c.removeprefix("mean_utility_") for c in table.columns if c.startswith("mean_utility_")
        ]
    return table, info


def write_sweep(
    sweep_dir: str | Path, figures: bool = True, errors: dict[int, str] | None = None
) -> tuple[pd.DataFrame, SweepInfo]:
    """Write `summary.parquet`, `summary.csv` and the agreement figure at the sweep root."""
    sweep_dir = Path(sweep_dir)
    table, info = sweep_table(sweep_dir, errors)
    write_parquet(one_type_per_column(table), sweep_dir / "summary.parquet")
    csv = sweep_dir / "summary.csv"
    atomic_write(csv, lambda tmp: table.to_csv(tmp, index=False))
    if figures:
        from negsim.plots import sweep as sweep_plots
        from negsim.plots.run import save_figure

        ok = table[table["status"] == "ok"] if "status" in table else table
        figure = sweep_plots.plot_sweep(ok, list(info.swept), scenario=scenario_label(sweep_dir))
        try:
            save_figure(figure, sweep_dir / "agreement.png")
        except OSError as exc:  # the table stands: say only that the figure is missing
            where = exc.filename or sweep_dir / "agreement.png"
            info.problems.append(f"{where}: the figure was not written: {exc.strerror or exc}")
    return table, info


def one_type_per_column(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with a column of mixed values (a swept key given `0.2,abc`) as text, which
    Parquet can hold; other columns as they are."""
    mixed = {}
    for column in [c for c in table.columns if table[c].dtype.kind == "O"]:
        kinds = {type(v) for v in table[column] if v is not None and v == v}
        if len(kinds) > 1:
            mixed[column] = table[column].map(lambda v: v if v is None or v != v else str(v))
    return table.assign(**mixed) if mixed else table


def scenario_label(sweep_dir: Path) -> str | None:
    """The scenario's label from the first job whose summary has one, for the figure's title."""
    for job_dir in job_dirs(sweep_dir):
        summary, _ = read_summary(job_dir)
        scenario = ((summary or {}).get("config") or {}).get("scenario")
        if isinstance(scenario, dict) and isinstance(scenario.get("label"), str):
            return scenario["label"]
    return None
