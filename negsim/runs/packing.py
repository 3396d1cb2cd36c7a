"""Many sweep points in few models: pack jobs that share a structure into lockstep models.

Jobs whose scenarios share a structure (`negsim.scenario.points.structure_key`), whose protocols
are the same and whose model settings agree (`RunSettings.model_key`) are packed, in job order,
into models of at most `batch_size` replications; a job larger than the room left is split across
models. Each replication keeps its own random stream, so a job packed with others gives the
summary it gives alone, number for number. A job that asks for figures runs alone (its figures
need a model of its own).

Work is handed out in chunks of whole jobs (`make_chunks`): a chunk is what one worker process,
one Slurm array task or one Ray task runs (`run_chunk`), writing its jobs' directories itself.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from negsim.errors import NegsimError
from negsim.model import NegotiationModel
from negsim.results.accumulator import SummaryAccumulator
from negsim.results.sink import ResultSink
from negsim.runs.batch import release
from negsim.runs.jobs import Job, failure, finish_job, run_alone
from negsim.scenario.points import Point, structure_key


@dataclass(frozen=True)
class Done:
    """How a job of a chunk ended: `ok` or `failed` with its error."""

    num: int
    status: str
    error: str | None = None


def model_key(job: Job) -> tuple[Any, ...]:
    """What jobs sharing one model must agree on."""
    return (
        structure_key(job.scenario),
        repr(job.protocol),
        job.settings.model_key(),
        job.settings.figures or job.settings.transcript,  # such a job runs alone
    )


def attach_stated(jobs: Sequence[Job], progress: bool | None = None) -> None:
    """Compute the stated-numbers analysis of every job that asks for it, once per group."""
    from negsim.analysis.stated import stated_analyses

    asking = [job for job in jobs if job.settings.analysis and job.stated is None]
    if asking:
        for job, stated in zip(
            asking, stated_analyses([j.scenario for j in asking], progress), strict=True
        ):
            job.stated = stated


def make_chunks(jobs: Sequence[Job], size: int | None, parallelism: int = 1) -> list[list[Job]]:
    """Jobs in chunks of `size` (None: enough for four chunks per worker), grouped by model."""
    order = _group_order(jobs)
    ordered = sorted(jobs, key=lambda job: order[model_key(job)])
    if not ordered:
        return []
    if size is None:
        size = max(1, math.ceil(len(ordered) / (4 * max(1, parallelism))))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _group_order(jobs: Sequence[Job]) -> dict[tuple[Any, ...], int]:
    order: dict[tuple[Any, ...], int] = {}
    for job in jobs:
        order.setdefault(model_key(job), len(order))
    return order


@dataclass
class _Open:
    """A job whose replications are being run, piece by piece."""

    job: Job
    accumulator: SummaryAccumulator
    sink: ResultSink | None
    left: int


def run_chunk(jobs: Sequence[Job], on_done: Callable[[Done], None] | None = None) -> list[Done]:
    """Run a chunk of jobs, packed into models; write every job's directory; say how each
    ended (a job that fails becomes a failed `summary.json`, the others go on)."""
    report = on_done or (lambda done: None)
    ended: list[Done] = []

    def end(done: Done) -> None:
        ended.append(done)
        report(done)

    groups: dict[tuple[Any, ...], list[Job]] = {}
    for job in jobs:
        groups.setdefault(model_key(job), []).append(job)
    for group in groups.values():
        if group[0].settings.figures or group[0].settings.transcript:
            for job in group:
                end(_alone(job))
        else:
            _run_group(group, end)
    return ended


def record_failure(job_dir: Path, num: int, overrides: list[str], seed: Any, exc: Exception) -> str:
    """Record a failed job (`negsim.runs.jobs.failure`); its one-line message. When even the failed
    `summary.json` cannot be written (a full disk), the message says so and nothing is left;
    the launcher keeps the message for the table (`negsim.sweep.table.JOB_ERRORS`), and a resumed
    sweep runs the job again."""
    try:
        job_dir.mkdir(parents=True, exist_ok=True)
        return failure(job_dir, num, overrides, seed, exc)
    except OSError as error:
        first = str(exc) if isinstance(exc, NegsimError) else f"{type(exc).__name__}: {exc}"
        return f"{first} (and its summary.json was not written: {error.strerror or error})"


def _alone(job: Job) -> Done:
    assert job.num is not None
    try:
        run_alone(job)
    except Exception as exc:  # the job becomes a failed row
        seed = job.settings.seed
        message = record_failure(job.out_dir, job.num, job.overrides, seed, exc)
        return Done(job.num, "failed", message)
    return Done(job.num, "ok")


def _run_group(group: list[Job], end: Callable[[Done], None]) -> None:
    """Fill models of `batch_size` replications with the group's jobs, in order; interrupted
    (Ctrl-C), remove the results files still being written, so no partial file is left."""
    opened: list[_Open] = []
    try:
        _fill_models(group, end, opened)
    except BaseException as exc:
        for state in opened:
            if state.left > 0 and state.sink is not None:
                with contextlib.suppress(Exception):
                    state.sink.__exit__(type(exc), exc, exc.__traceback__)
        raise


def _fill_models(group: list[Job], end: Callable[[Done], None], opened: list[_Open]) -> None:
    capacity = group[0].settings.batch_size
    pieces: list[tuple[_Open, int, int]] = []  # (job, start, count)
    room = capacity
    for job in group:
        state = _open(job, end)
        if state is None:
            continue
        opened.append(state)
        start = 0
        while start < job.settings.replications:
            count = min(room, job.settings.replications - start)
            pieces.append((state, start, count))
            start += count
            room -= count
            if room == 0:
                _run_model(pieces, end)
                pieces, room = [], capacity
    if pieces:
        _run_model(pieces, end)


def _open(job: Job, end: Callable[[Done], None]) -> _Open | None:
    assert job.num is not None
    try:
        job.out_dir.mkdir(parents=True, exist_ok=True)
        sink = ResultSink(job.out_dir / "results.parquet") if job.settings.job_results else None
        if sink is not None:
            sink.__enter__()
    except Exception as exc:
        message = record_failure(job.out_dir, job.num, job.overrides, job.settings.seed, exc)
        end(Done(job.num, "failed", message))
        return None
    accumulator = SummaryAccumulator(job.scenario, top=job.settings.top_deals)
    return _Open(job, accumulator, sink, job.settings.replications)


def _run_model(pieces: list[tuple[_Open, int, int]], end: Callable[[Done], None]) -> None:
    """Run one model holding `pieces`; fold each piece's rows into its job; finish the jobs
    whose last piece this was."""
    live = [(state, start, count) for state, start, count in pieces if state.left > 0]
    if not live:
        return
    first = live[0][0].job
    s = first.settings
    points = [_point(state.job, start, count) for state, start, count in live]
    try:
        model = NegotiationModel.from_points(
            points,
            max_rounds=s.max_rounds,
            record=False,
            protocol=first.protocol,
            exact_quality=s.exact_quality,
            accept_best_after=s.accept_best_after,
        )
        model.run(progress=False)
        results = model.results()
        release(model)
    except Exception as exc:  # every job with a piece here fails; the others go on
        for state, _, _ in live:
            _fail(state, exc, end)
        return
    offset = 0
    for state, _, count in live:
        rows = results.iloc[offset : offset + count].reset_index(drop=True)
        offset += count
        if state.left <= 0:
            continue  # failed in an earlier piece
        try:
            state.accumulator.add(rows)
            if state.sink is not None:
                state.sink.write(rows)
            state.left -= count
            if state.left == 0:
                if state.sink is not None:
                    state.sink.__exit__(None, None, None)
                finish_job(state.job, state.accumulator)
                assert state.job.num is not None
                end(Done(state.job.num, "ok"))
        except Exception as exc:
            _fail(state, exc, end)


def _point(job: Job, start: int, count: int) -> Point:
    return Point(job.scenario, job.settings.seed, count, start, job.settings.first_proposer)


def _fail(state: _Open, exc: Exception, end: Callable[[Done], None]) -> None:
    job = state.job
    assert job.num is not None
    state.left = -1
    if state.sink is not None:
        with contextlib.suppress(Exception):
            state.sink.__exit__(type(exc), exc, exc.__traceback__)
    message = record_failure(job.out_dir, job.num, job.overrides, job.settings.seed, exc)
    end(Done(job.num, "failed", message))
