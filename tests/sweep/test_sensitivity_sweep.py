"""`hydra/sweeper=sensitivity` end to end on the flagship: known rankings, files, reproducibility.

Ukraine's reservation over [0.3, 0.99] decides whether there is a deal (above its best share of
the table nobody can satisfy it); the US deadline over [120, 200] cannot matter with
`max_rounds=100` (the rounds parties concede over are capped at `max_rounds`), and with every
point on the same seed its elementary effects are exactly 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hydra_plugins.negsim_sweeper.design import _factor
from negsim.analysis.sensitivity import around_factor
from negsim.errors import NegsimError

NEGSIM = str(Path(sys.executable).parent / "negsim")
DESIGN = [
    "hydra/sweeper=sensitivity",
    "hydra.sweeper.trajectories=6",
    "hydra.sweeper.dummy=true",
    "scenario.parties.ukraine.reservation=interval(0.3,0.99)",
    "scenario.parties.us.deadline=int(interval(120,200))",
    "replications=60",
    "max_rounds=100",
    "analysis=false",
]


def _negsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEGSIM, "-m", *args], capture_output=True, text=True, timeout=600,
                          check=False)  # fmt: skip


@pytest.fixture(scope="module")
def morris(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("sensitivity") / "morris"
    result = _negsim(*DESIGN, f"hydra.sweep.dir={out}")
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.mark.slow
def test_the_deciding_number_ranks_first_and_the_inert_one_last(morris: tuple[Path, str]) -> None:
    out, stdout = morris
    table = pd.read_csv(out / "sensitivity.csv")
    star = table[table["index"] == "mu_star"].set_index("number")
    ukraine, deadline = "scenario.parties.ukraine.reservation", "scenario.parties.us.deadline"
    assert star.index.tolist()[0] == ukraine
    assert star.index.tolist()[-1] == deadline
    assert star.loc[deadline, "value"] == 0.0 and star.loc[deadline, "low"] == 0.0
    assert star.loc[ukraine, "low"] > star.loc["dummy", "high"]  # above the noise floor
    assert "sensitivity (morris, 24 points): The numbers that move the odds" in stdout


@pytest.mark.slow
def test_the_sweep_writes_its_files_and_a_table_of_every_point(morris: tuple[Path, str]) -> None:
    out, _ = morris
    for name in ("sensitivity.json", "sensitivity_tornado.png", "sensitivity_morris.png"):
        assert (out / name).is_file(), name
    meta = json.loads((out / "sensitivity.json").read_text())
    assert meta["method"] == "morris" and meta["points"] == 24
    assert meta["replications_per_point"] == 60
    assert [n["number"] for n in meta["numbers"]][-1] == "dummy"
    sweep = pd.read_csv(out / "summary.csv")
    assert len(sweep) == 24 and (sweep["status"] == "ok").all()
    columns = ["scenario.parties.ukraine.reservation", "scenario.parties.us.deadline", "seed"]
    assert set(columns) <= set(sweep.columns)
    assert sweep["scenario.parties.us.deadline"].between(120, 200).all()


@pytest.mark.slow
def test_the_same_seed_gives_the_same_indices_however_batched(
    morris: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = morris
    again = tmp_path / "again"
    other = ["batch_size=100", "hydra.launcher.chunk_size=5", f"hydra.sweep.dir={again}"]
    result = _negsim(*DESIGN, *other)
    assert result.returncode == 0, result.stderr
    assert (again / "sensitivity.csv").read_bytes() == (out / "sensitivity.csv").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hydra.sweeper.method=fast"], "hydra.sweeper.method: must be one of morris, sobol"),
        (["scenario.parties.ukraine.reservation=interval(0.5,0.5)"], "is empty"),
        (["hydra.sweeper.output=scenario_file"], "hydra.sweeper.output: 'scenario_file'"),
    ],
)
def test_user_mistakes_give_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    base = [a for a in DESIGN if not a.startswith(tuple(x.split("=")[0] + "=" for x in args))]
    result = _negsim(*base, *args, "hydra.sweeper.trajectories=2", f"hydra.sweep.dir={tmp_path}")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert message in lines[-1] and "Traceback" not in result.stderr


def test_around_ranges_are_clipped_to_what_the_number_allows() -> None:
    reservation = around_factor("scenario.parties.us.reservation", 0.95, 0.1)
    assert (reservation.low, reservation.high) == (0.85, 1.0)
    deadline = around_factor("scenario.parties.us.deadline", 3, 5)
    assert (deadline.low, deadline.high, deadline.kind) == (1.0, 8.0, "int")
    exponent = around_factor("scenario.parties.us.strategy.exponent", 2.0, 3.0)
    assert exponent.low == pytest.approx(0.2) and exponent.high == 5.0


def test_a_plain_value_is_not_a_range() -> None:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    override = OverridesParser.create().parse_override("a=0.4")
    with pytest.raises(NegsimError, match="use interval"):
        _factor("a", override)


@pytest.mark.slow
def test_the_report_says_which_numbers_move_the_odds(morris: tuple[Path, str]) -> None:
    out, _ = morris
    result = subprocess.run([str(Path(sys.executable).parent / "negsim-report"), str(out)],
                            capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = (out / "report.html").read_text()
    section = page.split("<h2>Which numbers move the odds</h2>")[1].split("<h2>")[0]
    assert "A Morris design of 24 points, 60 replications a point" in section
    assert "The numbers that move the odds of a deal most, by μ*: ukraine.reservation" in section
    assert section.count("data:image/png;base64,") == 2
