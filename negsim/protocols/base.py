"""The protocol contract: who proposes when, who must accept, when a replication ends.

A protocol plays one round of every running replication of a `NegotiationModel` through the
model's shared moves (`publish`, `answer`, `conclude`), so that walking away, red-line objections,
the opponent model, risks and the per-round records work the same under every protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from negsim.protocols.table import Table
from negsim.registry import check_parameters


class Protocol:
    """Base of every protocol: a name, a description and validated parameters.

    Subclasses declare `params` (name -> default) and implement `play`.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    params: ClassVar[Mapping[str, Any]] = {}
    model_walk_aways: ClassVar[bool] = True  # False: the protocol runs the walk-away checks itself

    def __init__(self, **values: Any) -> None:
        check_parameters("protocol", self.name, values, self.params)
        self.values = {**self.params, **values}

    def setup(self, model: Table) -> None:
        """Check the protocol against the model's scenario and create its state."""

    def play(self, model: Table, rows: np.ndarray) -> None:
        """Play one round in the running replications `rows`."""
        raise NotImplementedError

    def release(self, model: Table) -> None:
        """Free what this protocol holds for `model` (see `NegotiationModel.release`)."""

    def transcripts(self, model: Table) -> list[Any]:
        """Transcript tables of sub-negotiations (a track's), besides the model's own (none)."""
        return []

    def result_columns(self, model: Table) -> dict[str, Any]:
        """Extra columns of `model.results()`, one value per replication (none by default)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"
