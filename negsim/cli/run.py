"""Command-line entry points. Hydra stays here: the composed config becomes plain objects.

`negsim` runs a scenario (the flagship `ukraine_2025` by default) and writes into the Hydra run
directory `results.parquet` (one row per replication), `rounds.parquet` (the per-round series),
`summary.json` (summary, seed, resolved config, version, commit) and two figures.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from negsim.cli import (
    callback,  # noqa: F401  (the sweep table reads overrides with Hydra)
    hydra_files,
    sweep_jobs,
)
from negsim.cli import errors as cli_errors
from negsim.cli import help as cli_help
from negsim.cli import scenario_path as scenario_paths
from negsim.cli.plain import plain_dict
from negsim.errors import NegsimError
from negsim.formats.load import CONFIG_DIR
from negsim.runs.jobs import job_from_config, report_line, run_alone
from negsim.sweep import table as sweep

log = logging.getLogger(__name__)

# The launching process's id, resolved once there, keeps sweep directories unique.
OmegaConf.register_new_resolver("negsim_pid", os.getpid, use_cache=True, replace=True)


def scenario_source(choice: str | None = None) -> str:
    """The file the composed scenario came from (the `scenario` group's choice), for errors."""
    sources = None
    if HydraConfig.initialized():
        runtime = HydraConfig.get().runtime
        if choice is None:
            choice = runtime.choices.get("scenario")
        sources = runtime.config_sources
    return scenario_paths.scenario_source(choice, sources)


def run_job(cfg: DictConfig, out_dir: Path, job: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one configured job into `out_dir`; returns its summary (`job` adds sweep fields)."""
    plain = plain_dict(cfg)
    fields = job or {}
    checked = job_from_config(
        plain, out_dir, scenario_source(), num=fields.get("job"), overrides=fields.get("overrides")
    )
    summary = run_alone(checked)
    print(report_line(checked, summary))
    return summary


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def _app(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    hydra_config = HydraConfig.get()
    out_dir = Path(hydra_config.runtime.output_dir)
    if hydra_config.mode == RunMode.MULTIRUN:
        overrides = list(hydra_config.overrides.task)
        sweep_jobs.run_sweep_job(cfg, out_dir, overrides, hydra_config.job.num, run_job)
        return
    try:
        run_job(cfg, out_dir)
    except NegsimError as exc:
        print(f"negsim: error: {exc}", file=sys.stderr)
        sys.exit(2)


# Hydra's flags that take the next word as their value.
_VALUED = {"--config-dir", "-cd", "--config-path", "-cp", "--config-name", "-cn", "--package"}
_VALUED |= {"-p", "--cfg", "-c", "--experimental-rerun"}


def flags_first(argv: list[str]) -> list[str]:
    """`argv` with Hydra's flags (`-m`, `--config-dir DIR`, ...) before the overrides, where
    Hydra's parser wants them, so they may come anywhere (an override never starts with -)."""
    flags: list[str] = []
    overrides: list[str] = []
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-"):
            flags.append(arg)
            if arg in _VALUED and i + 1 < len(argv):
                i += 1
                flags.append(argv[i])
        else:
            overrides.append(arg)
        i += 1
    return [argv[0], *flags, *overrides]


def one_line_warning(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> str:
    """A warning as one line, `negsim: warning: ...` (it names the file it is about)."""
    return f"negsim: warning: {message}\n"


_TERMINATED: list[int] = []


def _is_sweep(argv: list[str]) -> bool:
    """Whether the command line asks for a sweep (`-m`, `--multirun`, `hydra.mode=MULTIRUN`)."""
    return any(a in ("-m", "--multirun") or a.endswith("hydra.mode=MULTIRUN") for a in argv)


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM ends the command as Ctrl-C does: temporary files removed, a sweep's table of the
    jobs that finished written, one line said (exit status 143)."""
    _TERMINATED.append(signum)
    _interrupt(signum, frame)


def _interrupt(signum: int, frame: Any) -> None:
    """Ctrl-C (and SIGTERM): end with KeyboardInterrupt, and from now on keep quiet about
    objects that fail to clean up as the process unwinds (an interrupted kernel compilation
    leaves half-built compiler objects whose finalisers complain): the one line is the story."""
    sys.unraisablehook = _quiet
    raise KeyboardInterrupt


def _quiet(unraisable: Any) -> None:
    """Drop an exception raised in a finaliser after an interruption."""


def main() -> None:
    """The `negsim` command; a sweep with failed jobs exits with status 1 once its table is out."""
    cli_help.handle(sys.argv)
    warnings.formatwarning = one_line_warning
    cli_errors.install()
    hydra_files.install()
    try:
        sys.argv = scenario_paths.prepare(flags_first(sys.argv))
    except NegsimError as exc:
        print(f"negsim: error: {exc}", file=sys.stderr)
        sys.exit(2)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        _app()
    except KeyboardInterrupt:  # a sweep's jobs report their own interruption; here, the rest
        if _is_sweep(sys.argv):
            print(
                "negsim: interrupted: the sweep table was not written; the finished jobs are in "
                "their folders, and the same command writes it",
                file=sys.stderr,
            )
        else:
            print(
                "negsim: interrupted: no summary written; the run's files were removed",
                file=sys.stderr,
            )
        sys.exit(143 if _TERMINATED else 130)
    if sweep.FAILED_JOBS:
        sys.exit(1)


if __name__ == "__main__":
    main()
