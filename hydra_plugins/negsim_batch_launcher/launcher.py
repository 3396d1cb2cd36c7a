"""`hydra/launcher=negsim_batch`: a sweep's points packed into lockstep models, run in chunks.

The launcher gets every job of a sweep at once. It composes a config once per distinct choice
of config groups and applies each job's plain overrides itself (`overrides.py`); checks every
job (a bad point becomes a `status: failed` row with its one-line error, the sweep goes on);
skips jobs that already finished with the same overrides (resume); computes the stated-numbers
analysis once per group of points; and hands chunks of points to an executor
(`negsim.runs.executors`: inline, local worker processes, submitit/Slurm, Ray), where they are
packed into models of up to `batch_size` replications (`negsim.runs.packing`). Each job's
directory gets its `summary.json` (and `results.parquet` with `job_results=true`, figures with
`figures=true`); the sweep table is written at the end by negsim's `SweepTable` callback, as
for any launcher.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobReturn, JobStatus, configure_log, setup_globals
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict
from tqdm.auto import tqdm

from hydra_plugins.negsim_batch_launcher.overrides import Base, Composer
from negsim.cli.plain import plain_dict
from negsim.errors import NegsimError
from negsim.results.job_files import finished
from negsim.runs.executors import EXECUTORS, parallelism, run_chunks
from negsim.runs.jobs import Job, job_from_config
from negsim.runs.packing import Done, attach_stated, make_chunks, record_failure
from negsim.scenario.schema import NodeCache
from negsim.sweep import table as sweep

log = logging.getLogger(__name__)

AUTO_LOCAL = 20_000
"""Replications from which `executor: auto` starts local worker processes (about 2 s of work)."""


class NegsimBatchLauncher(Launcher):
    """Runs a sweep's jobs packed into lockstep models, in chunks, on an executor.

    Args:
        executor: `auto`, `inline`, `local`, `submitit` or `ray` (see `negsim.runs.executors`);
            `auto` runs a small sweep in this process and a larger one on every local core.
        n_jobs: worker processes of the `local` executor (-1: every core).
        chunk_size: jobs per chunk (null: about four chunks per worker).
        progress: a progress bar over the sweep's points (null: on a terminal only).
        submitit: parameters of the `submitit` executor.
        ray: parameters of the `ray` executor (`init`, `remote`, `parallelism`).
    """

    def __init__(
        self,
        executor: str = "inline",
        n_jobs: int = -1,
        chunk_size: int | None = None,
        progress: bool | None = None,
        submitit: Any = None,
        ray: Any = None,
    ) -> None:
        super().__init__()
        if executor not in (*EXECUTORS, "auto"):
            known = ", ".join(("auto", *EXECUTORS))
            raise NegsimError(f"hydra.launcher.executor: must be one of {known}, got {executor!r}")
        if (
            isinstance(n_jobs, bool)
            or not isinstance(n_jobs, int)
            or not (n_jobs == -1 or n_jobs >= 1)
        ):
            problem = f"must be -1 (every core) or a whole number >= 1, got {n_jobs!r}"
            raise NegsimError(f"hydra.launcher.n_jobs: {problem}")
        if chunk_size is not None and (
            isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
        ):
            problem = f"must be null or a whole number >= 1, got {chunk_size!r}"
            raise NegsimError(f"hydra.launcher.chunk_size: {problem}")
        self.executor = executor
        self.options: dict[str, Any] = {
            "n_jobs": n_jobs,
            "submitit": _plain(submitit),
            "ray": _plain(ray),
        }
        self.chunk_size = chunk_size
        self.progress = progress
        self.config: DictConfig | None = None
        self.context: HydraContext | None = None
        self.parse_cache = NodeCache()

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        """Keep the sweep's config and Hydra's context (the task function is not used)."""
        self.config = config
        self.context = hydra_context

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """Check, pack and run the jobs; one (small) `JobReturn` per job."""
        setup_globals()
        assert self.config is not None and self.context is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        composer = Composer(self.context, self.config)
        self.parse_cache = NodeCache()
        bar = tqdm(
            total=len(job_overrides),
            desc="sweep",
            unit="point",
            disable=None if self.progress is None else not self.progress,
        )
        with bar, _log_to(sweep_dir / "launcher.log"):
            jobs, dirs, skipped = [], [], 0
            for idx, overrides in enumerate(job_overrides):
                num = initial_job_idx + idx
                job, job_dir = self._prepare(composer, sweep_dir, num, list(overrides))
                dirs.append(job_dir)
                if job is None:
                    bar.update(1)
                    skipped += _finished(job_dir, list(overrides))
                else:
                    jobs.append(job)
            if skipped:
                total = len(job_overrides)
                print(f"sweep: {skipped} of {total} jobs already finished in {sweep_dir}, skipped")
            attach_stated(jobs, progress=False)
            executor = self._executor(jobs)
            workers = parallelism(executor, self.options)
            chunks = make_chunks(jobs, self.chunk_size, workers)
            log.info("%d jobs to run in %d chunks (%s)", len(jobs), len(chunks), executor)

            def on_done(done: Done) -> None:
                bar.update(1)
                if done.status != "ok":
                    sweep.JOB_ERRORS[done.num] = str(done.error)
                    print(f"negsim: job {done.num} failed: {done.error}", file=sys.stderr)

            run_chunks(chunks, executor, self.options, on_done, sweep_dir / ".submitit")
        return [
            JobReturn(
                overrides=list(overrides),
                working_dir=str(job_dir),
                task_name=str(self.config.hydra.job.name),
                status=JobStatus.COMPLETED,
                _return_value=None,
            )
            for overrides, job_dir in zip(job_overrides, dirs, strict=True)
        ]

    def _executor(self, jobs: list[Job]) -> str:
        """`auto`: local worker processes when the sweep is worth their start-up, else inline."""
        if self.executor != "auto":
            return self.executor
        replications = sum(job.settings.replications for job in jobs)
        several = (os.cpu_count() or 1) > 1 and len(jobs) > 1
        return "local" if several and replications >= AUTO_LOCAL else "inline"

    def _prepare(
        self, composer: Composer, sweep_dir: Path, num: int, overrides: list[str]
    ) -> tuple[Job | None, Path]:
        """The job to run, or None when it failed its checks or already finished."""
        job_dir = sweep_dir / str(num)
        seed = None
        try:
            config, base = composer.job_config(overrides)
            job_dir = sweep_dir / _subdir(base, num, overrides)
            seed = config.get("seed")
            if _finished(job_dir, overrides):
                return None, job_dir
            source = _scenario_source(base)
            job = job_from_config(config, job_dir, source, num, overrides, self.parse_cache)
            return job, job_dir
        except Exception as exc:  # the job becomes a failed row; the sweep goes on
            message = record_failure(job_dir, num, overrides, seed, exc)
            sweep.JOB_ERRORS[num] = message
            print(f"negsim: job {num} failed: {message}", file=sys.stderr)
            return None, job_dir


def _plain(node: Any) -> dict[str, Any]:
    if node is None:
        return {}
    if isinstance(node, DictConfig):
        return plain_dict(node)
    return dict(node)


def _subdir(base: Base, num: int, overrides: list[str]) -> str:
    """The job's subdirectory, as Hydra names it (`hydra.sweep.subdir`)."""
    if base.subdir == "${hydra.job.num}":
        return str(num)
    from hydra._internal.config_loader_impl import get_overrides_dirname
    from hydra.core.override_parser.overrides_parser import OverridesParser

    node = base.hydra
    with open_dict(node):
        node.job.num = num
        node.job.id = str(num)
        node.overrides.task = overrides
        dirname = node.job.config.override_dirname
        node.job.override_dirname = get_overrides_dirname(
            overrides=OverridesParser.create().parse_overrides(overrides),
            exclude_keys=list(dirname.exclude_keys),
            item_sep=dirname.item_sep,
            kv_sep=dirname.kv_sep,
        )
    wrapper = OmegaConf.create({"hydra": node})
    HydraConfig.instance().set_config(wrapper)
    return str(OmegaConf.select(wrapper, "hydra.sweep.subdir"))


def _finished(job_dir: Path, overrides: list[str]) -> bool:
    """Whether the job already finished with these overrides and its files are whole (a
    resumed sweep skips it; a truncated results file is run again)."""
    return finished(job_dir, overrides)


def _scenario_source(base: Base) -> str:
    from negsim.cli.run import scenario_source

    return scenario_source(base.scenario_choice)


@contextlib.contextmanager
def _log_to(path: Path) -> Any:
    """Send negsim's log records (a failed job's traceback) to `path` while the sweep runs."""
    handler = _QuietFileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("[%(asctime)s][%(name)s][%(levelname)s] %(message)s"))
    logger = logging.getLogger("negsim")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        with contextlib.suppress(OSError):  # a full disk: the table still gets written
            handler.close()


class _QuietFileHandler(logging.FileHandler):
    """The sweep's log file, which never prints logging's own tracebacks: when the disk is full
    the jobs' failures are rows of the table, and the log line is simply lost."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, or drop it when its file cannot be opened."""
        with contextlib.suppress(OSError):
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """Drop the record."""
