"""Where a sweep's chunks run: in this process, in local worker processes, on Slurm, on Ray.

Each engine gets whole chunks of jobs (`negsim.runs.packing.make_chunks`), never single jobs: one
chunk is one local task, one Slurm array task or one Ray task, which packs its jobs into
lockstep models and writes their directories itself. What comes back is only how each job
ended, so the launching process stays small however many jobs a sweep has.

- `inline`: this process, chunk after chunk (the default; one core).
- `local`: joblib's loky worker processes on this machine (`n_jobs`, -1: every core).
- `submitit`: submitit, one array job with a task per chunk: `cluster: slurm` submits to Slurm,
  `cluster: local` runs the same submission path in local processes (how it is tested without a
  cluster); the other keys (`timeout_min`, `slurm_partition`, `slurm_array_parallelism`, ...)
  go to submitit's `update_parameters`.
- `ray`: one Ray task per chunk on the cluster at `address` (null: a local Ray).

On Ctrl-C, submitit's array tasks and Ray's tasks still running are cancelled, so none goes on
writing into a sweep directory that is no longer locked.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from negsim.errors import NegsimError
from negsim.runs.jobs import Job
from negsim.runs.packing import Done, run_chunk

EXECUTORS = ("inline", "local", "submitit", "ray")

OnDone = Callable[[Done], None]


def parallelism(executor: str, options: dict[str, Any]) -> int:
    """How many chunks can run at once (to size the chunks)."""
    if executor == "local":
        n_jobs = int(options.get("n_jobs") or -1)
        return os.cpu_count() or 1 if n_jobs < 0 else n_jobs
    if executor == "submitit":
        return int((options.get("submitit") or {}).get("slurm_array_parallelism") or 16)
    if executor == "ray":
        return int((options.get("ray") or {}).get("parallelism") or os.cpu_count() or 1)
    return 1


def run_chunks(
    chunks: Sequence[list[Job]],
    executor: str,
    options: dict[str, Any],
    on_done: OnDone,
    folder: Path,
) -> None:
    """Run `chunks` on `executor`; `on_done` hears of every job as it ends (or its chunk does).

    Args:
        options: the launcher's settings (`n_jobs`, `submitit`, `ray`).
        folder: where an engine keeps its own files (submitit's logs and pickles).
    """
    if not chunks:
        return
    if executor == "inline":
        for chunk in chunks:
            run_chunk(chunk, on_done)
    elif executor == "local":
        _local(chunks, int(options.get("n_jobs") or -1), on_done)
    elif executor == "submitit":
        _submitit(chunks, dict(options.get("submitit") or {}), on_done, folder)
    elif executor == "ray":
        _ray(chunks, dict(options.get("ray") or {}), on_done)
    else:
        known = ", ".join(EXECUTORS)
        raise NegsimError(f"hydra.launcher.executor: must be one of {known}, got {executor!r}")


def _local(chunks: Sequence[list[Job]], n_jobs: int, on_done: OnDone) -> None:
    from joblib import Parallel, delayed
    from joblib.externals.loky.process_executor import BrokenProcessPool

    parent = os.getpid()
    pending = {job.num for chunk in chunks for job in chunk if job.num is not None}
    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")
    try:
        for ended in parallel(delayed(_watched_chunk)(chunk, parent) for chunk in chunks):
            for done in ended:
                pending.discard(done.num)
                on_done(done)
    except BrokenProcessPool:  # a worker died (killed, out of memory): the rest stand
        for num in sorted(pending):
            on_done(Done(num, "failed", WORKER_DIED))


WORKER_DIED = "its worker process died (killed, or out of memory); the same command runs it again"

WATCH_INTERVAL = 0.2
"""Seconds between a worker's checks that the command that started it is still there."""

_watched: set[int] = set()


def _ray_chunk(chunk: list[Job], driver: int | None) -> list[Done]:
    """`run_chunk` in a Ray worker; on a local cluster, one that ends when the command
    `driver` (not its parent: Ray's raylet is) is gone."""
    if driver is not None and driver not in _watched:
        _watched.add(driver)

        def watch() -> None:
            while True:
                time.sleep(WATCH_INTERVAL)
                try:
                    os.kill(driver, 0)
                except ProcessLookupError:
                    os._exit(1)  # the command is gone, and so is its lock
                except PermissionError:
                    continue

        threading.Thread(target=watch, name="negsim-driver-watch", daemon=True).start()
    return run_chunk(chunk)


def _watched_chunk(chunk: list[Job], parent: int) -> list[Done]:
    """`run_chunk` in a worker process that ends itself when the command `parent` ends.

    A worker outliving a killed command (SIGKILL leaves it no time to stop its workers) would go
    on writing jobs into a sweep folder whose lock died with the command, beside a resume. The
    worker checks its parent every `WATCH_INTERVAL` seconds and, orphaned, exits at once.
    """
    if parent != os.getpid() and parent not in _watched:
        _watched.add(parent)

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(WATCH_INTERVAL)
            os._exit(1)  # orphaned: the command is gone, and so is its lock

        threading.Thread(target=watch, name="negsim-parent-watch", daemon=True).start()
    return run_chunk(chunk)


def _submitit(
    chunks: Sequence[list[Job]], params: dict[str, Any], on_done: OnDone, folder: Path
) -> None:
    try:
        import submitit
    except ImportError:
        raise NegsimError(
            "hydra.launcher.executor: submitit is not installed (pip install -e '.[slurm]')"
        ) from None
    cluster = params.pop("cluster", None)  # None: Slurm where it is installed, else local
    executor = submitit.AutoExecutor(folder=str(folder / "%j"), cluster=cluster)
    executor.update_parameters(**{k: v for k, v in params.items() if v is not None})
    jobs = executor.map_array(run_chunk, list(chunks))
    try:
        for job in submitit.helpers.as_completed(jobs):
            for done in job.result():
                on_done(done)
    except KeyboardInterrupt:  # Ctrl-C: the array's tasks stop too, none writes on unwatched
        for job in jobs:
            with contextlib.suppress(Exception):
                job.cancel(check=False)
        raise


def _ray(chunks: Sequence[list[Job]], params: dict[str, Any], on_done: OnDone) -> None:
    try:
        import ray
    except ImportError:
        raise NegsimError(
            "hydra.launcher.executor: ray is not installed (pip install -e '.[ray]')"
        ) from None
    params.pop("parallelism", None)
    init = dict(params.pop("init", None) or {})
    remote_options = dict(params.pop("remote", None) or {"num_cpus": 1})
    started = False
    if not ray.is_initialized():
        _check_address(init.get("address"))
        ray.init(**{k: v for k, v in init.items() if v is not None})
        started = True
    # Workers of a cluster this command started on this machine end with the command.
    driver = os.getpid() if started and not init.get("address") else None
    try:
        task = ray.remote(_ray_chunk).options(**remote_options)
        waiting = [task.remote(chunk, driver) for chunk in chunks]
        try:
            while waiting:
                ready, waiting = ray.wait(waiting, num_returns=1)
                for done in ray.get(ready[0]):
                    on_done(done)
        except KeyboardInterrupt:  # Ctrl-C: a cluster's tasks stop too
            for ref in waiting:
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=True)
            raise
    finally:
        if started:
            ray.shutdown()


RAY_CONNECT_TIMEOUT = 10.0
"""Seconds a Ray cluster's address has to answer before the sweep gives up with one line."""


def _check_address(address: Any) -> None:
    """One line, not a hang, when nothing answers at a Ray cluster's `host:port` address
    (`auto`, `local` and no address start or find a cluster on this machine)."""
    text = str(address or "").removeprefix("ray://")
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), RAY_CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise NegsimError(
            f"hydra.launcher.ray.init.address: {address}: nothing answers there ({reason}, "
            f"within {RAY_CONNECT_TIMEOUT:g} s)"
        ) from None
