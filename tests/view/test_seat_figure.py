"""The seat's and the debrief's figure: every point where it belongs, the legend off the data."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from negsim.view.seat_figure import FONT, seat_space_figure


def figure(**changes: object):
    settings: dict[str, object] = {
        "labels": ("Ukraine", "Russia"),
        "frontier": np.array([[0.2, 0.8], [0.5, 0.65], [0.9, 0.1]]),
        "reservations": np.array([0.45, 0.55]),
        "nash": np.array([0.55, 0.62]),
        "deals": np.array([[0.46, 0.64], [0.53, 0.64]]),
        "no_deals": np.array([[0.45, 0.55]]),
        "agents": np.array([0.53, 0.64]),
        "title": "3 negotiations played as Ukraine (Zelenskyy): 2 with a deal, 1 without",
    }
    fig = seat_space_figure(**{**settings, **changes})  # type: ignore[arg-type]
    FigureCanvasAgg(fig).draw()
    return fig


def test_the_points_are_the_deals_the_no_deals_and_the_agents() -> None:
    fig = figure()
    ax = fig.axes[0]
    offsets = [c.get_offsets() for c in ax.collections]
    assert any(np.array_equal(o, [[0.46, 0.64], [0.53, 0.64]]) for o in offsets)
    assert any(np.array_equal(o, [[0.45, 0.55]]) for o in offsets)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == [
        "Pareto frontier", "walk-away values", "Nash point", "the class's deals", "no deal",
        "the agents alone",
    ]  # fmt: skip


def test_the_legend_is_beside_the_axes_and_the_type_is_large() -> None:
    fig = figure(cloud=np.random.default_rng(0).random((500, 2)))
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    axes = fig.axes[0].get_window_extent(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    assert legend.x0 >= axes.x1  # never over the data
    title = fig.axes[0].title
    assert title.get_window_extent(renderer).x1 <= legend.x0  # a long title wraps
    sizes = [t.get_fontsize() for t in fig.legends[0].get_texts()]
    assert min(sizes) >= FONT - 1 >= 11 and title.get_fontsize() >= FONT


def test_without_a_nash_point_or_agents_deal() -> None:
    fig = figure(nash=None, agents=None, deals=np.empty((0, 2)))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["Pareto frontier", "walk-away values", "no deal"]
