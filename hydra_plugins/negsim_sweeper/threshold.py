"""`hydra/sweeper=threshold`: the value of a number at which the odds of a deal cross a level.

    negsim -m hydra/sweeper=threshold \\
        'hydra.sweeper.params.scenario.parties.ukraine.reservation=interval(0.2,0.8)' \\
        replications=200

One number with an interval: the sweeper runs a few points spread over it, fits the local
logistic curve of their counts (`negsim.analysis.threshold`), and runs each next stage of points
across the threshold's 95% interval, until the interval's half-width is within `tolerance` or
the `budget` is spent. A second number (`interval` or `choice`) traces the level curve: the
first number's threshold at `curve` values of the second, each searched on its own.

Every point runs with its own seed, drawn from the sweep's seed and the job's number: the fit
treats the points' counts as independent binomials, which points sharing their replications
(common random numbers) are not, and their interval would be too narrow by about the square
root of the number of points near the crossing. The same command gives the same points, so it
resumes a sweep: finished jobs are skipped and the search takes the same course. The sweep's
record lists the first stage; the sweep table lists every point that ran.

Writes `threshold.json` and `threshold.png` at the sweep root and says what they show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hydra_plugins.negsim_sweeper.design import DesignSweeper
from hydra_plugins.negsim_sweeper.negsim_sweeper import _interrupted
from negsim.analysis.sensitivity import Factor
from negsim.analysis.threshold import MIN_REPLICATIONS, Search, ThresholdError
from negsim.errors import NegsimError
from negsim.plots.sweep import short_key
from negsim.sweep import lock as sweep_lock
from negsim.sweep import table as sweep_table

SEED = "seed"
FILES = ("threshold.json", "threshold.png")


class ThresholdSweeper(DesignSweeper):
    """An adaptive search for where an output crosses a level, along one number or two.

    Args:
        level: the level to cross (0.5: a deal as likely as not).
        tolerance: stop when the threshold's 95% interval is at most this far either side.
        budget: negotiations (replications summed over points) each threshold may spend.
        max_points: points each threshold may run.
        points: points a stage (the first, spread over the interval, and each next one).
        curve: values of the second number at which to find the threshold (an interval's;
            a choice gives its own values).
        window: the fit takes the points within this many interval half-widths of the estimate.
    """

    def __init__(
        self,
        level: float = 0.5,
        tolerance: float = 0.01,
        budget: int = 50_000,
        max_points: int = 100,
        points: int = 5,
        curve: int = 5,
        window: float = 4.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _check("level", level, 0.0, 1.0, "strictly between 0 and 1")
        _check("tolerance", tolerance, 0.0, None, "positive")
        _check("window", window, 0.0, None, "positive")
        for key, value, least in (
            ("points", points, 3),
            ("curve", curve, 2),
            ("max_points", max_points, 3),
            ("budget", budget, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise NegsimError(
                    f"hydra.sweeper.{key}: must be a whole number of at least "
                    f"{least}, got {value!r}"
                )
        self.level, self.tolerance, self.window = float(level), float(tolerance), float(window)
        self.budget, self.max_points, self.points, self.curve = budget, max_points, points, curve
        self.searches: list[Search] = []
        self.at: list[Any] = []  # the second number's value of each search (none: [None])
        self.jobs: list[tuple[int, int, int]] = []  # (search, job, seed) of every point run
        self._pending: list[tuple[int, float]] = []

    def design_rows(self, factors: list[Factor]) -> list[list[Any]]:
        """The first stage of every search: its number's value, the second's, the seed."""
        assert self.config is not None
        if not 1 <= len(factors) <= 2:
            keys = ", ".join(f.key for f in factors) or "none"
            raise NegsimError(
                "hydra.sweeper.params: give one number (its threshold) or two (the first's "
                f"threshold along the second), as interval(a,b); got {len(factors)}: {keys}"
            )
        first = factors[0]
        if first.kind == "choice":
            raise NegsimError(
                f"hydra.sweeper.params.{first.key}: the threshold's number needs "
                "interval(a,b), not a choice"
            )
        replications = self.config.get("replications")
        if not isinstance(replications, int) or isinstance(replications, bool):
            raise NegsimError(f"replications: must be a whole number, got {replications!r}")
        if replications < MIN_REPLICATIONS:
            raise NegsimError(
                f"replications: {replications} a point are too few to locate a threshold (at "
                f"least {MIN_REPLICATIONS}; a few hundred make the search cheaper)"
            )
        if self.points * replications > self.budget:
            raise NegsimError(
                f"hydra.sweeper.budget: {self.budget:,} negotiations do not cover the first "
                f"stage ({self.points} points of {replications:,} replications)"
            )
        self.at = _curve_values(factors[1], self.curve) if len(factors) == 2 else [None]
        label = short_key(first.key)
        for value in self.at:
            name = label if value is None else f"{label} (at {short_key(factors[1].key)}={value})"
            self.searches.append(
                Search(
                    first.low,
                    first.high,
                    self.level,
                    self.tolerance,
                    self.points,
                    replications,
                    self.budget,
                    self.max_points,
                    first.kind == "int",
                    name,
                    _words(self.output),
                    self.window,
                    may_miss=len(self.at) > 1,  # a level curve goes on past a value it misses
                )
            )
        self.fixed = [line for line in self.fixed if line.split("=", 1)[0] != SEED]
        factors.append(Factor(SEED, 0.0, 2.0**32, "int"))
        self._pending = [(i, x) for i, s in enumerate(self.searches) for x in s.first()]
        return self._rows(self._pending, 0)

    def _rows(self, pending: list[tuple[int, float]], first_job: int) -> list[list[Any]]:
        rows = []
        whole = self.factors[0].kind == "int"
        for job, (line, x) in enumerate(pending, first_job):
            value: Any = round(x) if whole else float(f"{x:.6g}")
            pending[job - first_job] = (line, float(value))
            seed = _point_seed(self._seed(), job)
            second = [] if self.at[line] is None else [self.at[line]]
            rows.append([value, *second, seed])
            self.jobs.append((line, job, seed))
        return rows

    def sweep(self, arguments: list[str]) -> Any:
        """Run the first stage (with the sweep's lock and record), then stage after stage until
        every search stops; write and describe the threshold(s)."""
        assert self.config is not None
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        returns = super().sweep(arguments)
        try:
            summaries = self.read_summaries([ret for batch in returns for ret in batch])
            done = 0
            while self._pending:
                self._add(self._pending, summaries)
                done += len(self._pending)
                self._pending = [(i, x) for i, s in enumerate(self.searches) for x in s.step()]
                if self._pending:
                    lines = [self.job_lines(row) for row in self._rows(self._pending, done)]
                    summaries = self.run_summaries(lines, done)
        except KeyboardInterrupt:
            _interrupted(sweep_dir)
        except ThresholdError as exc:
            _stop(sweep_dir)
            raise NegsimError(f"hydra.sweeper: {exc}") from None
        if all(search.fit is None for search in self.searches):  # a level curve missing throughout
            _stop(sweep_dir)
            raise NegsimError(f"hydra.sweeper: {self.searches[0].note}")
        words = write_threshold(sweep_dir, self._report())
        print(" ".join(words))
        print(f"threshold: {sweep_dir / FILES[0]}, {sweep_dir / FILES[1]}")
        return returns

    def _add(self, pending: list[tuple[int, float]], summaries: list[dict[str, Any]]) -> None:
        """Each point's count into its search."""
        values = self.outputs(summaries, len(self.jobs) - len(pending))
        for (line, x), summary, value in zip(pending, summaries, values, strict=True):
            n = int(summary.get("replications") or 0)
            if not 0.0 <= value <= 1.0:
                raise NegsimError(
                    f"hydra.sweeper.output: {self.output!r} is {value:g}, not a share of the "
                    "replications (try agreement_probability or a share_ column)"
                )
            k = summary.get("agreements") if self.output == "agreement_probability" else None
            self.searches[line].add(x, int(k) if isinstance(k, int) else round(value * n), n)

    def _report(self) -> dict[str, Any]:
        """What `threshold.json` holds."""
        assert self.config is not None
        first = self.factors[0]
        second = self.factors[1] if len(self.at) > 1 or self.at[0] is not None else None
        results = []
        for line, search in enumerate(self.searches):
            jobs = [(job, seed) for i, job, seed in self.jobs if i == line][: len(search.x)]
            window = search.fit.window if search.fit is not None else (np.nan, np.nan)
            points = [
                {
                    "job": job,
                    "seed": seed,
                    "value": x,
                    "events": k,
                    "replications": n,
                    "share": k / n,
                    "in_fit": bool(window[0] <= x <= window[1]),
                }
                for (job, seed), x, k, n in zip(jobs, search.x, search.k, search.n, strict=True)
            ]
            result = {"at": None if second is None else {second.key: self.at[line]}}
            results.append({**result, **search.result(), "points": points})
        return {
            "output": self.output,
            "level": self.level,
            "number": first.key,
            "range": [first.low, first.high],
            "along": None if second is None else second.key,
            "tolerance": self.tolerance,
            "budget": self.budget,
            "max_points": self.max_points,
            "points_per_stage": self.points,
            "replications_per_point": self.config.get("replications"),
            "seed": self._seed(),
            "thresholds": results,
            "negotiations": sum(r["negotiations"] for r in results),
            "points": sum(len(r["points"]) for r in results),
        }


def _point_seed(seed: int, job: int) -> int:
    """Job `job`'s own seed, drawn from the sweep's seed and the job's number."""
    state = np.random.SeedSequence([seed % 2**32, job]).generate_state(1)
    return int(state[0])


def _curve_values(factor: Factor, count: int) -> list[Any]:
    """The second number's values along the level curve."""
    if factor.kind == "choice":
        return list(factor.choices)
    values = np.linspace(factor.low, factor.high, count)
    if factor.kind == "int":
        return list(dict.fromkeys(round(float(v)) for v in values))
    return [float(f"{v:.6g}") for v in values]


def _words(output: str) -> str:
    return "P(agree)" if output == "agreement_probability" else output


def _check(key: str, value: Any, low: float, high: float | None, what: str) -> None:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not (value > low and (high is None or value < high)):
        raise NegsimError(f"hydra.sweeper.{key}: must be {what}, got {value!r}")


def _stop(sweep_dir: Path) -> None:
    """The search cannot go on: write the table of the points that ran, release the lock."""
    try:
        sweep_table.write_sweep(sweep_dir, figures=False, errors=sweep_table.JOB_ERRORS)
    finally:
        sweep_lock.release(sweep_dir)


def _digits(tolerance: float) -> int:
    """Decimals that show a threshold to a tenth of the tolerance."""
    return max(0, -int(np.floor(np.log10(tolerance))) + 1)


def describe(report: dict[str, Any]) -> list[str]:
    """One or two plain sentences: where the output crosses the level, and why the search
    stopped."""
    what, level = _words(report["output"]), report["level"]
    digits = _digits(report["tolerance"])
    number = short_key(report["number"])
    rows = report["thresholds"]
    spent = f"{report['negotiations']:,} negotiations in {report['points']} points"

    def span(row: dict[str, Any]) -> str:
        return (
            f"{row['threshold']:.{digits}f} (95% interval {row['low']:.{digits}f}\u2013"
            f"{row['high']:.{digits}f})"
        )

    if report.get("along") is None:
        lines = [f"{what} crosses {level:g} at {number} = {span(rows[0])}, after {spent}."]
    else:
        along = short_key(str(report["along"]))
        found = [row for row in rows if row["threshold"] is not None]
        parts = [f"{span(row)} at {along} = {row['at'][report['along']]}" for row in found]
        lines = [
            f"{what} crosses {level:g} at {number} = " + "; ".join(parts) + f", after {spent}."
        ]
        for row in rows:
            if row["threshold"] is None:
                at = f"{along} = {row['at'][report['along']]}"
                why = str(row.get("note") or "").split(": ", 1)[-1]
                why = why.removesuffix("; widen the interval")
                lines.append(f"At {at} it never crosses {level:g}: {why}.")
    tolerance = f"\u00b1{report['tolerance']:g}"
    late = [row for row in rows if row["stopped"] == "budget"]
    coarse = [row for row in rows if row["stopped"] == "resolution"]
    if late:
        which = "It" if len(rows) == 1 else f"{len(late)} of the {len(rows)} thresholds"
        lines.append(
            f"{which} stopped at the budget ({report['budget']:,} negotiations or "
            f"{report['max_points']} points a threshold) before the interval was within "
            f"{tolerance}: raise hydra.sweeper.budget for a narrower one."
        )
    elif coarse:
        lines.append(
            f"The level falls between two neighbouring whole values of {number}: the "
            "interval cannot be narrower."
        )
    return lines


def write_threshold(sweep_dir: Path, report: dict[str, Any]) -> list[str]:
    """Write `threshold.json` and `threshold.png` at the sweep root; the sentences of
    `describe` (also in the JSON)."""
    from negsim.files import write_json
    from negsim.plots.run import save_figure
    from negsim.plots.threshold import plot_report

    words = describe(report)
    write_json({**report, "sentences": words}, sweep_dir / FILES[0])
    save_figure(plot_report(report), sweep_dir / FILES[1])
    return words
