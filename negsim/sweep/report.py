"""`negsim-report SWEEP_DIR`: rebuild a sweep's table and figure, and write an HTML report.

The report opens with a headline sentence (what was swept, over what range, the agreement
probability's range and where it crosses 0.5), then the scenario, the replications per point,
the figure and the sweep table in page-wide parts with the meaning of every column.
It is one self-contained file (inline CSS, the figure as a base64 data URI, no scripts
and no external references), so it can be mailed or archived as it is. It is rebuilt from
whatever jobs exist, so it also works on a sweep that is still running or was interrupted.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import shlex
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from negsim.errors import NegsimError
from negsim.files import atomic_write
from negsim.plots.run import save_figure
from negsim.plots.sweep import (
    TITLE,
    VALUE,
    label,
    plot_sweep,
    replications_text,
    short_key,
)
from negsim.results.job_files import read_summary
from negsim.sweep.headline import headline
from negsim.sweep.table import SweepInfo, job_dirs, write_sweep

FIGURE = "agreement.png"
_BARE = re.compile(r"[\w./:+-]+")
_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 78em; padding: 0 1em;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.meta { color: #555; } code, pre { font-family: ui-monospace, monospace; font-size: 0.92em; }
pre { background: #f4f4f4; padding: 0.8em; overflow-x: auto; white-space: pre-wrap; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.4em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #eee; vertical-align: bottom; } tr:nth-child(even) td { background: #fafafa; }
.headline { font-size: 1.1em; } dt { font-family: ui-monospace, monospace; font-weight: bold; }
dd { margin: 0 0 0.4em 1.5em; }
table.left td, table.left th { text-align: left; } .failed { color: #a00; }
.table { overflow-x: auto; } img { max-width: 100%; height: auto; border: 1px solid #ddd; }
"""


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


def check_sweep_dir(path: Path) -> None:
    """Raise NegsimError (`<path>: <problem>`, one line) unless `path` is a sweep directory."""
    if not path.exists():
        raise NegsimError(f"{path}: no such directory")
    if not path.is_dir():
        raise NegsimError(f"{path}: not a directory (give a sweep's directory, hydra.sweep.dir)")
    try:
        jobs = job_dirs(path)
        empty = next(path.iterdir(), None) is None
    except OSError as exc:
        raise NegsimError(f"{path}: {exc.strerror or exc}") from exc
    if (path / "multirun.yaml").is_file() or (path / "negsim_sweep.json").is_file():
        return
    if any(_sweep_job(job) for job in jobs):
        return
    jobs = []  # folders of single runs (runs/baseline, ...) are not a sweep's jobs
    if empty:
        raise NegsimError(f"{path}: not a sweep directory: it is empty")
    parent = path.resolve().parent
    if (path / "summary.json").is_file() and (parent / "multirun.yaml").is_file():
        raise NegsimError(f"{path}: not a sweep directory: one job of the sweep {parent}")
    if (path / "summary.json").is_file() or (path / ".hydra").is_dir():
        raise NegsimError(
            f"{path}: not a sweep directory: a single run's (its summary is {path}/summary.json)"
        )
    raise NegsimError(
        f"{path}: not a sweep directory (no job directories of a sweep, no multirun.yaml)"
    )


def _sweep_job(job_dir: Path) -> bool:
    """Whether `job_dir` is a sweep's job: its summary has a job number (or it has none yet)."""
    summary, _ = read_summary(job_dir)
    return summary is None or "job" in summary


def scenario_config(sweep_dir: Path) -> dict[str, Any]:
    """The resolved run config of the sweep's first job that has one (`summary.json`'s config),
    else the multirun's own (`multirun.yaml`); empty if neither is readable."""
    for job_dir in job_dirs(sweep_dir):
        try:
            summary = json.loads((job_dir / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        config = summary.get("config") if isinstance(summary, dict) else None
        if isinstance(config, dict) and isinstance(config.get("scenario"), dict):
            return config
    try:
        config = yaml.safe_load((sweep_dir / "multirun.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def override(key: str, value: Any) -> str:
    """`key=value` as Hydra parses it back: strings quoted when needed, lists in brackets."""
    return f"{key}={_hydra_value(value)}"


def _hydra_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return "[" + ",".join(_hydra_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_hydra_value(v)}" for k, v in value.items()) + "}"
    text = label(value)
    if _BARE.fullmatch(text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def original_overrides(sweep_dir: Path) -> list[str] | None:
    """The sweep's own command-line overrides from `multirun.yaml`; None if it has none."""
    try:
        config = yaml.safe_load((sweep_dir / "multirun.yaml").read_text(encoding="utf-8"))
        overrides = config["hydra"]["overrides"]
        skip = ("hydra.sweep.dir=", "hydra.mode=")
        hydra_args = [o for o in overrides.get("hydra") or [] if not o.startswith(skip)]
        return [*hydra_args, *(overrides.get("task") or [])]
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return None


def reproduce_command(info: SweepInfo, sweep_dir: Path, explicit: bool = False) -> str:
    """The `negsim -m ...` command of the sweep, into `sweep_dir`.

    By default the sweep's own overrides: run into its directory, it resumes (finished jobs are
    skipped). `explicit` spells out every fixed setting instead, so config defaults changed
    since do not matter (its jobs' overrides differ, so it should go to a new directory).
    """
    args = None if explicit else original_overrides(sweep_dir)
    if args is None:
        args = [override(key, value) for key, value in info.fixed.items()]
        for key, values in info.swept.items():
            args.append(f"{key}={','.join(_hydra_value(v) for v in values)}")
    args.append(override("hydra.sweep.dir", str(sweep_dir)))
    return shlex.join(["negsim", "-m", *args])


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
    estimated = _estimated(table)
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


def _estimated(table: pd.DataFrame) -> pd.Series:
    """Per job, whether its deal-quality figures are estimates (False: exact, or not known)."""
    if "distance_to_pareto_exact" not in table:
        return pd.Series(False, index=table.index)
    flags = table["distance_to_pareto_exact"]
    return flags.map(lambda v: v is not None and not pd.isna(v) and not v)


def _html_table(frame: pd.DataFrame, left: bool = False) -> str:
    classes = "left" if left else None
    text = frame.to_html(
        index=False, escape=True, na_rep="", float_format="{:.3f}".format, border=0, classes=classes
    )
    return f'<div class="table">{text}</div>'


def _grid_html(frame: pd.DataFrame) -> str:
    """A display table: numbers to 3 decimals, headers that may break after a dot."""
    e = html.escape

    def cell(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return "" if math.isnan(value) else f"{value:.3f}"
        return "" if value is None else e(str(value))

    heads = "".join(f"<th>{e(str(c)).replace('.', '.<wbr>')}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>\n"
        for row in frame.itertuples(index=False)
    )
    return (
        f'<div class="table"><table>\n<thead><tr>{heads}</tr></thead>\n'
        f"<tbody>\n{rows}</tbody></table></div>"
    )


def _pairs(rows: dict[str, str], head: tuple[str, str]) -> str:
    return _html_table(pd.DataFrame(list(rows.items()), columns=list(head)), left=True)


def _provenance(sweep_dir: Path) -> list[str]:
    """The distinct negsim versions and commits the sweep's jobs were run with."""
    found: dict[str, None] = {}
    for job_dir in job_dirs(sweep_dir):
        try:
            summary = json.loads((job_dir / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(summary, dict):  # a corrupt summary: its row says so
            continue
        if "negsim_version" in summary or "git_commit" in summary:
            commit = summary.get("git_commit") or "unknown commit"
            found[f"negsim {summary.get('negsim_version') or '?'}, {commit}"] = None
    return list(found)


def report_html(
    table: pd.DataFrame,
    info: SweepInfo,
    sweep_dir: Path,
    figure_png: bytes | None,
    provenance: Sequence[str] = (),
    config: dict[str, Any] | None = None,
) -> str:
    """The report as one HTML page, with the figure embedded as a data URI.

    `config` is a job's resolved config (`scenario_config`): the scenario's label and
    description, and the replications per point.
    """
    e = html.escape
    config = config or {}
    scenario = config.get("scenario") or {}
    name = scenario.get("label") or scenario.get("name") or info.fixed.get("scenario")
    keys = list(info.swept)
    status = table["status"] if "status" in table else pd.Series(dtype=object)
    ok, failed = table[status == "ok"], table[status != "ok"]
    built = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    swept = {k: ", ".join(label(v) for v in vs) for k, vs in info.swept.items()}
    replications = replications_text(table) or (
        f"{config['replications']} replications per point" if "replications" in config else ""
    )
    settings = [replications] + [
        f"{key} {label(config[key])}" for key in ("max_rounds", "seed") if key in config
    ]
    parts = [
        f"<h1>Sweep report: {e(str(name or sweep_dir.name))}</h1>",
        f'<p class="headline"><strong>{e(headline(table, info, config))}</strong></p>',
        f'<p class="meta">Built {e(built)} from <code>{e(str(sweep_dir))}</code>'
        + "".join(f"<br>Run with {e(p)}" for p in provenance)
        + "</p>",
        "<h2>Scenario</h2>",
        f"<p><strong>{e(str(name or 'unknown scenario'))}</strong>"
        + (f" (<code>{e(str(scenario['name']))}</code>)" if scenario.get("name") else "")
        + "</p>",
        f"<p>{e(str(scenario['description']))}</p>" if scenario.get("description") else "",
        f"<p>{e(', '.join(s for s in settings if s))}.</p>",
        "<h2>Swept parameters</h2>",
        _pairs(swept, ("key", "values")) if keys else "<p>None: a single job.</p>",
        "<h2>Fixed parameters</h2>",
        _pairs({k: _hydra_value(v) for k, v in info.fixed.items()}, ("key", "value")),
        "<h2>Jobs</h2>",
        "".join(
            f'<p class="failed">Could not read: {e(str(problem))}</p>'
            for problem in getattr(info, "problems", [])
        ),
        f"<p>{len(table)} jobs: {len(ok)} finished, "
        f'<span class="{"failed" if len(failed) else ""}">{e(_others(failed))}</span>.</p>',
    ]
    if len(failed):
        columns = [c for c in [*keys, "job", "job_dir", "error"] if c in failed]
        shown = failed[columns].assign(**{k: failed[k].map(label) for k in keys if k in failed})
        parts.append(_html_table(shown, left=True))
    parts.append(f"<h2>{e(TITLE)}</h2>")
    if replications:
        parts.append(
            f"<p>{e(replications.capitalize())}: each point's share of agreements estimates its "
            "probability, and the 95% Wilson interval says how far off it may be.</p>"
        )
    if figure_png:
        data = base64.b64encode(figure_png).decode("ascii")
        parts.append(f'<img src="data:image/png;base64,{data}" alt="{e(TITLE)} by swept key">')
    else:
        parts.append("<p>No figure.</p>")
    tables = display_tables(table, keys)
    parts.append("<h2>Sweep table</h2>")
    parts.append(
        "<p>One row per job (sweep point); also in <code>summary.csv</code> and "
        "<code>summary.parquet</code>, with every column of the jobs' summaries.</p>"
    )
    for title, frame in tables:
        parts += [f"<h3>{e(title)}</h3>", _grid_html(frame)]
    parts.append("<h3>Columns</h3>\n<dl>")
    for column, meaning in column_definitions(tables).items():
        parts.append(f"<dt>{e(column)}</dt><dd>{e(meaning)}</dd>")
    parts.append("</dl>")
    if _estimated(table).any():
        parts.append(
            "<p>Deal quality: where a job's outcomes are too many to list for every deal, the mean "
            "distance to the Pareto frontier is a lower bound (&ldquo;at least&rdquo;) and the "
            "distance to the Nash point an estimate (&ldquo;&asymp;&rdquo;).</p>"
        )
    parts += [
        "<h2>Reproduce</h2>",
        "<p>The sweep's command: run again, it resumes here (finished jobs are skipped). "
        "Then rebuild this report:</p>",
        f"<pre>{e(reproduce_command(info, sweep_dir))}\n"
        f"{e(shlex.join(['negsim-report', str(sweep_dir)]))}</pre>",
        "<p>With every fixed setting spelled out, into a new directory:</p>",
        f"<pre>{e(reproduce_command(info, sweep_dir.with_name(sweep_dir.name + '-rerun'), True))}"
        "</pre>",
    ]
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>negsim sweep report: {e(sweep_dir.name)}</title>\n<style>{_CSS}</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _others(rows: pd.DataFrame) -> str:
    """The unfinished jobs by status: `1 failed, 3 not run` (`0 failed` when there are none)."""
    if rows.empty or "status" not in rows:
        return "0 failed"
    counts = rows["status"].fillna("failed").value_counts(sort=False)
    return ", ".join(f"{n} {str(status).replace('_', ' ')}" for status, n in counts.items())


def build_report(sweep_dir: Path, out: Path | None = None) -> list[Path]:
    """Rebuild the sweep table and figure, write the report; returns the paths written."""
    check_sweep_dir(sweep_dir)
    sweep_dir = sweep_dir.resolve()
    out = sweep_dir / "report.html" if out is None else out
    try:
        table, info = write_sweep(sweep_dir, figures=False)
        for problem in info.problems:
            print(f"negsim-report: warning: {problem}", file=sys.stderr)
        config = scenario_config(sweep_dir)
        name = (config.get("scenario") or {}).get("label")
        ok = table[table["status"] == "ok"] if "status" in table else table
        figure = save_figure(plot_sweep(ok, list(info.swept), scenario=name), sweep_dir / FIGURE)
        png = figure.read_bytes()
        text = report_html(table, info, sweep_dir, png, _provenance(sweep_dir), config)
        _write_text(out, text)
    except OSError as exc:
        raise NegsimError(f"{exc.filename or sweep_dir}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise NegsimError(f"{sweep_dir / 'multirun.yaml'}: not readable YAML") from exc
    return [sweep_dir / "summary.parquet", sweep_dir / "summary.csv", figure, out]


def _write_text(path: Path, text: str) -> None:
    """Write `text` atomically (see `negsim.files.atomic_write`)."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
