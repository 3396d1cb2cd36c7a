"""One job: a run of one scenario with its settings, and the files it leaves in its directory.

A single `negsim` run is one job; a sweep is one job per point. Every launcher builds a `Job`
from the job's plain config (`job_from_config`) and ends it the same way (`finish_job`): the
summary (agreement probability, outcome shares, ..., the resolved config, seed, version and
commit) in `summary.json`, the results in `results.parquet` when asked, and a failed job as a
`summary.json` with `status: failed` and its one-line error. Nothing here imports Hydra.

A single run also ranks the numbers drawn per replication by how much they explain agreement
(`what_moved_the_odds`, `negsim.analysis.drivers`), from its first `DRIVER_ROWS` replications
whatever the batching. A sweep's jobs skip it: their question is across points, and each job
would pay about 0.05 s (0.5 s at 5,000 replications) for a ranking nobody reads.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.engine.transcript import TRANSCRIPT_LIMIT
from negsim.errors import NegsimError
from negsim.files import OutputError, atomic_write, write_json, write_parquet
from negsim.model import NegotiationModel, Outcome
from negsim.protocols import Protocol
from negsim.protocols.seating import stated_seating
from negsim.results.accumulator import SummaryAccumulator
from negsim.results.sink import ResultSink
from negsim.results.summary import format_report, provenance
from negsim.runs.batch import iter_batches
from negsim.runs.settings import RunSettings, protocol_from_config
from negsim.scenario import Scenario, parse_scenario

log = logging.getLogger(__name__)

DRIVER_ROWS = 5_000
"""Replications a single run ranks its drawn numbers on (the first ones): enough to tell a
number explaining 1% of agreement's variance from noise, at a bounded cost."""


@dataclass
class Job:
    """A checked job, ready to run.

    Attributes:
        out_dir: where its files go.
        config: its resolved config (kept in `summary.json`).
        settings: its checked settings.
        scenario: its validated scenario.
        protocol: its protocol.
        num: its number in a sweep (None for a single run).
        overrides: its overrides in a sweep.
        stated: the stated-numbers analysis, when computed ahead for a group of jobs.
    """

    out_dir: Path
    config: dict[str, Any]
    settings: RunSettings
    scenario: Scenario
    protocol: Protocol
    num: int | None = None
    overrides: list[str] = field(default_factory=list)
    stated: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its protocol object (which may hold per-model state): rebuilt."""
        return {k: v for k, v in self.__dict__.items() if k != "protocol"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.protocol = protocol_from_config(state["config"].get("protocol"))

    @property
    def fields(self) -> dict[str, Any]:
        """The sweep fields of its summary (none for a single run)."""
        return {} if self.num is None else {"job": self.num, "overrides": list(self.overrides)}


def job_from_config(
    plain: dict[str, Any],
    out_dir: Path,
    source: str,
    num: int | None = None,
    overrides: list[str] | None = None,
    cache: Any = None,
) -> Job:
    """Check a job's plain config (`source` names the scenario's file in errors; `cache`, a
    `NodeCache`, parses the mappings a sweep's jobs share once)."""
    settings = RunSettings.from_config(plain, sweep=num is not None)
    # The job's config is never changed, so the scenario shares it (no copy per job).
    scenario = parse_scenario(plain.get("scenario"), source, copy_data=False, cache=cache)
    protocol = protocol_from_config(plain.get("protocol"))
    opener = settings.first_proposer
    if opener is not None and opener not in scenario.party_names:
        known = ", ".join(scenario.party_names)
        raise NegsimError(f"config: first_proposer: no party {opener!r} (parties: {known})")
    utility_space_parties(plain.get("utility_space"), scenario)  # checked before any run
    return Job(out_dir, plain, settings, scenario, protocol, num, list(overrides or []))


def utility_space_parties(space: Any, scenario: Scenario) -> tuple[str, str] | None:
    """The two parties of the utility-space figure, checked against the scenario's.

    `auto` picks the scenario's two most opposed parties (`most_opposed`); null draws none.
    """
    if space is None:
        return None
    if space == "auto":
        return most_opposed(scenario)
    if not isinstance(space, list | tuple) or len(space) != 2:
        raise NegsimError(
            f"config: utility_space: must name two parties, auto or null, got {space!r}"
        )
    unknown = [str(p) for p in space if str(p) not in scenario.party_names]
    if unknown:
        known = ", ".join(scenario.party_names)
        raise NegsimError(f"config: utility_space: no party {unknown[0]!r} (parties: {known})")
    if str(space[0]) == str(space[1]):
        raise NegsimError(f"config: utility_space: names {space[0]!r} twice: give two parties")
    return str(space[0]), str(space[1])


def most_opposed(scenario: Scenario) -> tuple[str, str]:
    """The two parties whose best outcomes are worth least to each other (the first such pair).

    Each party's best outcome takes its best option on every issue; the pair's score is what
    each one's best outcome is worth to the other, summed. On the flagship: Russia and Ukraine.
    """
    tables = scenario.weights[:, :, None] * scenario.values  # (P, I, K)
    best = np.where(scenario.option_mask, scenario.values, -1.0).argmax(axis=2)  # (P, I)
    issues = np.arange(tables.shape[1])
    worth = np.array(
        [[tables[a, issues, best[b]].sum() for b in range(len(best))] for a in range(len(best))]
    )  # worth[a, b]: b's best outcome to a
    score = worth + worth.T
    pairs = [(a, b) for a in range(len(best)) for b in range(a + 1, len(best))]
    a, b = min(pairs, key=lambda pair: score[pair])
    return scenario.party_names[a], scenario.party_names[b]


def finish_job(job: Job, accumulator: SummaryAccumulator) -> dict[str, Any]:
    """The job's summary from its accumulated results; written to `summary.json`."""
    summary = accumulator.summary()
    sample = accumulator.sample
    if sample is not None:
        from negsim.analysis.drivers import odds_summary

        drawn, agreed = sample.arrays()
        summary["what_moved_the_odds"] = odds_summary(
            drawn, agreed, sample.numbers, job.scenario, seed=job.settings.seed
        )
    summary.update(
        status="ok",
        seed=job.settings.seed,
        max_rounds=job.settings.max_rounds,
        scenario_file=job.scenario.source,
        seating=stated_seating(job.protocol, job.scenario.party_names),
        config=job.config,
        **job.fields,
        **provenance(),
    )
    if job.settings.analysis:
        if job.stated is None:
            from negsim.analysis.stated import stated_analysis

            job.stated = stated_analysis(job.scenario)
        summary["stated_numbers"] = job.stated
    write_json(summary, job.out_dir / "summary.json")
    return summary


def failure(job_dir: Path, num: int, overrides: list[str], seed: Any, error: Exception) -> str:
    """Record a failed job in its `summary.json` (a row of the sweep table); its message."""
    if isinstance(error, NegsimError):
        message = str(error)
    else:
        message = f"{type(error).__name__}: {error}"
        log.error("job %s failed", num, exc_info=error)  # the traceback goes to the log
    summary = {"status": "failed", "error": message, "seed": seed, "job": num}
    summary["overrides"] = overrides
    write_json(summary, job_dir / "summary.json")
    return message


def run_alone(job: Job) -> dict[str, Any]:
    """Run a job in batches of its own: results streamed to Parquet, figures from the first
    batch; returns its summary."""
    job.out_dir.mkdir(parents=True, exist_ok=True)
    if job.num is None:  # a sweep's job folders are its own; a run's folder may be the user's
        check_run_dir(job.out_dir)
    before = {p.name for p in job.out_dir.iterdir()}
    try:
        return _run_alone(job)
    except BaseException:
        # Nothing half-written stays behind: the files this run added go (a full disk, Ctrl-C).
        for path in job.out_dir.iterdir():
            if path.name not in before and path.is_file():
                path.unlink(missing_ok=True)
        raise


RUN_FILES = (
    "summary.json",
    "results.parquet",
    "rounds.parquet",
    "transcript.parquet",
    "transcript.txt",
    "concession.png",
    "deals.png",
    "utility_space.png",
    "drivers.png",
)
"""The files a single run writes into its folder."""


def check_run_dir(out_dir: Path) -> None:
    """Refuse a run folder holding files named as a run's outputs that negsim did not write.

    A folder of negsim's own (its `summary.json` says which negsim wrote it) may be run into
    again; otherwise an existing `results.parquet`, say, is the user's and is never replaced.
    """
    taken = [name for name in RUN_FILES if (out_dir / name).exists()]
    if not taken:
        return
    try:
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        summary = None
    if not (isinstance(summary, dict) and "negsim_version" in summary):
        raise OutputError(
            f"{out_dir / taken[0]}: exists and negsim did not write it; choose another "
            "hydra.run.dir, or move the file"
        )


def _run_alone(job: Job) -> dict[str, Any]:
    s = job.settings
    drawn = DRIVER_ROWS if job.num is None else 0
    accumulator = SummaryAccumulator(job.scenario, top=s.top_deals, drawn=drawn)
    series = []
    first: NegotiationModel | None = None
    sink = ResultSink(job.out_dir / "results.parquet") if s.job_results else None
    with sink if sink is not None else contextlib.nullcontext():
        for batch, model in enumerate(
            iter_batches(
                job.scenario,
                replications=s.replications,
                seed=s.seed,
                max_rounds=s.max_rounds,
                first_proposer=s.first_proposer,
                batch_size=s.batch_size,
                progress=s.progress,
                protocol=job.protocol,
                exact_quality=s.exact_quality,
                accept_best_after=s.accept_best_after,
                transcript=min(s.replications, TRANSCRIPT_LIMIT) if s.transcript else 0,
            )
        ):
            results = model.results()
            accumulator.add(results)
            if sink is not None:
                sink.write(results)
                series.append(model.series().reset_index().assign(batch=batch))
            first = first or model
    assert first is not None
    if series:
        write_parquet(pd.concat(series, ignore_index=True), job.out_dir / "rounds.parquet")
    if first.transcript is not None:
        write_transcript(first, job.out_dir)
    summary = finish_job(job, accumulator)
    if s.figures:
        write_figures(job, first, accumulator, summary.get("what_moved_the_odds"))
    return summary


def write_transcript(model: NegotiationModel, out: Path) -> None:
    """`transcript.parquet` (one row per event) and `transcript.txt` (the same as sentences)."""
    from negsim.engine.transcript import describe, transcript_table

    table = transcript_table(model)
    write_parquet(table, out / "transcript.parquet")
    lines = []
    for replication in sorted(table["replication"].unique()):
        lines += [f"Replication {replication}", *describe(table, model.scenario, replication), ""]
    atomic_write(out / "transcript.txt", lambda path: path.write_text("\n".join(lines)))


def write_figures(
    job: Job,
    model: NegotiationModel,
    accumulator: SummaryAccumulator,
    odds: dict[str, Any] | None = None,
) -> None:
    """The concession, deals and utility-space figures of a job, from its first batch, and
    what moved the odds (`drivers.png`) when the summary ranks the drawn numbers (`odds`)."""
    from negsim.plots import run as plots
    from negsim.plots import space as space_plots
    from negsim.plots.drivers import plot_drivers

    scenario, out = job.scenario, job.out_dir
    space = utility_space_parties(job.config.get("utility_space"), scenario)
    if space is not None:
        agreed = np.flatnonzero(model.status == Outcome.AGREEMENT)
        replication = int(agreed[0]) if agreed.size else 0  # show a negotiation that agreed
        data = space_plots.utility_space(model, space[0], space[1], replication)
        plots.save_figure(space_plots.plot_utility_space(data), out / "utility_space.png")
    table = plots.concession_table_from_model(model)
    plots.save_figure(plots.plot_concession(table, scenario), out / "concession.png")
    deals = accumulator.deal_table()
    plots.save_figure(plots.plot_deals(deals, scenario), out / "deals.png")
    if odds is not None:
        plots.save_figure(plot_drivers(odds, scenario), out / "drivers.png")


def report_line(job: Job, summary: dict[str, Any]) -> str:
    """What a finished job prints: the report for a single run, one line in a sweep."""
    if job.num is None:
        told = ""
        if job.settings.transcript:
            shown = min(job.settings.replications, job.settings.batch_size, TRANSCRIPT_LIMIT)
            told = f"\ntranscript of the first {shown} replications in transcript.txt"
        return f"{format_report(summary, job.scenario)}{told}\nresults in {job.out_dir}"
    low, high = summary["agreement_ci95"]
    return (
        f"job {job.num}: agreement {summary['agreement_probability']:.3f} "
        f"[{low:.3f}, {high:.3f}]  {' '.join(job.overrides)}"
    )
