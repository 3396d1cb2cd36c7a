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
    label,
    plot_sweep,
    replications_text,
)
from negsim.results.job_files import read_summary
from negsim.sweep.commands import hydra_value, reproduce_command
from negsim.sweep.display import column_definitions, display_tables, estimated_rows
from negsim.sweep.headline import headline
from negsim.sweep.sensitivity import sensitivity_html
from negsim.sweep.table import SweepInfo, job_dirs, write_sweep

FIGURE = "agreement.png"
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
        summary, _ = read_summary(job_dir)
        config = (summary or {}).get("config")
        if isinstance(config, dict) and isinstance(config.get("scenario"), dict):
            return config
    try:
        config = yaml.safe_load((sweep_dir / "multirun.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


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
        summary, _ = read_summary(job_dir)
        if summary is None:  # none, or a corrupt one: its row says so
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
        _pairs({k: hydra_value(v) for k, v in info.fixed.items()}, ("key", "value")),
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
    parts.append(sensitivity_html(sweep_dir))
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
    if estimated_rows(table).any():
        parts.append(
            "<p>Deal quality: where a job's outcomes are too many to list for every deal, the mean "
            "distance to the Pareto frontier is a lower bound (&ldquo;at least&rdquo;) and the "
            "distance to the Nash point an estimate (&ldquo;&asymp;&rdquo;).</p>"
        )
    parts.append(discovery_html(sweep_dir))
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


def discovery_html(sweep_dir: Path) -> str:
    """The scenario-discovery section from `discovery.json` and `discovery.png` (written by
    `negsim-report --discover`); empty when there is no `discovery.json`."""
    e = html.escape
    path = sweep_dir / "discovery.json"
    if not path.is_file():
        return ""

    def cells(limit: dict[str, Any]) -> dict[str, str]:
        if limit.get("categories"):
            kept, every = limit["categories"], limit["all_categories"]
            return {"input": limit["name"], "box": ", ".join(kept), "swept": ", ".join(every)}
        lower = limit["low"] if limit["lower"] is None else limit["lower"]
        upper = limit["high"] if limit["upper"] is None else limit["upper"]
        return {
            "input": limit["name"],
            "box": f"{label(lower)} to {label(upper)}",
            "swept": f"{label(limit['low'])} to {label(limit['high'])}",
        }

    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        words, sentence = found["condition"]["words"], found["sentence"]
        step, rule, limits = found["box"], found["rule"], found["limits"]
        rows = [cells(limit) for limit in limits]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        problem = f"{path}: unreadable ({type(exc).__name__})"
        return f'<h2>Scenario discovery</h2>\n<p class="failed">{e(problem)}</p>'
    parts = [
        f"<h2>Scenario discovery: {e(str(words))}</h2>",
        f'<p class="headline">{e(str(sentence))}</p>',
        f"<p>Box {e(str(step))} of PRIM's peeling trajectory ({e(str(rule))}), over "
        f"{e(str(found.get('points')))} points; <code>discovery.json</code> holds every step.</p>",
        _html_table(pd.DataFrame(rows, columns=["input", "box", "swept"]), left=True),
    ]
    figure = sweep_dir / "discovery.png"
    if figure.is_file():
        data = base64.b64encode(figure.read_bytes()).decode("ascii")
        parts.append(f'<img src="data:image/png;base64,{data}" alt="PRIM trade-off and box">')
    return "\n".join(parts)
