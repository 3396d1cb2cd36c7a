"""The utility-space figure's data and drawing."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from negsim.errors import NegsimError
from negsim.model import NegotiationModel
from negsim.scenario import parse_scenario
from negsim.space_plots import plot_utility_space, utility_space
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
    for expected in ("all outcomes", "Pareto frontier", "reservation values", "Nash point"):
        assert expected in labels
    assert ax.get_xlim() == (0, 1)


def test_bad_requests_name_the_problem(model: NegotiationModel) -> None:
    with pytest.raises(NegsimError, match="no party 'nobody'"):
        utility_space(model, "p0", "nobody")
    with pytest.raises(NegsimError, match="replication"):
        utility_space(model, "p0", "p1", replication=99)
