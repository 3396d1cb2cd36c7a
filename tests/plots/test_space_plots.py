"""The utility-space figure's data and drawing."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure

from negsim.errors import NegsimError
from negsim.model import NegotiationModel
from negsim.plots.run import (
    DEAL_COLOUR,
    concession_table_from_model,
    party_colours,
    plot_concession,
)
from negsim.plots.space import offer_alpha, plot_utility_space, utility_space
from negsim.scenario import parse_scenario
from tests.builders import small_scenario_data


@pytest.fixture(scope="module")
def model() -> NegotiationModel:
    scenario = parse_scenario(small_scenario_data(n_parties=3, n_issues=3, reservation=0.3))
    return NegotiationModel(scenario, replications=4, seed=2, max_rounds=40).run()


def test_small_spaces_are_enumerated_with_an_exact_frontier(model: NegotiationModel) -> None:
    space = utility_space(model, "p0", "p1", replication=1)
    assert not space.sampled
    assert len(space.cloud) == 27  # 3 issues of 3 options
    front = space.frontier
    assert (np.diff(front[:, 0]) >= 0).all() and (np.diff(front[:, 1]) <= 1e-12).all()
    for point in space.cloud:  # every outcome is on the frontier or dominated
        dominated_by = (space.cloud >= point - 1e-12).all(axis=1) & (
            space.cloud > point + 1e-12
        ).any(axis=1)
        on_front = np.isclose(front, point).all(axis=1).any()
        assert on_front or dominated_by.any()
    assert space.nash is not None
    assert (space.nash >= space.reservations - 1e-9).all()
    assert len(space.path) == model.end_round[1]
    if model.status[1] == 1:
        np.testing.assert_allclose(space.deal, model.deal_utility[1, :2])


def test_figure_draws_cloud_frontier_nash_and_offers(model: NegotiationModel) -> None:
    fig = plot_utility_space(utility_space(model, "p0", "p2"))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for expected in ("all outcomes", "Pareto frontier", "Nash point", "offers by p0"):
        assert expected in labels
    assert "p0's reservation value (as drawn)" in labels
    assert ax.get_xlim() == (0, 1)


def test_bad_requests_name_the_problem(model: NegotiationModel) -> None:
    with pytest.raises(NegsimError, match="no party 'nobody'"):
        utility_space(model, "p0", "nobody")
    with pytest.raises(NegsimError, match="replication"):
        utility_space(model, "p0", "p1", replication=99)


def _agreed(model: NegotiationModel) -> int:
    agreed = np.flatnonzero(model.status == 1)
    assert agreed.size, "the fixture should have a deal"
    return int(agreed[-1])


def _offers(ax) -> dict[str, object]:
    """The offer scatters of a utility-space axes, by proposer."""
    return {c.get_gid().removeprefix("offers by "): c for c in ax.collections if c.get_gid()}


def test_the_title_names_the_replication_and_its_drawn_numbers(model: NegotiationModel) -> None:
    r = _agreed(model)
    space = utility_space(model, "p0", "p1", replication=r)
    title = plot_utility_space(space).axes[0].get_title()
    assert f"replication {r} (deal in round {model.end_round[r]})" in title
    assert "its own drawn weights, values and reservations" in title
    assert title.startswith(f"Utility space of {space.labels[0]} and {space.labels[1]}")


def test_offers_fade_with_age_and_carry_their_round(model: NegotiationModel) -> None:
    space = utility_space(model, "p0", "p1", replication=_agreed(model))
    assert len(space.path) >= 3
    ax = plot_utility_space(space).axes[0]
    alphas = np.empty(len(space.path))
    for name, scatter in _offers(ax).items():
        rows = np.flatnonzero(space.path["proposer"] == name)
        alphas[rows] = scatter.get_facecolors()[:, 3]
    order = np.argsort(space.path["round"].to_numpy())
    assert (np.diff(alphas[order]) > 0).all()  # later offers are more opaque
    assert alphas[order[0]] == pytest.approx(0.2) and alphas[order[-1]] == pytest.approx(1.0)
    numbers = [n for t in ax.texts for n in t.get_text().split(",")]
    assert {str(space.path["round"].min()), str(space.path["round"].max())} <= set(numbers)
    np.testing.assert_allclose(offer_alpha(np.array([3, 1, 2])), [1.0, 0.2, 0.6])


def test_a_party_has_one_colour_in_every_figure_and_the_deal_none(model: NegotiationModel) -> None:
    names = model.scenario.party_names
    colours = party_colours(names)
    assert len(set(colours.values())) == len(names)
    space_ax = plot_utility_space(utility_space(model, "p0", "p1", _agreed(model))).axes[0]
    for name, scatter in _offers(space_ax).items():
        assert to_hex(scatter.get_facecolors()[0], keep_alpha=False) == colours[name]
    concession = plot_concession(concession_table_from_model(model), model.scenario)
    shown = [ax for ax in concession.axes if ax.get_visible()]
    for ax, name in zip(shown, names, strict=True):
        assert to_hex(ax.get_lines()[0].get_color()) == colours[name]  # its own target
        received = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert {to_hex(line.get_color()) for line in received} <= {
            c for n, c in colours.items() if n != name
        }  # the offers it received, in their proposers' colours
    (deal,) = [line for line in space_ax.get_lines() if line.get_label() == "deal"]
    assert to_rgba(deal.get_color()) == to_rgba(DEAL_COLOUR)
    many = party_colours([f"p{i}" for i in range(16)])
    assert to_rgba(DEAL_COLOUR) not in {to_rgba(c) for c in many.values()}
