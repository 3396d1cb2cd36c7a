"""Hydra's side of a sweep: the multirun-end callback and Hydra's override grammar.

`negsim.sweep` builds the sweep table without Hydra; this module hands it Hydra's override
parser (for `multirun.yaml`) and runs it at the end of every multirun (`SweepTable`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from negsim.sweep import lock, table


def parse_overrides(overrides: list[str]) -> list[tuple[str, bool, Any]]:
    """`key=value` overrides in Hydra's grammar as `(key, swept, values or value)`.

    A sweep with no list of values (`interval(a,b)`, which a design sweeper samples) is swept
    with no values given: the jobs' own overrides say what each one ran with.
    """
    parsed: list[tuple[str, bool, Any]] = []
    for override in OverridesParser.create().parse_overrides(overrides):
        if override.is_sweep_override():
            values = list(override.sweep_iterator()) if override.is_discrete_sweep() else []
            parsed.append((override.key_or_group, True, values))
        else:
            parsed.append((override.key_or_group, False, override.value()))
    return parsed


table.parse_overrides = parse_overrides


class SweepTable(Callback):
    """Hydra callback: at the end of a multirun, gather the jobs into the sweep table."""

    def __init__(self, figures: bool = True) -> None:
        self.figures = figures

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write the table and figure; remember failed jobs for the exit status; unlock."""
        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            written, info = table.write_sweep(
                sweep_dir, figures=self.figures, errors=table.JOB_ERRORS
            )
        except OSError as exc:  # a full disk, say: one line, and the command fails
            where = exc.filename or sweep_dir / table.TABLE_FILES[0]
            print(
                f"negsim: error: {where}: the sweep table was not written: {exc.strerror or exc}",
                file=sys.stderr,
            )
            raise SystemExit(1) from None
        except Exception as exc:  # Hydra would only log a callback's error and exit with 0
            where = sweep_dir / table.TABLE_FILES[0]
            message = f"{type(exc).__name__}: {exc}".splitlines()[0]
            print(
                f"negsim: error: {where}: the sweep table was not written: {message}",
                file=sys.stderr,
            )
            raise SystemExit(1) from None
        finally:
            lock.release(sweep_dir)
        for problem in info.problems:
            print(f"sweep: warning: {problem}")
        failed = written[written["status"] != "ok"] if len(written) else written
        table.FAILED_JOBS[:] = [int(j) for j in failed.get("job", pd.Series(dtype=float)).dropna()]
        done = len(written) - len(failed)
        where = sweep_dir / table.TABLE_FILES[0]
        print(f"sweep: {done} of {len(written)} jobs finished; table in {where}")
        for _, row in failed.iterrows():
            verb = "did not run" if row["status"] == "not_run" else "failed"
            print(f"sweep: job {row['job']} {verb}: {row['error']}")
