"""Scenario discovery: which region of a sweep's inputs holds the points where a condition holds.

`discover` runs PRIM (the EMA Workbench's `Prim`) on a sweep table, one row per job: the inputs
are the swept keys, the output is a condition on a column such as `agreement<0.3`. PRIM peels
the box of all points, a thin slice at a time, keeping the points where the condition holds; each
step of its peeling trajectory trades coverage (the share of all such points inside the box) for
density (the share of the box's points where the condition holds). The whole trajectory is
returned, so another step can be chosen than the default one (`choose_box`).
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from negsim.errors import NegsimError

ALIASES = {"agreement": "agreement_probability"}
"""Short names a condition may use for a column of the sweep table."""

MIN_POINTS = 10
"""Fewest points (finished jobs) PRIM is run on: below this a box says little."""

DENSITY = 0.8
"""The default density a chosen box must reach (`choose_box`)."""

SIGNIFICANCE = 0.05
"""The default box drops a restriction whose quasi-p value is above this (`discover`)."""

_CONDITION = re.compile(
    r"^\s*(?P<column>[A-Za-z_][\w.\-]*)\s*(?P<op><=|>=|<|>)\s*"
    r"(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)
_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


@dataclass(frozen=True)
class Condition:
    """A condition on one column of a sweep table: `agreement_probability < 0.3`.

    Attributes:
        text: the condition as the user wrote it.
        column: the table's column (an alias such as `agreement` resolved).
        op: one of `<`, `<=`, `>`, `>=`.
        threshold: the number compared with.
    """

    text: str
    column: str
    op: str
    threshold: float

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Where the condition holds, as a boolean array over `values`."""
        return np.asarray(_OPS[self.op](np.asarray(values, dtype=float), self.threshold))

    def words(self) -> str:
        """The condition as shown: `agreement < 0.3` (the alias kept where one was used)."""
        name = next((a for a, c in ALIASES.items() if c == self.column), self.column)
        return f"{name} {self.op} {self.threshold:g}"


def parse_condition(text: str) -> Condition:
    """Read `COLUMN OP NUMBER` (OP one of < <= > >=); `agreement` is `agreement_probability`.

    >>> parse_condition("agreement<0.3")
    Condition(text='agreement<0.3', column='agreement_probability', op='<', threshold=0.3)
    >>> parse_condition("mean_rounds >= 30").op
    '>='
    """
    found = _CONDITION.match(text)
    if found is None:
        raise NegsimError(
            f"condition {text!r}: not COLUMN OP NUMBER with OP one of < <= > >= "
            "(for example 'agreement<0.3' or 'mean_rounds>30')"
        )
    column = ALIASES.get(found["column"], found["column"])
    return Condition(text, column, found["op"], float(found["value"]))


@dataclass(frozen=True)
class Limit:
    """A box's limit on one input: numbers `lower..upper` of `low..high`, or kept categories.

    `lower` or `upper` is None where the box does not restrict that side; `categories` (kept)
    and `all_categories` are set for a categorical input, the numbers then None. `quasi_p` is
    the one-sided binomial test of Bryant and Lempert (2010): how likely the box's density would
    be without this restriction; a large one marks a restriction that adds little.
    """

    name: str
    lower: float | None = None
    upper: float | None = None
    low: float | None = None
    high: float | None = None
    categories: tuple[str, ...] | None = None
    all_categories: tuple[str, ...] | None = None
    quasi_p: float | None = None

    def words(self, name: Callable[[str], str] = str) -> str:
        """The limit in plain words: `x >= 0.5`, `0.2 <= x <= 0.4`, `strategy in {a, b}`."""
        shown = name(self.name)
        if self.categories is not None:
            return f"{shown} in {{{', '.join(self.categories)}}}"
        if self.lower is not None and self.upper is not None:
            return f"{self.lower:.3g} <= {shown} <= {self.upper:.3g}"
        if self.lower is not None:
            return f"{shown} >= {self.lower:.3g}"
        return f"{shown} <= {self.upper:.3g}"


@dataclass(frozen=True)
class Step:
    """One box of the peeling trajectory: its coverage, density and size."""

    coverage: float
    density: float
    restricted: int  # how many inputs the box restricts
    points: int  # points inside the box
    of_interest: int  # of them, points where the condition holds


@dataclass(frozen=True)
class Discovery:
    """PRIM's answer for one condition on one sweep table.

    Attributes:
        condition: the condition.
        inputs: the inputs PRIM could restrict (swept keys).
        points: the points (finished jobs with a value of the condition's column).
        of_interest: of them, the points where the condition holds.
        box: the chosen step of `trajectory`.
        rule: how that step was chosen, in words.
        limits: the chosen box's limits on the inputs it restricts.
        ranges: every numeric input's full range, `(low, high)`.
        trajectory: every step of the peeling (and pasting) trajectory.
        notes: what was left out and why, one line each.
    """

    condition: Condition
    inputs: tuple[str, ...]
    points: int
    of_interest: int
    box: int
    rule: str
    limits: tuple[Limit, ...]
    ranges: dict[str, tuple[float, float]]
    trajectory: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    all_limits: tuple[tuple[Limit, ...], ...] = ()

    @property
    def coverage(self) -> float:
        """The chosen box's share of all points where the condition holds."""
        return self.trajectory[self.box].coverage

    @property
    def density(self) -> float:
        """The chosen box's share of its points where the condition holds."""
        return self.trajectory[self.box].density

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (the trajectory's limits per step included)."""
        data = asdict(self)
        data["condition"] = {**asdict(self.condition), "words": self.condition.words()}
        data["coverage"], data["density"] = self.coverage, self.density
        data["ranges"] = {k: list(v) for k, v in self.ranges.items()}
        data["limits"] = [_limit_dict(limit) for limit in self.limits]
        data["trajectory"] = [
            {"step": i, **asdict(step), "limits": [_limit_dict(x) for x in limits]}
            for i, (step, limits) in enumerate(zip(self.trajectory, self.all_limits, strict=True))
        ]
        del data["all_limits"]
        return data


def _limit_dict(limit: Limit) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(limit).items()}


def describe(result: Discovery, name: Callable[[str], str] = str) -> str:
    """The chosen box in one sentence: where the condition holds, density and coverage."""
    cond = result.condition
    if cond.column == "agreement_probability":
        verb = "fail" if cond.op in ("<", "<=") else "succeed"
        what = f"Talks {verb} ({cond.words()})"
    else:
        what = f"The condition {cond.words()} holds"
    where = " and ".join(limit.words(name) for limit in result.limits)
    region = f"the points where {where}" if where else "all points (no restriction)"
    return (
        f"{what} in {result.density:.0%} of {region} (density); this box holds "
        f"{result.coverage:.0%} of all such points (coverage)."
    )


def choose_box(trajectory: Sequence[Step], density: float = DENSITY) -> tuple[int, str]:
    """The default step: the most coverage among boxes with at least `density` (ties: the
    denser, then the earlier step); if none reaches it, the densest box.

    Coverage first, because a box only as dense as asked should hold as many of the points of
    interest as it can; the densest box alone is often a sliver of a few points.
    """
    dense = [i for i, s in enumerate(trajectory) if s.density >= density - 1e-12]
    if dense:
        best = max(dense, key=lambda i: (trajectory[i].coverage, trajectory[i].density, -i))
        return best, f"the most coverage with density >= {density:g}"
    best = max(
        range(len(trajectory)), key=lambda i: (trajectory[i].density, trajectory[i].coverage, -i)
    )
    return best, f"the densest box (no box reaches density {density:g})"


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(value)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    return str(value)


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def default_inputs(table: pd.DataFrame) -> list[str]:
    """The swept keys of a sweep table: its columns before `job` (the table puts them first)."""
    columns = list(table.columns)
    return columns[: columns.index("job")] if "job" in columns else []


def prepare(
    table: pd.DataFrame, condition: Condition, inputs: Sequence[str], source: str = "table"
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The inputs PRIM reads (numbers as numbers, anything else as categories), where the
    condition holds, and notes on what was left out; a NegsimError if PRIM cannot run."""
    where = f"{source}: condition {condition.text!r}"
    if condition.column not in table:
        skip = {"agreement_probability", "job", "seed", "replications", *inputs}
        known = [c for c in table.columns if c not in skip and _numeric(table[c])]
        shown = ", ".join(["agreement", *known][:10]) + (", ..." if len(known) > 9 else "")
        raise NegsimError(f"{where}: no column {condition.column!r} (columns: {shown})")
    values = pd.to_numeric(table[condition.column], errors="coerce")
    if values.isna().all() and table[condition.column].notna().any():
        raise NegsimError(f"{where}: column {condition.column!r} holds no numbers")
    usable = values.notna().to_numpy().copy()
    if "status" in table:
        usable &= (table["status"] == "ok").to_numpy()
    notes = []
    if (~usable).any():
        notes.append(f"{int((~usable).sum())} jobs left out: not finished or no value")
    rows = table[usable].reset_index(drop=True)
    if len(rows) < MIN_POINTS:
        raise NegsimError(
            f"{where}: only {len(rows)} finished points; PRIM needs at least {MIN_POINTS}"
        )
    x = {}
    for key in inputs:
        if key == condition.column or key not in rows:
            continue
        column = rows[key]
        if column.nunique(dropna=False) < 2:
            notes.append(f"{key} left out: one value only")
        elif all(_is_number(v) for v in column):
            x[key] = column.astype("int64" if column.dtype.kind in "iu" else "float64")
        else:
            x[key] = column.map(_text).astype(object)
    frame = pd.DataFrame(x)
    if not any(pd.api.types.is_numeric_dtype(frame[c]) for c in frame):
        raise NegsimError(f"{where}: no numeric swept input varies (swept: {list(inputs)})")
    y = condition.holds(values[usable].to_numpy())
    if not y.any():
        raise NegsimError(f"{where}: no point meets it (of {len(y)} finished points)")
    if y.all():
        raise NegsimError(f"{where}: every point meets it (all {len(y)} finished points)")
    return frame, y, notes


def discover(
    table: pd.DataFrame,
    condition: str | Condition,
    inputs: Sequence[str] | None = None,
    density: float = DENSITY,
    box: int | None = None,
    source: str = "table",
) -> Discovery:
    """Run PRIM for `condition` over the `inputs` (default: the table's swept keys).

    `box` picks a step of the trajectory. By default `choose_box` does, at `density`, and then
    every restriction of that box with a quasi-p value above `SIGNIFICANCE` is dropped (PRIM
    also peels on inputs that do not matter, to shed a few points by chance); the box without
    them is added to the trajectory as its last step, and chosen.
    `source` names the table in error messages (its file or sweep directory).
    """
    try:
        cond = parse_condition(condition) if isinstance(condition, str) else condition
    except NegsimError as exc:
        raise NegsimError(f"{source}: {exc}") from None
    if not 0 < density <= 1:
        raise NegsimError(f"{source}: --density {density:g}: must be in (0, 1]")
    x, y, notes = prepare(table, cond, default_inputs(table) if inputs is None else inputs, source)
    with warnings.catch_warnings():  # the Workbench warns of optional packages it lacks
        warnings.simplefilter("ignore")
        from ema_workbench.analysis.prim import Prim

        found = Prim(x, y.astype(int), peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
        prim_box = found.find_box()
    init = found.box_init
    trajectory, all_limits = _steps(prim_box, init)
    if box is None:
        chosen, rule = choose_box(trajectory, density)
        weak = [x.name for x in all_limits[chosen] if (x.quasi_p or 0) > SIGNIFICANCE]
        if weak:  # the Workbench adds the box without them as a step of the trajectory
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for i, name in enumerate(weak):
                    prim_box.drop_restriction(name, chosen if i == 0 else None)
            trajectory, all_limits = _steps(prim_box, init)
            rule += (
                f", then without the restriction on {', '.join(weak)} "
                f"(step {chosen}; quasi-p above {SIGNIFICANCE:g})"
            )
            chosen = len(trajectory) - 1
    elif not 0 <= box < len(trajectory):
        raise NegsimError(
            f"{source}: --box {box}: the trajectory of {cond.text!r} has steps 0 to "
            f"{len(trajectory) - 1} only"
        )
    else:
        chosen, rule = box, "chosen with --box"
    ranges = {
        c: (_round(init.loc[0, c]), _round(init.loc[1, c]))
        for c in x.columns
        if pd.api.types.is_numeric_dtype(x[c])
    }
    return Discovery(
        cond, tuple(x.columns), len(y), int(y.sum()), chosen, rule, all_limits[chosen], ranges,
        trajectory, tuple(notes), all_limits,
    )  # fmt: skip


def _steps(
    prim_box: Any, init: pd.DataFrame
) -> tuple[tuple[Step, ...], tuple[tuple[Limit, ...], ...]]:
    """The trajectory of a Workbench `PrimBox`, and each step's limits."""
    trajectory = tuple(
        Step(float(r.coverage), float(r.density), int(r.res_dim), int(r.n), int(r.k))
        for r in prim_box.peeling_trajectory.itertuples()
    )
    limits = tuple(
        _limits(lims, init, p) for lims, p in zip(prim_box.box_lims, prim_box.p_values, strict=True)
    )
    return trajectory, limits


def _limits(
    lims: pd.DataFrame, init: pd.DataFrame, p_values: dict[str, list[float]]
) -> tuple[Limit, ...]:
    """The limits of one box (PRIM's 2-row frame of lower and upper limits) it restricts, each
    with its quasi-p value (the smaller of its restricted sides')."""
    out = []
    for c in init.columns:
        low: Any = init.loc[0, c]
        high: Any = init.loc[1, c]
        lower: Any = lims.loc[0, c]
        upper: Any = lims.loc[1, c]
        if isinstance(low, set):
            if set(lower) != low:
                kept, every = tuple(sorted(lower)), tuple(sorted(low))
                out.append(Limit(c, categories=kept, all_categories=every, quasi_p=_p(p_values, c)))
            continue
        lo = _round(lower) if lower != low else None
        hi = _round(upper) if upper != high else None
        if lo is not None or hi is not None:
            out.append(Limit(c, lo, hi, _round(low), _round(high), quasi_p=_p(p_values, c)))
    return tuple(out)


def _round(value: Any) -> float:
    """A limit to 12 significant digits: PRIM's midpoints (0.6499999999999999) read as 0.65."""
    return float(f"{float(value):.12g}")


def _p(p_values: dict[str, list[float]], name: str) -> float | None:
    """An input's quasi-p value: the smaller of its restricted sides' (the Workbench gives -1
    for a side it does not restrict); None if it gives none."""
    found = [float(v) for v in p_values.get(name, []) if v is not None and v >= 0]
    return min(found) if found else None
