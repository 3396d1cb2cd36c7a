"""Many replications in batches, so memory stays flat however many negotiations a run asks for.

Batch 0 uses the run's seed itself, so a run no larger than one batch gives exactly what
`NegotiationModel(scenario, replications=R, seed=S)` gives; batch b > 0 uses a seed derived from
(S, b). The batch size is therefore part of a run's configuration, and is recorded with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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


def batch_seed(seed: int, batch: int) -> int:
    """The seed of batch `batch` of a run seeded `seed`."""
    if batch == 0:
        return seed
    return int(np.random.SeedSequence([seed, batch]).generate_state(1)[0])


def run_batches(
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
) -> BatchRun:
    """Run `replications` replications in batches of at most `batch_size`."""
    sizes = [batch_size] * (replications // batch_size)
    if replications % batch_size:
        sizes.append(replications % batch_size)
    tables, series = [], []
    first: NegotiationModel | None = None
    offset = 0
    several = len(sizes) > 1
    # A bar over batches when there are several (on a terminal unless `progress` says).
    quiet = True if not several else (None if progress is None else not progress)
    for batch, size in enumerate(tqdm(sizes, desc="batches", unit="batch", disable=quiet)):
        model = NegotiationModel(
            scenario,
            replications=size,
            seed=batch_seed(seed, batch),
            max_rounds=max_rounds,
            first_proposer=first_proposer,
            record=batch == 0,
            protocol=protocol,
            exact_quality=exact_quality,
            accept_best_after=accept_best_after,
        )
        model.run(progress=progress if not several else False)
        results = model.results()
        results["replication"] += offset
        offset += size
        tables.append(results)
        series.append(model.series().reset_index().assign(batch=batch))
        if first is None:
            first = model
        else:
            model.release()  # free its arrays now: memory stays flat over many batches
    assert first is not None
    return BatchRun(
        results=pd.concat(tables, ignore_index=True),
        series=pd.concat(series, ignore_index=True),
        first=first,
    )
