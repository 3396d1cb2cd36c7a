"""`hydra/sweeper=threshold` end to end on the flagship: the threshold of Ukraine's reservation
agrees with a fine grid, resumes, does not depend on batching, traces a level curve, and a
mistake is one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

NEGSIM = str(Path(sys.executable).parent / "negsim")
KEY = "scenario.parties.ukraine.reservation"
SEARCH = ["-m", "hydra/sweeper=threshold", f"{KEY}=interval(0.2,0.8)", "replications=200"]


def _negsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEGSIM, *args], capture_output=True, text=True, timeout=600, check=False)


def _search(out: Path, *args: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    done = _negsim(*SEARCH, *args, f"hydra.sweep.dir={out}")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads((out / "threshold.json").read_text(encoding="utf-8")), done


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    out = tmp_path_factory.mktemp("threshold") / "sweep"
    report, done = _search(out)
    return out, report, done.stdout


@pytest.mark.slow
def test_the_sweeper_writes_the_threshold_its_figure_and_a_sentence(
    searched: tuple[Path, dict[str, Any], str],
) -> None:
    out, report, stdout = searched
    found = report["thresholds"][0]
    assert report["level"] == 0.5 and report["number"] == KEY
    assert found["stopped"] == "tolerance" and found["half_width"] <= 0.01
    assert found["low"] <= found["threshold"] <= found["high"]
    assert (out / "threshold.png").stat().st_size > 10_000
    assert "P(agree) crosses 0.5 at ukraine.reservation = " in stdout
    assert f"negotiations in {report['points']} points" in stdout
    points = found["points"]
    assert report["negotiations"] == sum(p["replications"] for p in points)
    assert len({p["seed"] for p in points}) == len(points)  # every point its own seed
    table = pd.read_parquet(out / "summary.parquet")  # every point that ran, in the table
    assert len(table) == len(points) and (table["status"] == "ok").all()
    assert sorted(table[KEY]) == pytest.approx(sorted(p["value"] for p in points))


@pytest.mark.slow
def test_the_threshold_agrees_with_a_fine_grid_within_its_interval(
    searched: tuple[Path, dict[str, Any], str], tmp_path: Path
) -> None:
    # a grid of step 0.005 around the crossing with 4,000 replications a point: its own
    # crossing is sure to about +-0.005 (a quantile of 4,000 replications on a slope of ~2.8)
    _, report, _ = searched
    found = report["thresholds"][0]
    values = np.round(np.arange(0.56, 0.6401, 0.005), 4)
    grid = _negsim(
        "-m",
        f"{KEY}=" + ",".join(f"{v:g}" for v in values),
        "replications=4000",
        f"hydra.sweep.dir={tmp_path / 'grid'}",
    )
    assert grid.returncode == 0, grid.stderr
    table = pd.read_parquet(tmp_path / "grid" / "summary.parquet").sort_values(KEY)
    x, p = table[KEY].to_numpy(float), table["agreement_probability"].to_numpy(float)
    j = int(np.flatnonzero(p < 0.5)[0])
    crossing = x[j - 1] + (p[j - 1] - 0.5) / (p[j - 1] - p[j]) * (x[j] - x[j - 1])
    assert found["low"] <= crossing <= found["high"]
    assert report["negotiations"] < table["replications"].sum() / 5


@pytest.mark.slow
def test_the_same_command_resumes_the_search_and_runs_nothing_again(
    searched: tuple[Path, dict[str, Any], str],
) -> None:
    out, report, _ = searched
    again, done = _search(out)
    assert "already finished" in done.stdout
    assert again["thresholds"] == report["thresholds"]


@pytest.mark.slow
def test_the_threshold_does_not_depend_on_how_the_points_are_batched(
    searched: tuple[Path, dict[str, Any], str], tmp_path: Path
) -> None:
    _, report, _ = searched
    other, _ = _search(
        tmp_path / "other",
        "batch_size=70",
        "hydra.launcher.executor=inline",
        "hydra.launcher.chunk_size=2",
    )
    assert other["thresholds"] == report["thresholds"]


@pytest.mark.slow
def test_two_numbers_trace_the_level_curve(tmp_path: Path) -> None:
    out = tmp_path / "curve"
    done = _negsim(
        "-m",
        "hydra/sweeper=threshold",
        f"{KEY}=interval(0.3,0.9)",
        "scenario.parties.russia.reservation=choice(0.3,0.5)",
        "replications=150",
        "hydra.sweeper.tolerance=0.03",
        f"hydra.sweep.dir={out}",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "threshold.json").read_text(encoding="utf-8"))
    assert report["along"] == "scenario.parties.russia.reservation"
    rows = report["thresholds"]
    assert [row["at"]["scenario.parties.russia.reservation"] for row in rows] == [0.3, 0.5]
    assert all(row["low"] <= row["threshold"] <= row["high"] for row in rows)
    assert (out / "threshold.png").is_file()
    assert "at russia.reservation = 0.3;" in done.stdout


@pytest.mark.slow
def test_a_level_curve_notes_a_value_where_the_level_is_never_crossed(tmp_path: Path) -> None:
    out = tmp_path / "curve"
    done = _negsim(
        "-m",
        "hydra/sweeper=threshold",
        f"{KEY}=interval(0.2,0.95)",
        "scenario.parties.russia.reservation=choice(0.5,0.7)",  # 0.7: below 0.5 throughout
        "replications=100",
        "hydra.sweeper.tolerance=0.03",
        f"hydra.sweep.dir={out}",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "threshold.json").read_text(encoding="utf-8"))
    found, missed = report["thresholds"]
    assert found["low"] <= found["threshold"] <= found["high"]
    assert missed["threshold"] is None and missed["stopped"] == "not crossed"
    assert "never crosses 0.5" in missed["note"]
    assert "At russia.reservation = 0.7 it never crosses 0.5: it stays below it" in done.stdout
    assert (out / "threshold.png").is_file()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([f"{KEY}=interval(0.2,0.4)", "replications=100"], "never crosses 0.5"),
        ([f"{KEY}=choice(0.2,0.4)"], "needs interval(a,b), not a choice"),
        ([f"{KEY}=interval(0.2,0.8)", "hydra.sweeper.level=1.5"], "hydra.sweeper.level: must be"),
        ([f"{KEY}=interval(0.2,0.8)", "replications=5"], "replications: 5 a point are too few"),
        ([f"{KEY}=interval(0.2,0.8)", "hydra.sweeper.budget=100"], "hydra.sweeper.budget:"),
        (["replications=100"], "give one number (its threshold) or two"),
    ],
)
@pytest.mark.slow
def test_a_mistake_is_one_line(args: list[str], words: str, tmp_path: Path) -> None:
    done = _negsim("-m", "hydra/sweeper=threshold", *args, f"hydra.sweep.dir={tmp_path / 's'}")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
