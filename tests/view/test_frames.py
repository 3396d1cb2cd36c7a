"""The story's figures as frames: one still background, each round drawn on top of it."""

from __future__ import annotations

import io
import itertools
import threading

import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from negsim.formats.load import load_scenario
from negsim.view.frames import (
    TEXT_PT,
    ConcessionFrames,
    SpaceFrames,
    concession_frame,
    space_frame,
)
from negsim.view.panels import default_pair
from negsim.view.state import LIBRARY
from negsim.view.story import Story, default_setup, tell


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_a_frame_does_not_depend_on_the_frames_drawn_before_it(story: Story) -> None:
    a, b = default_pair(story)
    fresh = SpaceFrames(story, a, b)
    walked = SpaceFrames(story, a, b)
    for round_ in range(story.rounds, 0, -1):  # every later round first: nothing may stay behind
        walked.frame(round_)
    walked.cache.clear()
    assert walked.frame(5) == fresh.frame(5)
    early, late = ConcessionFrames(story), ConcessionFrames(story)
    late.frame(story.rounds)
    late.cache.clear()
    assert late.frame(3) == early.frame(3)


def test_frames_move_with_the_rounds_and_keep_their_size(story: Story) -> None:
    a, b = default_pair(story)
    shown = [pixels(space_frame(story, a, b, r)) for r in (0, 1, 10, story.rounds)]
    assert len({frame.shape for frame in shown}) == 1
    for before, after in itertools.pairwise(shown):
        assert (before != after).any()
    assert space_frame(story, a, b, story.rounds + 5) == space_frame(story, a, b, story.rounds)
    assert (pixels(concession_frame(story, 1)) != pixels(concession_frame(story, 2))).any()


def test_two_threads_drawing_one_story_get_the_same_frames(story: Story) -> None:
    a, b = default_pair(story)
    expected = [SpaceFrames(story, a, b).frame(r) for r in range(1, 8)]
    shared = SpaceFrames(story, a, b)
    got: dict[int, list[bytes]] = {}

    def draw(k: int) -> None:
        got[k] = [shared.frame(r) for r in range(1, 8)]

    threads = [threading.Thread(target=draw, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got[0] == got[1] == expected


@pytest.mark.parametrize("name", LIBRARY)
def test_every_label_of_a_frame_is_inside_it_in_type_large_enough(name: str) -> None:
    """The legend beside the axes, the titles and the ticks fit in the frame whatever the
    parties' names (nothing cut at the figure's edge), in type of TEXT_PT points or more (16 px
    as the full layout shows a frame on a 1024 px screen; measured in test_browser_layout)."""
    scenario = load_scenario(name)
    story = tell(scenario, default_setup(scenario))
    a, b = default_pair(story)
    for frames in (SpaceFrames(story, a, b), ConcessionFrames(story)):
        drawn = frames.fig.get_tightbbox(frames.canvas.get_renderer())
        width, height = frames.fig.get_size_inches()
        inside = drawn.x0 >= 0 and drawn.y0 >= 0 and drawn.x1 <= width and drawn.y1 <= height
        assert inside, (
            f"{name}: {type(frames).__name__} draws {drawn.extents} in {width} x {height} in"
        )
        texts = [t for t in frames.fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert min(t.get_fontsize() for t in texts) == TEXT_PT
