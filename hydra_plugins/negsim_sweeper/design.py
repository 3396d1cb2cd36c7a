"""Sweepers that choose their own points: a search space in Hydra's idiom, run as one sweep.

`hydra.sweeper.params.<key>=interval(a,b)` (reals; `int(interval(a,b))` for whole numbers) or
`choice(x,y,...)` declares a number to vary, as Hydra's Optuna sweeper reads them; a plain value
there, or any `key=value` on the command line, is held fixed for every point, and a comma list
on the command line (`key=a,b`) is a choice too. `hydra.sweeper.around` is the shorthand for many
numbers at once: `around: {reservation: 0.1, deadline: 5, strategy.exponent: 50%}` varies every
party's reservation within 0.1 of its stated value, every party's deadline within 5 rounds of it
(a party without a deadline keeps none) and every party's strategy exponent within half of it.
Ranges are clipped to what the number allows: reservations to [0, 1], deadlines to at least 1
round, any other number stated positive to at least a tenth of its value. A range a strategy
refuses (a conceder's exponent must stay above 1) fails its points with the strategy's message.

A subclass turns the factors into points (`design_rows`); `run_points` launches them through the
configured launcher (the batched launcher packs the points into lockstep models, on any executor)
and reads each point's output from its `summary.json`. The sweep directory is locked and its
record lists every point, as for a grid: the same command resumes it, and the sweep table lists
each point with the values it ran with.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, IntervalSweep, Override
from hydra.core.utils import JobReturn
from omegaconf import DictConfig, OmegaConf

from hydra_plugins.negsim_sweeper.negsim_sweeper import NegsimSweeper
from negsim.analysis.sensitivity import DUMMY, Factor, around_factor
from negsim.cli.plain import plain_dict
from negsim.errors import NegsimError
from negsim.results.job_files import read_summary
from negsim.sweep import lock as sweep_lock

DUMMY_SEEDS = 10**6
"""The dummy's coordinate in [0, 1] picks one of this many seeds after the run's own."""


class DesignSweeper(NegsimSweeper):
    """A sweeper whose points come from a design over factors rather than a grid.

    Args:
        params: the numbers to vary (`interval(...)`, `choice(...)`) or hold (a plain value).
        around: half-widths of the shorthand: field of every party -> how far from its value.
        output: the job summary's number to analyse (`agreement_probability` by default).
    """

    def __init__(
        self,
        params: Any = None,
        around: Any = None,
        output: str = "agreement_probability",
        max_batch_size: int | None = None,
    ) -> None:
        super().__init__(max_batch_size=None, params={})
        self.space = {str(k): str(v) for k, v in _plain(params).items()}
        self.around = _flat(_plain(around))
        self.output = output
        self.factors: list[Factor] = []
        self.fixed: list[str] = []
        self.dummy = False
        self._design: list[list[str]] | None = None

    def _parse_config(self) -> list[str]:
        return [f"{key}={value}" for key, value in self.space.items()]

    def design_rows(self, factors: list[Factor]) -> list[list[Any]]:
        """The points to run: one list of values (one per factor) per point."""
        raise NotImplementedError

    def split_arguments(  # type: ignore[override]
        self, overrides: list[Override], max_batch_size: int | None
    ) -> list[list[list[str]]]:
        """The design's points as one batch of jobs (Hydra calls this to expand a sweep)."""
        if self._design is None:
            self.factors, self.fixed = self._factors(overrides)
            rows = self.design_rows(self.factors)
            self._design = [self.job_lines(row) for row in rows]
        return [self._design]

    def job_lines(self, row: Sequence[Any]) -> list[str]:
        """A point's overrides: the fixed ones, then one per factor."""
        lines = list(self.fixed)
        for factor, value in zip(self.factors, row, strict=True):
            if factor.key == DUMMY:
                lines.append(f"seed={self._seed() + round(float(value) * (DUMMY_SEEDS - 1))}")
            else:
                lines.append(f"{factor.key}={value}")
        return lines

    def run_points(self, points: list[list[str]], first_job: int) -> np.ndarray:
        """Launch `points` as jobs numbered from `first_job`; each one's output, in order."""
        return self.outputs(self.run_summaries(points, first_job), first_job)

    def run_summaries(self, points: list[list[str]], first_job: int) -> list[dict[str, Any]]:
        """Launch `points` as jobs numbered from `first_job`; each one's summary, in order."""
        assert self.launcher is not None
        returns = self.launcher.launch(points, initial_job_idx=first_job)
        return self.read_summaries(returns, first_job)

    def read_outputs(self, returns: Sequence[JobReturn], first_job: int = 0) -> np.ndarray:
        """The output of each job (numbered from `first_job`) from its `summary.json`."""
        return self.outputs(self.read_summaries(returns, first_job), first_job)

    def read_summaries(
        self, returns: Sequence[JobReturn], first_job: int = 0
    ) -> list[dict[str, Any]]:
        """Each job's `summary.json` (numbered from `first_job`); a failed job is an error."""
        summaries = []
        for num, ret in enumerate(returns, first_job):
            summary, problem = read_summary(Path(str(ret.working_dir)))
            if summary is None or summary.get("status") != "ok":
                why = problem or (summary or {}).get("error") or "no summary.json"
                raise NegsimError(f"sweeper: job {num} failed ({why}); every point is needed")
            summaries.append(summary)
        return summaries

    def outputs(self, summaries: Sequence[dict[str, Any]], first_job: int = 0) -> np.ndarray:
        """The output named by `output` in each summary (numbered from `first_job`)."""
        values = []
        for num, summary in enumerate(summaries, first_job):
            value = summary.get(self.output)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise NegsimError(
                    f"hydra.sweeper.output: {self.output!r} is not a number in job {num}'s "
                    "summary.json (try agreement_probability or mean_rounds)"
                )
            values.append(float(value))
        return np.array(values)

    def _record_of(self, config: Any, lines: list[str]) -> dict[str, Any]:
        """The sweep's record: its config, every point, and each varied key's values."""
        assert self.hydra_context is not None and isinstance(config, dict)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        grid = self.split_arguments(parser.parse_overrides(lines), None)[0]
        keys = ["seed" if f.key == DUMMY else f.key for f in self.factors]
        swept = {
            key: ",".join(dict.fromkeys(job[len(self.fixed) + i].split("=", 1)[1] for job in grid))
            for i, key in enumerate(keys)
        }
        config = {key: value for key, value in config.items() if key != "hydra"}
        return sweep_lock.make_record(config, grid, swept)

    def _seed(self) -> int:
        assert self.config is not None
        seed = self.config.get("seed", 0)
        return int(seed) if isinstance(seed, int) else 0

    def _factors(self, overrides: list[Override]) -> tuple[list[Factor], list[str]]:
        factors: list[Factor] = []
        fixed: list[str] = []
        for override in overrides:
            key = override.get_key_element()
            if override.is_sweep_override():
                factors.append(_factor(key, override))
            elif key == DUMMY:
                raise NegsimError(f"hydra.sweeper.params.{DUMMY}: use hydra.sweeper.dummy=true")
            else:
                fixed.append(f"{key}={override.get_value_element_as_str()}")
        given = {f.key for f in factors}
        factors += [f for f in self._around() if f.key not in given]
        if self.dummy:
            factors.append(Factor(DUMMY, 0.0, 1.0))
        return factors, fixed

    def _around(self) -> list[Factor]:
        """The shorthand's factors, from the parties' stated values in the composed config."""
        if all(width is None for width in self.around.values()):
            return []
        assert self.config is not None
        parties = OmegaConf.select(self.config, "scenario.parties")
        if not isinstance(parties, DictConfig):
            raise NegsimError("hydra.sweeper.around: the scenario's parties are not in the config")
        factors = []
        for field, given in self.around.items():
            if given is None:
                continue
            relative, width = _width(field, given)
            for name in map(str, parties):
                value = OmegaConf.select(parties[name], field)
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise NegsimError(
                        f"hydra.sweeper.around.{field}: scenario.parties.{name}.{field} is "
                        f"{value!r}, not a number"
                    )
                half = abs(value) * width if relative else width
                factors.append(around_factor(f"scenario.parties.{name}.{field}", value, half))
        if not factors:
            fields = ", ".join(k for k, v in self.around.items() if v is not None) or "nothing"
            raise NegsimError(f"hydra.sweeper.around: no party states {fields}")
        return factors


def _width(field: str, given: Any) -> tuple[bool, float]:
    """A half-width: a positive number, or a share of the stated value (`25%`)."""
    text = str(given).strip()
    try:
        if isinstance(given, bool):
            raise ValueError
        width = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        width = math.nan
    if not (math.isfinite(width) and width > 0):
        raise NegsimError(
            f"hydra.sweeper.around.{field}: must be a positive half-width (0.1) or a share of "
            f"the stated value (25%), got {given!r}"
        )
    return text.endswith("%"), width


def _factor(key: str, override: Override) -> Factor:
    """A factor from `interval(a,b)`, `int(interval(a,b))`, `choice(...)` or a comma list."""
    value = override.value()
    where = f"hydra.sweeper.params.{key}"
    if isinstance(value, IntervalSweep):
        low, high = float(value.start), float(value.end)  # type: ignore[arg-type]
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise NegsimError(f"{where}: interval({low:g}, {high:g}) is empty")
        whole = isinstance(value.start, int) and isinstance(value.end, int)
        return Factor(key, low, high, "int" if whole else "float")
    if isinstance(value, ChoiceSweep):
        choices = tuple(value.list)
        if len(choices) < 2:
            raise NegsimError(f"{where}: a choice needs at least two values")
        return Factor(key, 0.0, float(len(choices)), "choice", choices)
    raise NegsimError(f"{where}: use interval(a,b) or choice(a,b,...), not {override.input_line}")


def _plain(node: Any) -> dict[str, Any]:
    """A sweeper option as a plain dict: None as empty, a config node unresolved."""
    if node is None:
        return {}
    return plain_dict(node, resolve=False) if isinstance(node, DictConfig) else dict(node)


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{strategy: {exponent: 0.5}}` as `{strategy.exponent: 0.5}`."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
