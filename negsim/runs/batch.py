"""Many replications in batches, so memory stays flat however many negotiations a run asks for.

Every replication draws from its own random stream, fixed by the run's seed and its index
(`negsim.streams`), so the batch size changes memory and speed, never the results: a run of R
replications in batches of any size gives what `NegotiationModel(scenario, R, seed)` gives.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from negsim.analysis.replication_quality import EXACT_LIMIT
from negsim.model import NegotiationModel
from negsim.protocols import Protocol
from negsim.scenario import Scenario


@dataclass
class BatchRun:
    """What a batched run returns.

    Attributes:
        results: one row per replication, numbered across batches.
        series: the per-round DataCollector series of every batch, with a `batch` column.
        first: the first batch's model, whose per-round history feeds the figures.
    """

    results: pd.DataFrame
    series: pd.DataFrame
    first: NegotiationModel


def batch_sizes(replications: int, batch_size: int) -> list[int]:
    """The sizes of the batches of a run: full batches, then the rest."""
    sizes = [batch_size] * (replications // batch_size)
    if replications % batch_size:
        sizes.append(replications % batch_size)
    return sizes


def iter_batches(
    scenario: Scenario,
    replications: int,
    seed: int,
    max_rounds: int = 100,
    first_proposer: str | None = None,
    batch_size: int = 10_000,
    progress: bool | None = None,
    protocol: Protocol | str = "alternating",
    exact_quality: int = EXACT_LIMIT,
    accept_best_after: float | None = None,
    transcript: int = 0,
) -> Iterator[NegotiationModel]:
    """Run the replications batch after batch, yielding each batch's model once it has run.

    The first batch's model keeps its per-round history (for figures) and the transcript of
    its first `transcript` replications (`negsim.engine.transcript`); later ones do not. A
    caller takes what it needs from a model (its `results()`, its `series()`) before asking for
    the next; every model but the first is released after it was yielded.
    """
    sizes = batch_sizes(replications, batch_size)
    several = len(sizes) > 1
    # A bar over batches when there are several (on a terminal unless `progress` says).
    quiet = True if not several else (None if progress is None else not progress)
    start = 0
    for batch, size in enumerate(tqdm(sizes, desc="batches", unit="batch", disable=quiet)):
        model = NegotiationModel(
            scenario,
            replications=size,
            seed=seed,
            start=start,
            max_rounds=max_rounds,
            first_proposer=first_proposer,
            record=batch == 0,
            protocol=protocol,
            exact_quality=exact_quality,
            accept_best_after=accept_best_after,
            transcript=min(transcript, size) if batch == 0 else 0,
        )
        model.run(progress=progress if not several else False)
        start += size
        yield model
        if batch > 0:
            release(model)


def release(model: NegotiationModel) -> None:
    """Free a finished model now: its large arrays at once, and the rest of it (a Mesa model
    sits in reference cycles) with a collection, so memory stays flat over many models."""
    model.release()
    del model
    gc.collect()


def run_batches(scenario: Scenario, replications: int, seed: int, **settings: Any) -> BatchRun:
    """Run `replications` replications in batches, keeping every row (`iter_batches`, which
    takes the same `settings`, streams them instead)."""
    tables, series = [], []
    first: NegotiationModel | None = None
    for batch, model in enumerate(iter_batches(scenario, replications, seed, **settings)):
        tables.append(model.results())
        series.append(model.series().reset_index().assign(batch=batch))
        first = first or model
    assert first is not None
    return BatchRun(
        results=pd.concat(tables, ignore_index=True),
        series=pd.concat(series, ignore_index=True),
        first=first,
    )
