"""The installed `negsim` command: its output files, reproducibility and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NEGSIM = Path(sys.executable).parent / "negsim"
SMALL = ["replications=20", "max_rounds=30", "figures=false"]
SUMMARY_KEYS = {
    "seed",
    "config",
    "negsim_version",
    "git_commit",
    "agreement_probability",
    "agreement_ci95",
    "outcome_shares",
    "top_deals",
}
RESULT_COLUMNS = {"outcome", "walked_away", "round", "deal_crimea", "utility_us", "cleared_us"}


def run_negsim(run_dir: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    """Run `negsim` from the project root into `run_dir` with small settings and `overrides`."""
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.run(
        [str(NEGSIM), f"hydra.run.dir={run_dir}", *SMALL, *overrides],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, (
        f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def seeded_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run directory of one small run with seed 3."""
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    _ok(run_negsim(run_dir, "seed=3"))
    return run_dir


def _summary(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))


def test_command_is_installed() -> None:
    assert NEGSIM.is_file(), f"{NEGSIM} missing: install the project with `pip install -e .`"


@pytest.mark.slow
def test_run_writes_results_series_and_summary(seeded_run: Path) -> None:
    for name in ("results.parquet", "rounds.parquet", "summary.json"):
        assert (seeded_run / name).is_file(), name
    assert not (seeded_run / "concession.png").exists()  # figures=false

    summary = _summary(seeded_run)
    assert set(summary) >= SUMMARY_KEYS, SUMMARY_KEYS - set(summary)
    assert summary["seed"] == 3
    assert summary["config"]["seed"] == 3
    assert summary["config"]["replications"] == 20
    assert 0.0 <= summary["agreement_probability"] <= 1.0
    low, high = summary["agreement_ci95"]
    assert 0.0 <= low <= summary["agreement_probability"] <= high <= 1.0
    assert sum(summary["outcome_shares"].values()) == pytest.approx(1.0)

    results = pd.read_parquet(seeded_run / "results.parquet")
    assert len(results) == 20
    assert set(results.columns) >= RESULT_COLUMNS, RESULT_COLUMNS - set(results.columns)
    assert not pd.read_parquet(seeded_run / "rounds.parquet").empty


@pytest.mark.slow
def test_same_seed_gives_the_same_results(seeded_run: Path, tmp_path: Path) -> None:
    again = tmp_path / "run"
    _ok(run_negsim(again, "seed=3"))
    pd.testing.assert_frame_equal(
        pd.read_parquet(seeded_run / "results.parquet"),
        pd.read_parquet(again / "results.parquet"),
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(seeded_run / "rounds.parquet"),
        pd.read_parquet(again / "rounds.parquet"),
    )


@pytest.mark.slow
def test_overrides_land_in_the_summary_config(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    _ok(run_negsim(run_dir, "scenario.parties.ukraine.reservation=0.4", "seed=7"))
    summary = _summary(run_dir)
    assert summary["seed"] == 7
    assert summary["config"]["seed"] == 7
    assert summary["config"]["scenario"]["parties"]["ukraine"]["reservation"] == 0.4
    results = pd.read_parquet(run_dir / "results.parquet")
    assert results["reservation_ukraine"].mean() == pytest.approx(0.4, abs=0.04)


@pytest.mark.parametrize(
    ("override", "stated"),
    [
        (None, "drawn per replication"),
        ("protocol.seating=written", ["us", "russia", "ukraine", "europe"]),
        ("protocol.seating=[europe,us,ukraine,russia]", ["europe", "us", "ukraine", "russia"]),
    ],
)
def test_the_summary_states_the_seating(tmp_path: Path, override: str | None, stated: Any) -> None:
    run_dir = tmp_path / "run"
    _ok(run_negsim(run_dir, *([override] if override else [])))
    assert _summary(run_dir)["seating"] == stated


@pytest.mark.slow
@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("scenario.parties.ukraine.reservation=1.4", "parties.ukraine.reservation"),
        ("replications=0", "replications"),
        ("scenario.parties.russia.strategy.exponent=3", "parties.russia.strategy.exponent"),
        ("+scenario.parties.us.strategy.speed=2", "parties.us.strategy.speed"),
        ("first_proposer=nobody", "first_proposer"),
    ],
)
def test_bad_input_is_one_error_line(tmp_path: Path, override: str, key: str) -> None:
    proc = run_negsim(tmp_path / "run", override)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, f"exit {proc.returncode}\n{output}"
    assert "Traceback" not in output
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("negsim: error: "), line
    assert line.removeprefix("negsim: error: ").strip()
    assert f"{key}: " in line, line
    assert not (tmp_path / "run" / "results.parquet").exists()


@pytest.mark.slow
def test_a_scenario_of_10_to_the_30_outcomes_runs_with_the_default_analysis(
    tmp_path: Path,
) -> None:
    from tests.builders import random_scenario_data

    data = random_scenario_data(3, n_parties=2, n_issues=30, min_options=10, max_options=10)
    scenario = tmp_path / "huge.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))
    run_dir = tmp_path / "run"
    _ok(run_negsim(run_dir, f"scenario_path={scenario}"))
    assert _summary(run_dir)["stated_numbers"]["outcomes"] == str(10**30)


def test_a_run_folder_holding_the_users_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    run_dir = tmp_path / "mine"
    run_dir.mkdir()
    (run_dir / "results.parquet").write_text("my own table\n")
    proc = run_negsim(run_dir)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        f"negsim: error: {run_dir / 'results.parquet'}: exists and negsim did not write it; "
        "choose another hydra.run.dir, or move the file"
    )
    assert (run_dir / "results.parquet").read_text() == "my own table\n"
    assert not (run_dir / "summary.json").exists()


def test_a_run_folder_of_negsims_own_may_be_run_into_again(seeded_run: Path) -> None:
    _ok(run_negsim(seeded_run, "seed=3"))
    assert _summary(seeded_run)["seed"] == 3
