"""What moved the odds in a run's summary, its report and its figure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from negsim.model import NegotiationModel
from negsim.results.accumulator import SummaryAccumulator
from negsim.results.summary import format_report
from negsim.runs.jobs import job_from_config, report_line, run_alone
from tests.analysis.test_drivers import _known_scenario

CONFIG = {
    "replications": 600,
    "seed": 0,
    "max_rounds": 30,
    "first_proposer": None,
    "progress": False,
    "figures": True,
    "job_results": False,
    "utility_space": None,
    "top_deals": 3,
    "batch_size": 250,  # the sample spans batches
    "analysis": False,
    "accept_best_after": None,
    "exact_quality": 2048,
    "protocol": {"name": "alternating"},
}


def test_the_sample_keeps_the_first_rows_however_the_results_are_cut() -> None:
    scenario = _known_scenario()
    results = NegotiationModel(scenario, replications=90, seed=1).run(progress=False).results()
    whole = SummaryAccumulator(scenario, drawn=50)
    whole.add(results)
    pieces = SummaryAccumulator(scenario, drawn=50)
    for start in range(0, 90, 17):
        pieces.add(results.iloc[start : start + 17].reset_index(drop=True))
    assert whole.sample is not None and pieces.sample is not None
    for a, b in zip(whole.sample.arrays(), pieces.sample.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)
    drawn, agreed = whole.sample.arrays()
    assert drawn.shape == (50, len(whole.sample.numbers))
    np.testing.assert_array_equal(agreed, (results["outcome"] == "agreement").to_numpy()[:50])
    assert SummaryAccumulator(scenario).sample is None


@pytest.mark.slow
def test_a_run_ranks_its_drawn_numbers_in_summary_report_and_figure(tmp_path: Path) -> None:
    scenario = _known_scenario()
    job = job_from_config(dict(CONFIG, scenario=scenario.data), tmp_path / "run", "test")
    summary = run_alone(job)
    odds = json.loads((tmp_path / "run" / "summary.json").read_text())["what_moved_the_odds"]
    assert odds == summary["what_moved_the_odds"]
    assert odds["replications"] == 600 and odds["method"].startswith("RBD-FAST")
    assert odds["top"][0]["number"] == "reservation_p0" and odds["top"][0]["above_noise"]
    assert odds["top"][0]["label"] == "Party 0: reservation value"
    assert {"number", "index", "low", "high"} <= set(odds["top"][0])
    assert odds["noise_floor"] == odds["inert"]["high"]
    assert (tmp_path / "run" / "drivers.png").stat().st_size > 0
    report = report_line(job, summary)
    assert "what moved the odds in these 600 replications" in report
    assert "Party 0: reservation value" in report and "noise floor" in report


@pytest.mark.slow
def test_a_sweeps_job_does_not_rank(tmp_path: Path) -> None:
    plain = dict(CONFIG, scenario=_known_scenario().data, replications=300, batch_size=300)
    summary = run_alone(job_from_config(plain, tmp_path / "0", "test", 0, ["seed=0"]))
    assert "what_moved_the_odds" not in summary


def test_the_report_says_in_one_line_why_there_is_no_ranking() -> None:
    scenario = _known_scenario()
    results = NegotiationModel(scenario, replications=40, seed=1).run(progress=False).results()
    accumulator = SummaryAccumulator(scenario)
    accumulator.add(results)
    summary = accumulator.summary()
    summary["what_moved_the_odds"] = {"replications": 40, "note": "too few replications"}
    report = format_report(summary, scenario)
    assert report.splitlines()[-1] == (
        "what moved the odds in these 40 replications: too few replications"
    )
