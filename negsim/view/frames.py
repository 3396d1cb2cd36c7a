"""The story's figures as PNG frames, one per round, drawn fast enough to step and play through.

A figure of the utility space holds thousands of outcomes; drawing it anew for every round
costs a third of a second or more. Here each figure's still part (the outcomes, the frontier,
the reservation lines, the Nash point, axes and legend) is drawn once per story; a round's frame
restores that background and draws only what moves (the offers so far, the latest one ringed,
the deal), then encodes the pixels as PNG (matplotlib's blitting, as animations use it). Frames
are kept per round, so Back and a second Play cost nothing. A lock per figure lets two browser
tabs showing the same story draw in turn.

The frames carry no round number in their title: the heading above them says which round it is.
Their layout is matplotlib's constrained one, fixed when the background is drawn: the legend
beside the axes and every label stay inside the frame, whatever the parties' names.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from negsim.plots.run import DEAL_COLOUR, party_colours, proposer_colour
from negsim.plots.space import NASH_COLOUR
from negsim.view.screen import short_labels
from negsim.view.story import Story

DPI = 100
PALETTE = 128  # colours of a frame's PNG
SPACE_SIZE = (6.4, 5.6)
CONCESSION_SIZE = (6.4, 3.8)
TEXT_PT = 10.5
"""The frames' smallest type (legend, ticks, the latest offer's round): 16 px (12 pt) as shown
on a 1024 px screen, where the full layout shows a 640 px frame 732 px wide
(10.5 pt x DPI / 72 x 732 / 640 = 16.7 px)."""
TITLE_PT = 12
"""The frames' titles and axis labels."""


class Frames:
    """A figure's still part drawn once, and each round's frame on top of it, as PNG bytes."""

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(fig.bbox)
        self.cache: dict[int, bytes] = {}
        self.lock = threading.Lock()

    def moving(self, round_: int) -> list[Artist]:
        """The artists of round `round_` (made afresh, drawn over the background)."""
        raise NotImplementedError

    def frame(self, round_: int) -> bytes:
        """The PNG of round `round_`."""
        with self.lock:
            if round_ not in self.cache:
                self.canvas.restore_region(self.background)
                renderer = self.canvas.get_renderer()
                for artist in self.moving(round_):
                    artist.draw(renderer)
                    artist.remove()
                pixels = np.asarray(self.canvas.buffer_rgba())
                out = io.BytesIO()
                image = Image.fromarray(pixels).convert("RGB")
                # a figure has few colours: a palette makes a frame a third of the size, which
                # matters at three frames a second over the view's connection
                image.quantize(PALETTE).save(out, format="png")
                self.cache[round_] = out.getvalue()
            return self.cache[round_]


class SpaceFrames(Frames):
    """Two parties' utility space: the outcomes and frontier still, the offers moving."""

    def __init__(self, story: Story, a: str, b: str) -> None:
        space = story.space(a, b)
        self.space = space
        self.rounds = story.rounds
        self.colours = party_colours(story.scenario.party_names)
        names = short_labels(story.scenario)
        first, second = (names[p] for p in space.parties)
        fig = Figure(figsize=SPACE_SIZE, dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        ax.scatter(space.cloud[:, 0], space.cloud[:, 1], s=3, color="0.8", lw=0, rasterized=True)
        ax.plot(*space.frontier.T, color="0.2", lw=1.5)
        handles: list[Any] = [
            Line2D([], [], ls="", marker="o", ms=4, color="0.75", label="possible deals"),
            Line2D([], [], color="0.2", lw=1.5, label="Pareto frontier"),
        ]
        for i, line in enumerate((ax.axvline, ax.axhline)):
            colour = proposer_colour(space.parties[i], self.colours)
            line(space.reservations[i], color=colour, ls="--", lw=1.2)
            handles.append(Line2D([], [], color=colour, ls="--",
                                  label=f"walk-away: {(first, second)[i]}"))  # fmt: skip
        if space.nash is not None:
            ax.plot(*space.nash, "D", ms=9, color=NASH_COLOUR, mec="black", zorder=4)
            handles.append(Line2D([], [], ls="", marker="D", ms=7, color=NASH_COLOUR, mec="black",
                                  label="Nash point"))  # fmt: skip
        for name in dict.fromkeys(space.path["proposer"]):
            who = names.get(str(name), str(name))
            handles.append(Line2D([], [], ls="", marker="o", ms=6, label=f"offer: {who}",
                                  color=proposer_colour(str(name), self.colours)))  # fmt: skip
        handles.append(Line2D([], [], ls="", marker="*", ms=12, color=DEAL_COLOUR, label="deal"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=TEXT_PT,
                  frameon=False, borderaxespad=0)  # fmt: skip
        ax.set(xlim=(0, 1), ylim=(0, 1))
        ax.set_xlabel(f"utility to {first}", fontsize=TITLE_PT)
        ax.set_ylabel(f"utility to {second}", fontsize=TITLE_PT)
        ax.set_title(f"{first} and {second}: offers so far", fontsize=TITLE_PT)
        ax.tick_params(labelsize=TEXT_PT)
        ax.grid(alpha=0.3)
        self.ax = ax
        super().__init__(fig)

    def moving(self, round_: int) -> list[Artist]:
        """The offers of rounds 1 to `round_`, fainter the earlier; the last ringed; the deal."""
        path = self.space.path[self.space.path["round"] <= round_]
        artists: list[Artist] = []
        if len(path):
            rounds = path["round"].to_numpy(dtype=float)
            span = max(float(rounds.max() - rounds.min()), 1.0)
            alpha = 0.25 + 0.75 * (rounds - rounds.min()) / span
            colours = [proposer_colour(str(p), self.colours) for p in path["proposer"]]
            artists.append(self.ax.scatter(path["utility_a"], path["utility_b"], s=28,
                                           c=colours, alpha=alpha, lw=0, zorder=3))  # fmt: skip
            last = path.iloc[-1]
            artists.append(self.ax.scatter([last["utility_a"]], [last["utility_b"]], s=110,
                                           facecolors="none", edgecolors="black", lw=1.4,
                                           zorder=4))  # fmt: skip
            artists.append(self.ax.annotate(f"round {int(last['round'])}",
                                            (last["utility_a"], last["utility_b"]),
                                            xytext=(7, -12), textcoords="offset points",
                                            fontsize=TEXT_PT))  # fmt: skip
        if round_ >= self.rounds and self.space.deal is not None:
            artists += self.ax.plot(*self.space.deal, "*", ms=18, color=DEAL_COLOUR, mec="white",
                                    mew=0.8, zorder=5)  # fmt: skip
        return artists


class ConcessionFrames(Frames):
    """Each party's target and the offers it received: the axes still, the lines moving."""

    def __init__(self, story: Story) -> None:
        model = story.model
        self.last = max(story.rounds, 1)
        self.rounds = np.arange(1, self.last + 1)
        colours = party_colours(story.scenario.party_names)
        names = short_labels(story.scenario)
        fig = Figure(figsize=CONCESSION_SIZE, dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        self.lines = []
        handles = []
        for agent in model.parties:
            colour = colours[agent.name]
            target = model.target_history[: self.last, agent.index, 0].astype(float)
            received = model.received_history[: self.last, agent.index, 0].astype(float)
            self.lines.append((colour, target, received))
            ax.axhline(agent.reservation[0], color=colour, ls=":", lw=1)
            handles.append(Line2D([], [], color=colour, lw=1.8, label=names[agent.name]))
        handles += [
            Line2D([], [], color="0.3", lw=1.8, label="what it asks for"),
            Line2D([], [], color="0.3", ls="", marker="o", ms=4, label="offers it received"),
            Line2D([], [], color="0.3", ls=":", label="its walk-away value"),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=TEXT_PT,
                  frameon=False, borderaxespad=0)  # fmt: skip
        ax.set_xlim(0.5, self.last + 0.5)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("round", fontsize=TITLE_PT)
        ax.set_ylabel("utility to the party", fontsize=TITLE_PT)
        ax.set_title("What each party asks for, and what it is offered", fontsize=TITLE_PT)
        ax.tick_params(labelsize=TEXT_PT)
        ax.grid(alpha=0.3)
        self.ax = ax
        super().__init__(fig)

    def moving(self, round_: int) -> list[Artist]:
        """The targets and received offers up to `round_`, and a line at `round_`."""
        seen = self.rounds <= round_
        artists: list[Artist] = []
        for colour, target, received in self.lines:
            artists += self.ax.plot(self.rounds[seen], target[seen], "-", color=colour, lw=1.8)
            artists += self.ax.plot(self.rounds[seen], received[seen], "o", color=colour, ms=3.5,
                                    alpha=0.8)  # fmt: skip
        if round_ > 0:
            artists.append(self.ax.axvline(round_, color="0.4", lw=0.8))
        return artists


def space_frame(story: Story, a: str, b: str, round_: int) -> bytes:
    """The PNG of parties `a` and `b`'s utility space in round `round_` (frames kept per story)."""
    key = f"space-frames/{a}/{b}"
    if key not in story.memo:
        story.memo[key] = SpaceFrames(story, a, b)
    return story.memo[key].frame(min(round_, story.rounds))


def concession_frame(story: Story, round_: int) -> bytes:
    """The PNG of the concession figure in round `round_` (frames kept per story)."""
    if "concession-frames" not in story.memo:
        story.memo["concession-frames"] = ConcessionFrames(story)
    return story.memo["concession-frames"].frame(min(round_, story.rounds))
