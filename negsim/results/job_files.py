"""Whether a sweep job's files are whole: its `summary.json` and, when asked for, its results.

A job is finished only when its `summary.json` is a JSON mapping with `status: ok` and the
files it promises are there and readable: `results.parquet` (with `job_results` on) opens and
holds one row per replication, and `rounds.parquet`, when present, opens. Resume re-runs a job
that is not finished; the sweep table shows it as a failed row naming the file. Only Parquet
footers are read, so checking a large sweep stays cheap.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

SUMMARY = "summary.json"


def read_summary(job_dir: Path) -> tuple[dict[str, Any] | None, str | None]:
    """A job's summary, or None and why not (None, None: the job has no summary.json)."""
    path = job_dir / SUMMARY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as exc:
        return None, f"{path}: unreadable ({_short(exc)})"
    if not isinstance(data, dict):
        return None, f"{path}: not a mapping (a JSON {type(data).__name__})"
    return data, None


def files_problem(job_dir: Path, summary: dict[str, Any]) -> str | None:
    """What is wrong with the files of a job whose summary says `ok` (None: nothing)."""
    config = summary.get("config")
    wanted = isinstance(config, dict) and config.get("job_results") is True
    results = job_dir / "results.parquet"
    if wanted or results.is_file():
        rows, problem = _parquet_rows(results)
        if problem is not None:
            return problem
        expected = summary.get("replications")
        if isinstance(expected, int) and rows != expected:
            return f"{results}: {rows} rows, the summary counts {expected} replications"
    rounds = job_dir / "rounds.parquet"
    if rounds.is_file():
        return _parquet_rows(rounds)[1]
    return None


def finished(job_dir: Path, overrides: list[str]) -> bool:
    """Whether the job finished with these overrides and its files are whole (resume skips it)."""
    summary, _ = read_summary(job_dir)
    return (
        summary is not None
        and summary.get("status") == "ok"
        and summary.get("overrides") == overrides
        and files_problem(job_dir, summary) is None
    )


def _parquet_rows(path: Path) -> tuple[int, str | None]:
    try:
        return pq.ParquetFile(path).metadata.num_rows, None
    except FileNotFoundError:
        return 0, f"{path}: missing"
    except Exception as exc:  # pyarrow's errors for a truncated or foreign file vary
        return 0, f"{path}: unreadable ({_short(exc)})"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
