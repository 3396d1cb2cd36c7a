"""The view's figures besides the story's frames: 100 dpi and 12 pt type, nothing over the bars."""

from __future__ import annotations

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from negsim.formats.load import load_scenario
from negsim.view.figures import DPI, SMALLEST_PT, odds_curve_figure, readable
from negsim.view.panels import tornado_figure
from negsim.view.screen import quick_screen


def smallest_pt(fig: Figure) -> float:
    return min(t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip())


def test_readable_raises_small_type_and_keeps_large() -> None:
    fig = Figure(figsize=(4, 3), dpi=72)
    ax = fig.add_subplot()
    ax.set_title("big", fontsize=20)
    ax.set_xlabel("small", fontsize=6)
    readable(fig)
    assert fig.dpi == DPI
    assert ax.xaxis.label.get_fontsize() == SMALLEST_PT and ax.title.get_fontsize() == 20
    assert smallest_pt(fig) >= SMALLEST_PT


def test_the_odds_curve_is_readable() -> None:
    curve = pd.DataFrame(
        {"value": [0.3, 0.45, 0.6], "probability": [0.9, 0.8, 0.5], "low": [0.85, 0.75, 0.45],
         "high": [0.95, 0.85, 0.55], "replications": [200] * 3}
    )  # fmt: skip
    fig = odds_curve_figure(curve, "Ukraine: reservation", 0.45)
    assert fig.dpi == DPI and smallest_pt(fig) >= SMALLEST_PT


def test_the_tornado_is_readable_and_its_legend_is_off_the_bars() -> None:
    scenario = load_scenario("england_zimbabwe")
    fig = tornado_figure(quick_screen(scenario, 0))
    assert fig is not None and fig.dpi == DPI and smallest_pt(fig) >= SMALLEST_PT
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    axes = fig.axes[0].get_window_extent(renderer)
    assert fig.axes[0].get_legend() is None
    assert fig.legends[0].get_window_extent(renderer).y1 <= axes.y0  # below the axes
    assert fig.get_size_inches()[0] * DPI <= 690  # full size in a card at 1024 px
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    shown_ticks = [t for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
    texts = [ax.title, ax.xaxis.label, *ax.get_yticklabels(), *shown_ticks,
             *fig.legends[0].get_texts()]  # fmt: skip
    for text in texts:  # nothing cut at the figure's edges (the names of the numbers above all)
        box = text.get_window_extent(renderer)
        assert box.x0 >= -1 and box.x1 <= fig.bbox.width + 1, text.get_text()
