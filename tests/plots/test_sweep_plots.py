"""The sweep figure: the view chosen by the number of swept keys, and its data helpers."""

from __future__ import annotations

import io
import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from negsim.errors import NegsimError
from negsim.plots.sweep import (
    MAX_PANELS,
    TITLE,
    curve,
    grid,
    key_values,
    panel_groups,
    plot_sweep,
    short_key,
)

UA = "scenario.parties.ukraine.reservation"
RU = "scenario.parties.russia.reservation"
US = "scenario.parties.us.deadline"


def sweep(**keys: list[Any]) -> pd.DataFrame:
    """A synthetic sweep table: one ok row per combination, probability from the job number."""
    rows = []
    for job, combo in enumerate(itertools.product(*keys.values())):
        p = (job % 10 + 0.5) / 10
        row = dict(zip(keys, combo, strict=True))
        row.update(job=job, status="ok", agreement_probability=p)
        row.update(ci_low=max(p - 0.1, 0.0), ci_high=min(p + 0.1, 1.0), job_dir=str(job))
        rows.append(row)
    return pd.DataFrame(rows)


def visible_axes(fig: Figure) -> list[Any]:
    """The figure's visible axes, without colourbars."""
    return [ax for ax in fig.axes if ax.get_visible() and not hasattr(ax, "_colorbar")]


def has_colorbar(fig: Figure) -> bool:
    return any(isinstance(getattr(ax, "_colorbar", None), Colorbar) for ax in fig.axes)


def test_short_key_keeps_the_last_two_parts() -> None:
    assert short_key(UA) == "ukraine.reservation"
    assert short_key("max_rounds") == "max_rounds"


def test_key_values_sort_numbers_and_keep_text_in_sweep_order() -> None:
    table = pd.DataFrame({"n": [30, 10, 20, 10], "s": ["zeta", "alpha", "zeta", "mid"]})
    assert key_values(table, "n") == [10, 20, 30]
    assert key_values(table, "s") == ["zeta", "alpha", "mid"]
    mixed = pd.DataFrame({"m": [1, "x", None]}, dtype=object)
    assert key_values(mixed, "m") == ["1", "x", "null"]


def test_grid_pivots_rows_and_columns_in_order_with_nan_for_missing() -> None:
    table = sweep(**{UA: [0.4, 0.2, 0.3], RU: [0.7, 0.5]})
    table = table[~((table[UA] == 0.3) & (table[RU] == 0.5))]  # a failed job
    pivot = grid(table, UA, RU)
    assert list(pivot.index) == [0.2, 0.3, 0.4]
    assert list(pivot.columns) == [0.5, 0.7]
    for _, row in table.iterrows():
        assert pivot.loc[row[UA], row[RU]] == pytest.approx(row["agreement_probability"])
    assert math.isnan(pivot.loc[0.3, 0.5])
    assert pivot.notna().sum().sum() == len(table)
    assert grid(table, UA, RU, "ci_low").loc[0.4, 0.7] == pytest.approx(
        table.loc[(table[UA] == 0.4) & (table[RU] == 0.7), "ci_low"].item()
    )


def test_curve_is_sorted_and_keeps_missing_values_as_nan() -> None:
    table = sweep(**{US: [40, 10, 30, 20]})
    table.loc[table[US] == 30, ["agreement_probability", "ci_low", "ci_high"]] = np.nan
    data = curve(table, US)
    assert list(data[US]) == [10, 20, 30, 40]
    assert math.isnan(data.loc[2, "agreement_probability"])
    assert data.loc[0, "agreement_probability"] == pytest.approx(0.15)  # job 1 has deadline 10


def test_panel_groups_one_per_combination_in_order() -> None:
    table = sweep(**{UA: [0.2, 0.3], "max_rounds": [100, 60], "protocol": ["b", "a"]})
    groups = panel_groups(table, ["max_rounds", "protocol"])
    assert [title for title, _ in groups] == [
        "max_rounds=60, protocol=b",
        "max_rounds=60, protocol=a",
        "max_rounds=100, protocol=b",
        "max_rounds=100, protocol=a",
    ]
    assert all(len(rows) == 2 for _, rows in groups)


def test_no_keys_draws_one_point_with_its_interval() -> None:
    table = sweep()
    fig = plot_sweep(table, [])
    (ax,) = visible_axes(fig)
    assert TITLE in ax.get_title() and "1 job" in ax.get_title()
    (errorbar,) = ax.containers
    point, _, (bars,) = errorbar.lines
    assert point.get_ydata()[0] == pytest.approx(0.05)
    (segment,) = bars.get_segments()
    assert segment[:, 1] == pytest.approx([0.0, 0.15])  # ci_low..ci_high
    assert ax.get_ylim() == (0, 1)


def test_one_numeric_key_draws_a_sorted_line_with_a_band() -> None:
    table = sweep(**{US: [40, 10, 30, 20]})
    fig = plot_sweep(table, [US])
    (ax,) = visible_axes(fig)
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [10, 20, 30, 40]
    assert len(ax.collections) == 1  # the interval band
    assert ax.get_xlabel() == "us.deadline"
    assert "4 jobs" in ax.get_title()
    assert not has_colorbar(fig)


def test_one_text_key_draws_ordered_categories() -> None:
    table = sweep(first_proposer=["us", "russia", "ukraine"])
    ax = visible_axes(plot_sweep(table, ["first_proposer"]))[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["us", "russia", "ukraine"]


def test_two_keys_draw_a_heatmap_with_a_colourbar_and_cell_values() -> None:
    table = sweep(**{UA: [0.2, 0.3, 0.4, 0.5, 0.6], RU: [0.4, 0.5, 0.6, 0.7]})
    fig = plot_sweep(table, [UA, RU])
    (ax,) = visible_axes(fig)
    (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    assert image.get_array().shape == (5, 4)
    assert image.get_clim() == (0, 1)
    assert has_colorbar(fig)
    assert ax.get_ylabel() == "ukraine.reservation" and ax.get_xlabel() == "russia.reservation"
    texts = [t.get_text() for t in ax.texts]
    assert f"{table.loc[0, 'agreement_probability']:.2f}" in texts
    dark = [t for t in ax.texts if t.get_text() == "0.05"]  # a dark cell: white text
    assert dark and dark[0].get_color() == "white"


def test_two_keys_with_a_failed_cell_leave_it_blank() -> None:
    table = sweep(**{UA: [0.2, 0.3, 0.4, 0.5], RU: [0.4, 0.5, 0.6, 0.7]})
    table = table.drop(index=[5, 6])
    table.loc[7, ["agreement_probability", "ci_low", "ci_high"]] = np.nan
    fig = plot_sweep(table, [UA, RU])
    ax = visible_axes(fig)[0]
    image = next(a for a in ax.get_children() if isinstance(a, AxesImage))
    assert int(np.ma.getmaskarray(image.get_array()).sum()) == 3
    assert [t.get_text() for t in ax.texts].count("n/a") == 3
    assert "13 jobs" in ax.get_title()
    fig.savefig(io.BytesIO(), format="png")  # draws without error


def test_two_keys_with_few_values_draw_one_line_per_value() -> None:
    table = sweep(**{"max_rounds": [60, 100], UA: [0.2, 0.3, 0.4, 0.5, 0.6]})
    fig = plot_sweep(table, ["max_rounds", UA])
    (ax,) = visible_axes(fig)
    assert not has_colorbar(fig)
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2
    assert ax.get_xlabel() == "ukraine.reservation"  # the key with more values
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["60", "100"]
    assert legend.get_title().get_text() == "max_rounds"


def test_three_keys_draw_one_panel_per_combination_of_the_rest() -> None:
    table = sweep(**{UA: [0.2, 0.3, 0.4, 0.5], RU: [0.4, 0.5, 0.6, 0.7], "max_rounds": [60, 100]})
    fig = plot_sweep(table, [UA, RU, "max_rounds"])
    axes = visible_axes(fig)
    assert len(axes) == 2
    assert [ax.get_title() for ax in axes] == ["max_rounds=60", "max_rounds=100"]
    assert all(ax.get_ylim() == (0, 1) for ax in axes)
    assert all(len(ax.get_lines()) == 4 for ax in axes)
    assert TITLE in fig.get_suptitle() and "32 jobs" in fig.get_suptitle()
    assert len(fig.legends) == 1 and not has_colorbar(fig)


def test_many_panels_are_capped_with_a_note() -> None:
    table = sweep(**{UA: [0.2, 0.4], RU: [0.5, 0.7], "a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5, 6]})
    fig = plot_sweep(table, [UA, RU, "a", "b"])
    assert len(visible_axes(fig)) == MAX_PANELS
    assert f"first {MAX_PANELS} of 30 panels" in fig.get_suptitle()


def test_three_keys_with_a_missing_combination_keep_colours_consistent() -> None:
    table = sweep(**{UA: [0.2, 0.3, 0.4], RU: [0.4, 0.5], "max_rounds": [60, 100]})
    table = table[~((table[RU] == 0.4) & (table["max_rounds"] == 100))]
    fig = plot_sweep(table, [UA, RU, "max_rounds"])
    first, second = visible_axes(fig)
    assert len(first.get_lines()) == 2 and len(second.get_lines()) == 1
    assert second.get_lines()[0].get_color() == first.get_lines()[1].get_color()


@pytest.mark.parametrize("keys", [[], [US], [UA, RU], [UA, RU, "max_rounds"]])
def test_no_finished_jobs_draw_a_note(keys: list[str]) -> None:
    table = pd.DataFrame(columns=[*keys, "job", "status", "agreement_probability"])
    fig = plot_sweep(table, keys)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "no finished jobs" in texts


def test_given_axes_are_drawn_into_and_three_keys_refuse_one() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    table = sweep(**{US: [10, 20]})
    assert plot_sweep(table, [US], ax=ax) is fig
    assert len(ax.get_lines()) == 1
    with pytest.raises(NegsimError, match="small multiples"):
        plot_sweep(sweep(a=[1], b=[1], c=[1]), ["a", "b", "c"], ax=ax)


def test_a_missing_key_column_is_a_clear_error() -> None:
    with pytest.raises(NegsimError, match="no column for the swept key 'nope'"):
        plot_sweep(sweep(**{US: [10, 20]}), ["nope"])


def test_a_point_with_no_neighbour_keeps_its_interval_as_a_bar() -> None:
    table = sweep(**{US: [10, 20, 30, 40]})
    table.loc[table[US].isin([20, 40]), ["agreement_probability", "ci_low", "ci_high"]] = np.nan
    ax = visible_axes(plot_sweep(table, [US]))[0]
    (errorbar,) = ax.containers  # 10 and 30 stand alone: the band cannot show their interval
    _, _, (bars,) = errorbar.lines
    assert [segment[0, 0] for segment in bars.get_segments()] == [10, 30]


def test_the_title_names_the_scenario_and_the_replications_per_point() -> None:
    table = sweep(**{UA: [0.2, 0.4, 0.6]}).assign(replications=200)
    title = visible_axes(plot_sweep(table, [UA], scenario="Peace talks"))[0].get_title()
    assert title.splitlines()[0] == "Peace talks"
    assert "3 jobs, 200 replications per point" in title
    assert "with 95% Wilson interval" in title
    mixed = table.assign(replications=[10, 100, 1000])
    assert (
        "10 to 1000 replications per point" in visible_axes(plot_sweep(mixed, [UA]))[0].get_title()
    )
    panels = sweep(**{UA: [0.2, 0.4], RU: [0.4, 0.7], US: [10, 20]}).assign(replications=50)
    suptitle = plot_sweep(panels, [UA, RU, US], scenario="Peace talks").get_suptitle()
    assert suptitle.startswith("Peace talks\n") and "50 replications per point" in suptitle


def test_a_heatmap_claims_intervals_only_where_it_draws_them() -> None:
    small = sweep(**{UA: [0.2, 0.3, 0.4, 0.5], RU: [0.4, 0.5, 0.6, 0.7]})
    ax = visible_axes(plot_sweep(small, [UA, RU]))[0]
    assert any(t.get_text().startswith("[") for t in ax.texts)  # intervals in the cells
    assert "with 95% Wilson interval" in ax.get_title()
    large = sweep(**{UA: [i / 10 for i in range(8)], RU: [i / 10 for i in range(8)]})
    ax = visible_axes(plot_sweep(large, [UA, RU]))[0]
    assert not any(t.get_text().startswith("[") for t in ax.texts)  # values only
    assert "with 95%" not in ax.get_title()
    assert "see the sweep table" in ax.get_title()


def test_a_design_of_many_numbers_draws_one_panel_per_number() -> None:
    rng = np.random.default_rng(0)
    keys = [f"scenario.parties.p{i}.reservation" for i in range(14)]
    table = pd.DataFrame(rng.uniform(0, 1, (60, 14)), columns=keys)
    p = rng.uniform(0.1, 0.9, 60)
    table = table.assign(job=range(60), status="ok", agreement_probability=p,
                         ci_low=p - 0.1, ci_high=p + 0.1)  # fmt: skip
    fig = plot_sweep(table, keys)  # small multiples would give each point a panel of its own
    axes = visible_axes(fig)
    assert len(axes) == 14
    assert [ax.get_xlabel() for ax in axes] == [f"p{i}.reservation" for i in range(14)]
