"""Tests of the plot data tables, the figures drawn from them and atomic PNG writing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from negsim.errors import NegsimError
from negsim.model import NegotiationModel
from negsim.plots.run import (
    CONCESSION_COLUMNS,
    DEAL_COLUMNS,
    concession_table,
    concession_table_from_model,
    deal_table,
    plot_concession,
    plot_deals,
    save_figure,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def model() -> NegotiationModel:
    return NegotiationModel("ukraine_2025", replications=50, seed=3, max_rounds=40).run(
        progress=False
    )


@pytest.fixture(scope="module")
def concession(model: NegotiationModel) -> pd.DataFrame:
    return concession_table_from_model(model)


@pytest.fixture(scope="module")
def deals(model: NegotiationModel) -> pd.DataFrame:
    return deal_table(model.results(), model.scenario)


def _visible_axes(fig: Figure) -> int:
    return sum(ax.get_visible() for ax in fig.axes)


def test_concession_table_shape_and_ranges(model: NegotiationModel, concession: pd.DataFrame):
    assert list(concession.columns) == CONCESSION_COLUMNS
    assert len(concession) > 0
    assert set(concession["party"]) == set(model.scenario.party_names)
    assert set(concession["kind"]) == {"target", "received"}
    assert concession["round"].between(1, model.round).all()
    assert (concession["n"] >= 1).all() and (concession["n"] <= model.replications).all()
    assert (concession["low"] <= concession["median"] + 1e-12).all()
    assert (concession["median"] <= concession["high"] + 1e-12).all()
    assert concession[["median", "low", "high"]].notna().all().all()
    assert not concession.duplicated(["round", "party", "kind", "proposer"]).any()
    targets = concession[concession["kind"] == "target"]
    assert targets["proposer"].isna().all()
    received = concession[concession["kind"] == "received"]
    assert set(received["proposer"]) <= set(model.scenario.party_names)
    assert not (received["proposer"] == received["party"]).any()  # nobody receives its own


def test_offers_received_are_split_by_proposer(model: NegotiationModel, concession: pd.DataFrame):
    p = model.scenario.party_names.index("ukraine")
    q = model.scenario.party_names.index("russia")
    for round_ in (1, 5, 12):
        values = model.received_history[round_ - 1, p].astype(float)
        by_russia = values[model.proposer_history[round_ - 1] == q]
        rows = concession.query(
            f"party == 'ukraine' and kind == 'received' and proposer == 'russia' "
            f"and round == {round_}"
        )
        if not np.isfinite(by_russia).any():
            assert rows.empty
            continue
        (row,) = rows.itertuples()
        assert row.n == np.count_nonzero(np.isfinite(by_russia))
        assert row.median == pytest.approx(np.nanmedian(by_russia))


def test_received_by_proposer_on_a_fixed_history():
    received = np.full((4, 2, 2), np.nan)
    received[:, 0] = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]]  # party a receives
    target = np.full_like(received, np.nan)
    proposers = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]])  # b or a mediator proposes
    table = concession_table(target, received, ["a", "b"], proposer_history=proposers, band=(0, 1))
    by_b = table[table["proposer"] == "b"]
    assert list(by_b["round"]) == [1, 2, 3] and list(by_b["n"]) == [2, 1, 1]
    assert list(by_b["median"]) == pytest.approx([0.15, 0.4, 0.5])
    mediator = table[table["proposer"] == "mediator"]
    assert list(mediator["round"]) == [2, 3, 4]
    assert list(mediator["median"]) == pytest.approx([0.3, 0.6, 0.75])
    whole = concession_table(target, received, ["a", "b"])
    assert set(whole["proposer"]) == {"any"} and len(whole) == 4
    with pytest.raises(NegsimError, match="proposer_history"):
        concession_table(target, received, ["a", "b"], proposer_history=proposers[:2])


def test_concession_table_matches_the_history(model: NegotiationModel, concession: pd.DataFrame):
    p = model.scenario.party_names.index("russia")
    values = model.target_history[0, p]
    row = concession.query("party == 'russia' and kind == 'target' and round == 1").iloc[0]
    assert row["n"] == np.count_nonzero(~np.isnan(values))
    assert row["median"] == pytest.approx(np.nanmedian(values.astype(float)))
    assert row["low"] == pytest.approx(np.nanquantile(values.astype(float), 0.1))


def test_concession_table_drops_empty_rounds_and_respects_rounds():
    target = np.full((5, 2, 3), np.nan, dtype=np.float32)
    target[0, 0] = [0.2, 0.4, 0.9]
    target[1, 0] = [0.5, np.nan, np.nan]
    target[3, 1] = [0.1, 0.3, np.nan]
    received = np.full_like(target, np.nan)
    received[2, 1] = [0.6, 0.6, 0.6]
    table = concession_table(target, received, ["a", "b"], band=(0.0, 1.0))
    keys = set(zip(table["round"], table["party"], table["kind"], strict=True))
    assert keys == {
        (1, "a", "target"),
        (2, "a", "target"),
        (4, "b", "target"),
        (3, "b", "received"),
    }
    first = table.iloc[0]
    assert (first["median"], first["low"], first["high"], first["n"]) == pytest.approx(
        (0.4, 0.2, 0.9, 3)
    )
    short = concession_table(target, received, ["a", "b"], rounds=2)
    assert short["round"].max() == 2 and len(short) == 2


def test_concession_table_rejects_bad_input():
    history = np.zeros((3, 2, 4))
    with pytest.raises(NegsimError, match="band"):
        concession_table(history, history, ["a", "b"], band=(0.9, 0.1))
    with pytest.raises(NegsimError, match="party_names"):
        concession_table(history, history, ["a"])
    with pytest.raises(NegsimError, match="same shape"):
        concession_table(history, history[:2], ["a", "b"])


def test_deal_table_shares_and_order(model: NegotiationModel, deals: pd.DataFrame):
    scenario = model.scenario
    n_agreed = int((model.results()["outcome"] == "agreement").sum())
    assert n_agreed > 0, "the fixture run should reach some agreements"
    assert list(deals.columns) == DEAL_COLUMNS
    assert list(deals["issue"].unique()) == scenario.issue_names
    for issue in scenario.issues:
        rows = deals[deals["issue"] == issue.name]
        assert list(rows["option"]) == list(issue.options)
        assert list(rows["option_label"]) == list(issue.option_labels)
        assert rows["share"].sum() == pytest.approx(1.0)
        assert rows["count"].sum() == n_agreed
        assert (rows["issue_label"] == issue.label).all()


def _no_agreements(model: NegotiationModel) -> pd.DataFrame:
    results = model.results().copy()
    results["outcome"] = pd.Categorical(
        ["walkaway"] * len(results), categories=results["outcome"].cat.categories
    )
    for name in model.scenario.issue_names:
        results[f"deal_{name}"] = None
    return results


def test_deal_table_without_agreements(model: NegotiationModel):
    table = deal_table(_no_agreements(model), model.scenario)
    assert len(table) == sum(len(issue.options) for issue in model.scenario.issues)
    assert (table["share"] == 0).all() and (table["count"] == 0).all()
    fig = plot_deals(table, model.scenario)
    assert isinstance(fig, Figure)
    assert _visible_axes(fig) == len(model.scenario.issues)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "no agreements" in texts


def test_deal_table_rejects_unknown_options(model: NegotiationModel):
    results = model.results().copy()
    agreed = results["outcome"] == "agreement"
    results.loc[agreed, "deal_nato"] = "not_an_option"
    with pytest.raises(NegsimError, match="deal_nato"):
        deal_table(results, model.scenario)


def test_plot_concession_panels(model: NegotiationModel, concession: pd.DataFrame):
    fig = plot_concession(concession, model.scenario)
    assert isinstance(fig, Figure)
    assert _visible_axes(fig) == len(model.scenario.parties)
    titles = {ax.get_title() for ax in fig.axes if ax.get_visible()}
    assert titles == {party.label for party in model.scenario.parties}
    assert len(fig.legends) == 1
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "utility to it of the offers it received, one line per proposer (median)" in legend
    assert {party.label for party in model.scenario.parties} <= set(legend)
    assert "by round and proposer" in fig.get_suptitle()
    for ax in fig.axes:
        assert ax.get_ylim() == (0.0, 1.0)


def test_plot_into_given_axes_hides_extras(model: NegotiationModel, deals: pd.DataFrame):
    host = Figure()
    grid = host.subplots(4, 4)
    fig = plot_deals(deals, model.scenario, ax_grid=grid)
    assert fig is host
    assert _visible_axes(fig) == len(model.scenario.issues)
    with pytest.raises(NegsimError, match="ax_grid"):
        plot_concession(concession_table_from_model(model), model.scenario, ax_grid=grid[0, :2])


def test_save_figure_writes_png(tmp_path: Path, model: NegotiationModel, deals: pd.DataFrame):
    target = tmp_path / "nested" / "deals.png"
    written = save_figure(plot_deals(deals, model.scenario), target)
    assert written == target
    data = target.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG_MAGIC)
    assert [p.name for p in target.parent.iterdir()] == ["deals.png"]  # no temp file left over
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
