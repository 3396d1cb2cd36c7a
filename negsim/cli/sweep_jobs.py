"""One job of a sweep under Hydra's own per-job launchers: skip it when done, record a failure.

`negsim.cli.run` hands each job here with its `run_job`; the batched launcher
(`hydra_plugins/negsim_batch_launcher`) does the same for its packed jobs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from negsim.results.job_files import finished
from negsim.results.job_files import read_summary as _read_summary
from negsim.runs.packing import record_failure


def run_sweep_job(
    cfg: DictConfig,
    out_dir: Path,
    overrides: list[str],
    num: int,
    run_job: Callable[[DictConfig, Path, dict[str, Any]], dict[str, Any]],
) -> None:
    """Run one job of a sweep: skip it if it already finished, record a failure as a result.

    A failed job writes a `summary.json` with `status: failed` and its error, so the sweep goes on
    and the sweep table keeps a row for it; a finished job with the same overrides and whole
    files (`negsim.results.job_files`) is skipped, so re-running a sweep into its directory
    resumes it.
    A broken `summary.json` (not JSON, not a mapping) is a job to run again, never a crash.
    """
    if finished(out_dir, overrides):
        print(f"job {num}: already finished in {out_dir}, skipped")
        return
    job = {"job": num, "overrides": overrides}
    try:
        run_job(cfg, out_dir, job)
    except Exception as exc:  # a failed job becomes a row of the sweep table, not a crash
        message = record_failure(out_dir, num, overrides, cfg.get("seed"), exc)
        print(f"negsim: job {num} failed: {message}", file=sys.stderr)


def read_summary(job_dir: Path) -> dict[str, Any]:
    """A job's summary.json, or an empty mapping when it has none (or an unreadable one)."""
    return _read_summary(job_dir)[0] or {}
