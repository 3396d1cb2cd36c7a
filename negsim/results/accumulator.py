"""Summaries built piece by piece, the same however a results table is split.

A large run produces its results table in pieces (batches, or the slices of a model that several
sweep points share). `SummaryAccumulator` folds each piece into a running summary (and
`negsim.results.sink.ResultSink` appends it to one Parquet file), so the piece can be dropped and
memory stays flat.

The summary is bit-identical whatever the piece boundaries, as long as the pieces arrive in row
order: counts are integers, and every floating sum is taken over aligned chunks of `chunk_rows`
rows (row k of the whole table always lands in chunk k // chunk_rows) by a fixed pairwise tree,
after which the chunk sums are added exactly (`negsim.results.exact_sums`). At most one partial
chunk is buffered.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np
import pandas as pd

from negsim.analysis.drawn import drawn_numbers
from negsim.analysis.intervals import wilson_interval
from negsim.analysis.replication_quality import deal_options, quality_is_exact
from negsim.errors import NegsimError
from negsim.results.exact_sums import ChunkedSums
from negsim.scenario import Scenario

CHUNK_ROWS = 8192
DEAL_COLUMNS = ["issue", "issue_label", "option", "option_label", "count", "share"]  # as plots'
_ALL, _AGREED = "all", "agreed"  # which rows a mean is over
_DISTANCES = ("distance_to_pareto", "distance_to_nash")
_OUTCOMES = ("agreement", "walkaway", "timeout")


def _optional_columns(frame: pd.DataFrame) -> frozenset[str]:
    """The columns a results table may lack: the deal-quality ones."""
    return frozenset(c for c in (*_DISTANCES, "distance_to_pareto_exact") if c in frame)


def _factorize(series: pd.Series) -> tuple[np.ndarray, Any]:
    """`pd.factorize`, straight from the codes when the series is categorical (much faster)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.array.codes, series.array.categories
    return pd.factorize(series)


def _floats(series: pd.Series) -> np.ndarray:
    """A column as float64 with NaN where a value is missing."""
    if isinstance(series.dtype, np.dtype):
        return series.to_numpy(dtype=float)
    return series.to_numpy(dtype=float, na_value=np.nan)


def _coded_from(found: np.ndarray, uniques: Any, codes_of: dict[Any, int]) -> np.ndarray:
    """Codes in `codes_of` of factorized values (`pd.factorize`); -1 for missing or unknown."""
    table = np.array([*(codes_of.get(u, -1) for u in uniques), -1], dtype=np.int32)
    return table[found]  # found == -1 (missing) picks the last entry


def _coded(series: pd.Series, codes_of: dict[Any, int]) -> np.ndarray:
    """Each value's code in `codes_of`, -1 for missing or unknown values."""
    found, uniques = _factorize(series)
    return _coded_from(found, uniques, codes_of)


def _codes(key: bytes) -> list[int]:
    """The option codes of a deal, one per issue, from its key in `SummaryAccumulator._deals`."""
    return np.frombuffer(key, dtype=np.int32).tolist()


class DrawnSample:
    """The drawn numbers and agreement of a run's first `limit` replications, kept for the
    drivers analysis (`negsim.analysis.drivers`): memory is bounded by `limit` rows of the
    numbers that vary, whatever the run's size or batching."""

    def __init__(self, scenario: Scenario, limit: int) -> None:
        self.numbers = drawn_numbers([scenario])
        self.limit = limit
        self.rows = 0
        self._drawn: list[np.ndarray] = []
        self._agreed: list[np.ndarray] = []

    def add(self, frame: pd.DataFrame, agreed: np.ndarray) -> None:
        """Keep the rows of the next piece that fall among the first `limit`."""
        take = min(len(frame), self.limit - self.rows)
        if take <= 0:
            return
        columns = [n.column for n in self.numbers]
        self._drawn.append(frame[columns].iloc[:take].to_numpy(dtype=np.float64))
        self._agreed.append(agreed[:take].copy())
        self.rows += take

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The kept drawn numbers, shape (N, D), and agreement, shape (N,)."""
        if not self._drawn:
            return np.zeros((0, len(self.numbers))), np.zeros(0, dtype=bool)
        return np.concatenate(self._drawn), np.concatenate(self._agreed)


class SummaryAccumulator:
    """The summary of a results table (`results.summary.summarize`), folded in piece by piece.

    Pieces must come in row order; any split gives the same summary, bit for bit, between
    accumulators with the same `chunk_rows` (a power of two). Memory holds one partial chunk,
    integer counts, and one entry per distinct deal. A piece with no rows changes nothing, but
    the first piece that has columns (empty or not) fixes which optional columns the table has.
    With `drawn` > 0 it also keeps the first `drawn` replications' drawn numbers and agreement
    (`sample`, a `DrawnSample`) for the drivers analysis.
    """

    def __init__(
        self, scenario: Scenario, top: int = 5, *, chunk_rows: int = CHUNK_ROWS, drawn: int = 0
    ) -> None:
        if top < 0:
            raise NegsimError(f"top: must be a whole number >= 0, got {top!r}")
        if chunk_rows < 1 or chunk_rows & (chunk_rows - 1):
            raise NegsimError(f"chunk_rows: must be a power of two, got {chunk_rows!r}")
        self.scenario = scenario
        self.top = top
        self.chunk_rows = chunk_rows
        self.rows = 0
        self.agreements = 0
        self._timeouts = 0
        self._walkaways = np.zeros(len(scenario.parties), dtype=np.int64)
        self._party_codes = {name: k for k, name in enumerate(scenario.party_names)}
        self._needed = ["outcome", "walked_away", "round"]
        self._needed += [f"deal_{issue}" for issue in scenario.issue_names]
        self._needed += [f"utility_{party}" for party in scenario.party_names]
        self._options = [list(issue.options) for issue in scenario.issues]  # + unknown options
        self._option_codes = [{o: k for k, o in enumerate(opts)} for opts in self._options]
        self._option_counts = [np.zeros(len(o), dtype=np.int64) for o in self._options]
        self._missing: list[set[str]] = [set() for _ in scenario.issues]
        self._deals: dict[bytes, list[int]] = {}  # option codes -> [count, first row]
        self._optional: frozenset[str] | None = None
        self._series: list[tuple[str, str]] = []  # (column, rows): the means to take
        self._mean_layout: tuple[list[str], np.ndarray, np.ndarray] | None = None
        self._sums: ChunkedSums | None = None
        self._counted = np.zeros(0, dtype=np.int64)  # values that are not NaN, per series
        self._exact_column = True  # every agreement's distances exact, per the results
        self.sample = DrawnSample(scenario, drawn) if drawn > 0 else None

    def _start(self, frame: pd.DataFrame) -> None:
        """Fix the table's layout from its first piece: which optional columns it has."""
        self._optional = _optional_columns(frame)
        series = [("round", _ALL), ("round", _AGREED)]
        for party in self.scenario.party_names:
            series += [(f"utility_{party}", _ALL), (f"utility_{party}", _AGREED)]
        series += [(c, _AGREED) for c in _DISTANCES if c in self._optional]
        self._series = series
        columns = list(dict.fromkeys(column for column, _ in series))
        pick = np.array([columns.index(column) for column, _ in series])
        self._mean_layout = (columns, pick, np.array([w == _AGREED for _, w in series]))
        self._sums = ChunkedSums(len(series), self.chunk_rows)
        self._counted = np.zeros(len(series), dtype=np.int64)

    def add(self, frame: pd.DataFrame) -> None:
        """Fold in the next piece of the results table (rows in order after the last piece)."""
        if self._optional is None:
            if len(frame.columns) == 0:
                return
            self._start(frame)
        if len(frame) == 0:
            return
        missing = [c for c in self._needed if c not in frame]
        if missing:
            raise NegsimError(f"results piece: missing columns {missing}")
        optional = _optional_columns(frame)
        if optional != self._optional:
            raise NegsimError(
                f"results piece: optional columns {sorted(optional)} differ from the first "
                f"piece's {sorted(self._optional or ())}"
            )
        found, uniques = _factorize(frame["outcome"])
        outcome = {name: k for k, name in enumerate(uniques)}
        agreed, walked, timed_out = (found == outcome.get(name, -2) for name in _OUTCOMES)
        who = _coded(frame["walked_away"], self._party_codes)[walked]
        self._walkaways += np.bincount(who[who >= 0], minlength=len(self._walkaways))
        self._timeouts += int(timed_out.sum())
        self._add_means(frame, agreed)
        if "distance_to_pareto_exact" in optional and agreed.any():
            self._exact_column &= bool(frame["distance_to_pareto_exact"][agreed].all())
        self._add_deals(frame, np.flatnonzero(agreed))
        if self.sample is not None:
            self.sample.add(frame, agreed)
        self.rows += len(frame)
        self.agreements += int(agreed.sum())

    def _add_means(self, frame: pd.DataFrame, agreed: np.ndarray) -> None:
        assert self._mean_layout is not None and self._sums is not None
        columns, pick, over_agreed = self._mean_layout  # series k is column pick[k]
        x = np.stack([_floats(frame[column]) for column in columns])[pick]
        keep = ~np.isnan(x)
        keep[over_agreed] &= agreed
        self._counted += keep.sum(axis=1)
        self._sums.add(np.where(keep, x, 0.0))

    def _add_deals(self, frame: pd.DataFrame, rows: np.ndarray) -> None:
        """Count the deals agreed at `rows`, per issue and whole, noting each one's first row."""
        if not len(rows):
            return
        codes = np.empty((len(rows), len(self._options)), dtype=np.int32)
        for i, issue in enumerate(self.scenario.issues):
            code = self._deal_codes(i, frame[f"deal_{issue.name}"], rows)
            codes[:, i] = code
            self._option_counts[i] += np.bincount(code[code >= 0], minlength=len(self._options[i]))
        complete = (codes >= 0).all(axis=1)  # a deal with a missing option is not counted
        codes, rows = codes[complete], rows[complete]
        if not len(rows):
            return
        order = np.lexsort(codes.T[::-1])  # stable: the first of a group is its earliest row
        ranked = codes[order]
        starts = np.flatnonzero(np.r_[True, (ranked[1:] != ranked[:-1]).any(axis=1)])
        keys = np.ascontiguousarray(ranked[starts]).view(f"V{4 * codes.shape[1]}").ravel()
        counts = np.diff(np.r_[starts, len(order)]).tolist()
        firsts = (rows[order[starts]] + self.rows).tolist()
        deals = self._deals
        for key, count, first in zip(keys.tolist(), counts, firsts, strict=True):
            entry = deals.get(key)
            if entry is None:
                deals[key] = [count, first]
            else:
                entry[0] += count

    def _deal_codes(self, issue: int, column: pd.Series, rows: np.ndarray) -> np.ndarray:
        """The option codes of one deal column at `rows` (-1: missing); options not in the
        scenario get codes of their own, and they and missing ones are noted for deal_table."""
        found, uniques = _factorize(column)
        found = found[rows]
        codes_of = self._option_codes[issue]
        for k in np.unique(found).tolist():
            if k < 0:
                self._missing[issue].update(map(str, column.iloc[rows[found < 0]]))
            elif uniques[k] not in codes_of:
                codes_of[uniques[k]] = len(self._options[issue])
                self._options[issue].append(uniques[k])
                self._option_counts[issue] = np.r_[self._option_counts[issue], 0]
        return _coded_from(found, uniques, codes_of)

    def summary(self) -> dict[str, Any]:
        """The summary so far, in the schema of `negsim.results.summary.summarize`."""
        n, n_agreed, names = self.rows, self.agreements, self.scenario.party_names
        low, high = wilson_interval(n_agreed, n)
        shares = {"agreement": n_agreed / n if n else math.nan}
        for name, count in zip(names, self._walkaways.tolist(), strict=True):
            shares[f"walkaway_{name}"] = count / n if n else math.nan
        shares["timeout"] = self._timeouts / n if n else math.nan
        means = self._means()
        optional = self._optional or frozenset()
        exact = None
        if "distance_to_pareto" in optional:
            if "distance_to_pareto_exact" in optional:
                exact = self._exact_column
            else:
                exact = quality_is_exact(deal_options(self.scenario))
        return {
            "scenario": self.scenario.name,
            "replications": n,
            "agreements": n_agreed,
            "agreement_probability": n_agreed / n if n else math.nan,
            "agreement_ci95": [low, high],
            "outcome_shares": shares,
            "mean_rounds_to_agreement": means.get(("round", _AGREED)),
            "mean_rounds": means.get(("round", _ALL)),
            "mean_utility": {p: means.get((f"utility_{p}", _ALL)) for p in names},
            "mean_distance_to_pareto": means.get(("distance_to_pareto", _AGREED)),
            "distance_to_pareto_exact": exact,
            "mean_distance_to_nash": means.get(("distance_to_nash", _AGREED)),
            "distance_to_nash_exact": exact,
            "mean_utility_in_agreements": {p: means.get((f"utility_{p}", _AGREED)) for p in names},
            "top_deals": self._top_deals(),
        }

    def _means(self) -> dict[tuple[str, str], float | None]:
        """Mean of every series, NaN skipped; None over no rows, NaN when every value is NaN."""
        if self._sums is None:
            return {}
        means: dict[tuple[str, str], float | None] = {}
        totals = self._sums.totals()
        for series, total, counted in zip(
            self._series, totals, self._counted.tolist(), strict=True
        ):
            rows = self.rows if series[1] == _ALL else self.agreements
            means[series] = None if not rows else total / counted if counted else math.nan
        return means

    def _top_deals(self) -> list[dict[str, Any]]:
        """The `top` most frequent deals, ties to the deal seen first, as `summarize` lists them."""
        best = heapq.nsmallest(self.top, self._deals.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        issues = self.scenario.issue_names
        return [
            {
                "count": count,
                "share_of_agreements": count / self.agreements,
                "deal": {
                    issue: self._options[i][code]
                    for i, (issue, code) in enumerate(zip(issues, _codes(key), strict=True))
                },
            }
            for key, (count, _) in best
        ]

    def deal_table(self) -> pd.DataFrame:
        """Count and share of each option among agreements, as `plots.run.deal_table` gives."""
        rows = []
        for i, issue in enumerate(self.scenario.issues):
            unknown = sorted(
                set(map(str, self._options[i][len(issue.options) :])) | self._missing[i]
            )
            if unknown:
                raise NegsimError(
                    f"deal_{issue.name}: agreed options not in the scenario: {unknown}"
                )
            counts = self._option_counts[i].tolist()
            for k, (option, label) in enumerate(
                zip(issue.options, issue.option_labels, strict=True)
            ):
                share = counts[k] / self.agreements if self.agreements else 0.0
                rows.append((issue.name, issue.label, option, label, counts[k], share))
        return pd.DataFrame(rows, columns=DEAL_COLUMNS)
