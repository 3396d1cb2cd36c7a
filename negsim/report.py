"""`negsim-report SWEEP_DIR`: rebuild a sweep's table and figure, and write an HTML report.

The report is one self-contained file (inline CSS, the figure as a base64 data URI, no scripts
and no external references), so it can be mailed or archived as it is. It is rebuilt from
whatever jobs exist, so it also works on a sweep that is still running or was interrupted.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import shlex
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from negsim.errors import NegsimError
from negsim.results import atomic_write
from negsim.sweep import SweepInfo, job_dirs, write_sweep
from negsim.sweep_plots import TITLE, label, short_key

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
th { background: #eee; } tr:nth-child(even) td { background: #fafafa; }
table.left td, table.left th { text-align: left; } .failed { color: #a00; }
.table { overflow-x: auto; } img { max-width: 100%; height: auto; border: 1px solid #ddd; }
"""


def check_sweep_dir(path: Path) -> None:
    """Raise NegsimError (`<path>: <problem>`) unless `path` is a sweep directory."""
    if not path.exists():
        raise NegsimError(f"{path}: no such directory")
    if not path.is_dir():
        raise NegsimError(f"{path}: not a directory")
    if not (path / "multirun.yaml").is_file() and not job_dirs(path):
        raise NegsimError(f"{path}: not a sweep directory (no job directories, no multirun.yaml)")


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


def display_table(table: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """The sweep table as shown: keys, probability with interval, shares, rounds, utilities."""
    short = [short_key(key) for key in keys]
    names = short if len(set(short)) == len(short) else list(keys)  # full names if ambiguous
    out = pd.DataFrame(
        {n: table[k].map(label) for k, n in zip(keys, names, strict=True) if k in table}
    )
    for column in ("job", "status"):
        if column in table:
            out[column] = table[column]
    if "agreement_probability" in table:
        out["agreement probability"] = table["agreement_probability"]
        out["95% interval"] = [
            "" if pd.isna(low) else f"[{low:.3f}, {high:.3f}]"
            for low, high in zip(table["ci_low"], table["ci_high"], strict=True)
        ]
    for column in table.columns:
        if column.startswith(("share_", "mean_")) and column != "share_agreement":  # = probability
            out[column.replace("_", " ")] = table[column]
    estimated = _estimated(table)
    if estimated.any():  # say so: the distance to the frontier is a lower bound, to Nash a guess
        words = {"mean_distance_to_pareto": "at least", "mean_distance_to_nash": "≈"}
        for column, word in words.items():
            if column in table:
                out[column.replace("_", " ")] = [
                    "" if pd.isna(v) else f"{word} {v:.3f}" if guess else f"{v:.3f}"
                    for v, guess in zip(table[column], estimated, strict=True)
                ]
    return out


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
) -> str:
    """The report as one HTML page, with the figure embedded as a data URI."""
    e = html.escape
    keys = list(info.swept)
    status = table["status"] if "status" in table else pd.Series(dtype=object)
    ok, failed = table[status == "ok"], table[status != "ok"]
    built = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    swept = {k: ", ".join(label(v) for v in vs) for k, vs in info.swept.items()}
    parts = [
        f"<h1>Sweep report: {e(sweep_dir.name)}</h1>",
        f'<p class="meta">Built {e(built)} from <code>{e(str(sweep_dir))}</code>'
        + "".join(f"<br>Run with {e(p)}" for p in provenance)
        + "</p>",
        "<h2>Swept parameters</h2>",
        _pairs(swept, ("key", "values")) if keys else "<p>None: a single job.</p>",
        "<h2>Fixed parameters</h2>",
        _pairs({k: _hydra_value(v) for k, v in info.fixed.items()}, ("key", "value")),
        "<h2>Jobs</h2>",
        f"<p>{len(table)} jobs: {len(ok)} finished, "
        f'<span class="{"failed" if len(failed) else ""}">{len(failed)} failed</span>.</p>',
    ]
    if len(failed):
        columns = [c for c in [*keys, "job", "job_dir", "error"] if c in failed]
        shown = failed[columns].assign(**{k: failed[k].map(label) for k in keys if k in failed})
        parts.append(_html_table(shown, left=True))
    parts.append(f"<h2>{e(TITLE)}</h2>")
    if figure_png:
        data = base64.b64encode(figure_png).decode("ascii")
        parts.append(f'<img src="data:image/png;base64,{data}" alt="{e(TITLE)} by swept key">')
    else:
        parts.append("<p>No figure.</p>")
    parts += ["<h2>Sweep table</h2>", _html_table(display_table(table, keys))]
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


def build_report(sweep_dir: Path, out: Path | None = None) -> list[Path]:
    """Rebuild the sweep table and figure, write the report; returns the paths written."""
    check_sweep_dir(sweep_dir)
    sweep_dir = sweep_dir.resolve()
    out = sweep_dir / "report.html" if out is None else out
    try:
        table, info = write_sweep(sweep_dir)
        figure = sweep_dir / FIGURE
        png = figure.read_bytes() if figure.is_file() else None
        text = report_html(table, info, sweep_dir, png, _provenance(sweep_dir))
        _write_text(out, text)
    except OSError as exc:
        raise NegsimError(f"{exc.filename or sweep_dir}: {exc.strerror or exc}") from exc
    return [sweep_dir / "summary.parquet", sweep_dir / "summary.csv", figure, out]


def _write_text(path: Path, text: str) -> None:
    """Write `text` atomically (see `negsim.results.atomic_write`)."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> None:
    """The `negsim-report` command: a bad path prints one error line and exits with status 2."""
    parser = argparse.ArgumentParser(
        prog="negsim-report",
        description="Rebuild a sweep's table and figure and write a self-contained HTML report.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep directory (hydra.sweep.dir)")
    parser.add_argument("--out", type=Path, help="the report file (default SWEEP_DIR/report.html)")
    args = parser.parse_args(argv)
    try:
        paths = build_report(args.sweep_dir, args.out)
    except NegsimError as exc:
        print(f"negsim-report: error: {exc}", file=sys.stderr)
        sys.exit(2)
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
