"""The basic sweeper, checking one job's composition per batch instead of every job's.

Hydra's basic sweeper composes every job's config once to check it before launching, and the
launcher composes it again to run it; with a scenario of a few hundred numbers that check costs
about a tenth of a second per job in the launching process, which dominates a grid of hundreds of
small jobs. Every job of a sweep has the same keys, so composing the first one catches what the
check is for (a misspelt key, a missing config) early; the values are checked by each job.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper


class NegsimSweeper(BasicSweeper):
    """`BasicSweeper` with a check of the first job of each batch only."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose the first job's config of `batch`; raise as Hydra does if it fails."""
        super().validate_batch_is_legal(list(batch)[:1])
