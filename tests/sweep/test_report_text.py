"""What the sweep report says: the headline, the scenario, the replications, the columns, and
one clear line for a folder that is not a sweep. Sweeps are fabricated job summaries."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from negsim.cli.report import main
from negsim.errors import NegsimError
from negsim.plots.sweep import plot_sweep
from negsim.sweep.headline import crossings, headline
from negsim.sweep.report import check_sweep_dir
from negsim.sweep.table import sweep_table

UA = "scenario.parties.ukraine.reservation"
RU = "scenario.parties.russia.reservation"
PARTIES = {"us": "United States (Trump)", "russia": "Russia (Putin)",
           "ukraine": "Ukraine (Zelenskyy)", "europe": "European powers"}  # fmt: skip
SCENARIO = {
    "name": "talks",
    "label": "Peace talks of the test",
    "description": "Four parties argue about a ceasefire.",
    "parties": {name: {"label": text} for name, text in PARTIES.items()},
}


def fake_sweep(
    root: Path, keys: dict[str, list[float]], p: Callable[..., float], replications: int = 50
) -> Path:
    """A finished sweep as the jobs leave it: multirun.yaml and one summary.json per point."""
    root.mkdir(parents=True, exist_ok=True)
    task = [f"{key}={','.join(map(str, values))}" for key, values in keys.items()]
    multirun = {"hydra": {"overrides": {"task": task}}, "replications": replications,
                "scenario": SCENARIO}  # fmt: skip
    (root / "multirun.yaml").write_text(yaml.safe_dump(multirun), encoding="utf-8")
    for job, combo in enumerate(itertools.product(*keys.values())):
        q = p(*combo)
        summary = {
            "status": "ok",
            "job": job,
            "overrides": [f"{k}={v}" for k, v in zip(keys, combo, strict=True)],
            "replications": replications,
            "agreement_probability": q,
            "agreement_ci95": [max(q - 0.1, 0), min(q + 0.1, 1)],
            "outcome_shares": {
                "agreement": q,
                **{f"walkaway_{n}": 0.0 for n in PARTIES},
                "timeout": 1 - q,
            },
            "mean_rounds": 24.5,
            "mean_utility": {name: 0.5 for name in PARTIES},
            "mean_distance_to_pareto": 0.01,
            "mean_distance_to_nash": 0.2,
            "distance_to_pareto_exact": False,
            "stated_numbers": {"zopa_share": 0.004},
            "config": {"scenario": SCENARIO, "replications": replications, "max_rounds": 30},
        }
        (root / str(job)).mkdir()
        (root / str(job) / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return root


def headline_of(sweep_dir: Path) -> str:
    table, info = sweep_table(sweep_dir)
    return headline(table, info, {"scenario": SCENARIO})


ONE = {0.2: 0.95, 0.3: 0.8, 0.4: 0.6, 0.5: 0.4, 0.6: 0.12}


def test_headline_of_one_key_says_the_range_and_where_it_crosses(tmp_path: Path) -> None:
    sweep = fake_sweep(tmp_path / "s", {UA: list(ONE)}, ONE.get)
    assert headline_of(sweep) == (
        "Agreement probability against Ukraine's reservation value (0.2 to 0.6, 5 values): "
        "from 0.12 to 0.95; it crosses 0.5 between ukraine.reservation 0.4 and 0.5 (falling)."
    )


def test_headline_of_one_key_that_never_crosses(tmp_path: Path) -> None:
    sweep = fake_sweep(tmp_path / "s", {UA: [0.2, 0.4]}, lambda u: 0.7 + u)
    assert headline_of(sweep).endswith("from 0.90 to 1.10; it stays above 0.5.")


def test_headline_of_two_keys_says_along_which_key(tmp_path: Path) -> None:
    ua, ru = [0.2, 0.4, 0.6], [0.4, 0.5, 0.6, 0.7]
    sweep = fake_sweep(tmp_path / "s", {UA: ua, RU: ru}, lambda u, r: 1.45 - 2 * r + 0.5 * u)
    assert headline_of(sweep) == (
        "Agreement probability against Ukraine's reservation value (0.2 to 0.6, 3 values) and "
        "Russia's (0.4 to 0.7, 4 values): from 0.15 to 0.95; it crosses 0.5 along "
        "russia.reservation: between 0.5 and 0.6 at ukraine.reservation 0.2 and 0.4; "
        "between 0.6 and 0.7 at ukraine.reservation 0.6; along ukraine.reservation too: "
        "between 0.4 and 0.6 at russia.reservation 0.6."
    )


def test_headline_of_two_keys_that_do_not_cross(tmp_path: Path) -> None:
    sweep = fake_sweep(tmp_path / "s", {UA: [0.2, 0.4], RU: [0.4, 0.7]}, lambda u, r: 0.3)
    assert headline_of(sweep).endswith("0.30 throughout; it stays below 0.5.")


def test_crossings_skip_missing_points_and_see_both_directions() -> None:
    assert crossings([1, 2, 3, 4], [0.2, float("nan"), 0.7, 0.3]) == [
        (1, 3, "rising"),
        (3, 4, "falling"),
    ]
    assert crossings([1, 2], [0.6, 0.9]) == []
    assert crossings([1, 2, 3], [0.4, 0.5, 0.6]) == [(1, 2, "rising"), (2, 3, "rising")]


def test_report_has_headline_scenario_replications_and_column_definitions(
    tmp_path: Path,
) -> None:
    sweep = fake_sweep(tmp_path / "s", {UA: list(ONE)}, ONE.get, replications=200)
    main([str(sweep)])
    text = (sweep / "report.html").read_text(encoding="utf-8")
    assert "<h1>Sweep report: Peace talks of the test</h1>" in text
    assert "Four parties argue about a ceasefire." in text
    assert "200 replications per point" in text
    assert "it crosses 0.5 between ukraine.reservation 0.4 and 0.5" in text
    assert text.index('class="headline"') < text.index("<h2>")  # the headline comes first
    definitions = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", text))
    for column in ("agreement probability", "95% interval", "walk-away &lt;party&gt;",
                   "mean rounds", "utility &lt;party&gt;", "ZOPA share", "status"):  # fmt: skip
        assert definitions.get(column), column
    assert "ci_low" in definitions["95% interval"]


def _width_em(table_html: str) -> float:
    """A generous estimate of a table's width: per column its longest unbreakable header piece
    or cell, at 0.6em a character, plus padding, all at the table's 0.88em font size."""
    heads = re.findall(r"<th>(.*?)</th>", table_html)
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table_html)]
    widths = []
    for i, head in enumerate(heads):
        pieces = re.split(r"<wbr>| ", head)
        cells = [len(row[i]) for row in rows if len(row) == len(heads)]
        widths.append(max([*map(len, pieces), *cells]))
    return 0.88 * sum(0.6 * w + 1.3 for w in widths)


def test_the_sweep_tables_fit_a_78em_page_with_four_parties(tmp_path: Path) -> None:
    ua, ru = [0.2, 0.4], [0.4, 0.7]
    sweep = fake_sweep(tmp_path / "s", {UA: ua, RU: ru}, lambda u, r: 0.5)
    main([str(sweep)])
    text = (sweep / "report.html").read_text(encoding="utf-8")
    section = text[text.index("<h2>Sweep table</h2>") : text.index("<h3>Columns</h3>")]
    tables = re.findall(r"<table>.*?</table>", section, flags=re.S)
    assert len(tables) == 3  # agreement, outcomes, utilities
    assert "walk-away europe" in tables[1] and "utility europe" in tables[2]
    for table in tables:
        assert _width_em(table) < 76, table[:200]


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0].removeprefix("negsim-report: error: ")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such directory"),
        (lambda p: p.write_text("x"), "not a directory"),
        (lambda p: p.mkdir(), "not a sweep directory: it is empty"),
        (lambda p: (p / ".hydra").mkdir(parents=True) or (p / "summary.json").write_text("{}"),
         "not a sweep directory: a single run's"),
        (lambda p: (p / "notes").mkdir(parents=True), "not a sweep directory (no job directories"),
    ],
    ids=["missing", "file", "empty", "single run", "other folder"],
)  # fmt: skip
def test_a_folder_that_is_not_a_sweep_is_one_line_and_status_2(
    make: Callable[[Path], object], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "thing"
    make(path)
    with pytest.raises(SystemExit) as exit_info:
        main([str(path)])
    assert exit_info.value.code == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"{path}: {message}")
    assert not (tmp_path / "thing" / "report.html").exists() if path.is_dir() else True


def test_check_sweep_dir_accepts_a_sweep_not_yet_run(tmp_path: Path) -> None:
    (tmp_path / "multirun.yaml").write_text("{}")
    check_sweep_dir(tmp_path)  # no error: the jobs may still come


def test_the_reports_figure_is_titled_with_the_scenario_and_replications(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import negsim.sweep.report

    drawn = []

    def plot(*args: object, **kwargs: object) -> object:
        drawn.append(plot_sweep(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(negsim.sweep.report, "plot_sweep", plot)
    sweep = fake_sweep(tmp_path / "s", {UA: list(ONE)}, ONE.get, replications=80)
    main([str(sweep)])
    (fig,) = drawn
    title = fig.axes[0].get_title()
    assert title.startswith("Peace talks of the test\nAgreement probability with 95% Wilson")
    assert "5 jobs, 80 replications per point" in title


def test_a_job_folder_points_to_its_sweep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = fake_sweep(tmp_path / "s", {UA: [0.2, 0.4]}, lambda u: 0.5)
    with pytest.raises(SystemExit) as exit_info:
        main([str(sweep / "1")])
    assert exit_info.value.code == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == f"{sweep / '1'}: not a sweep directory: one job of the sweep {sweep.resolve()}"


def test_a_folder_of_single_runs_is_not_a_sweep(tmp_path: Path) -> None:
    """`runs/` holding `runs/baseline/summary.json` (no job number): nothing is written there."""
    (tmp_path / "baseline").mkdir()
    (tmp_path / "baseline" / "summary.json").write_text('{"status": "ok", "seed": 0}')
    with pytest.raises(NegsimError, match="not a sweep directory"):
        check_sweep_dir(tmp_path)
    (tmp_path / "baseline" / "summary.json").write_text('{"status": "ok", "job": 0}')
    check_sweep_dir(tmp_path)  # a sweep's job
