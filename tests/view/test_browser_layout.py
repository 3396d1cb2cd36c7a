"""The Watch tab on a projector: at 1024 x 768 and at 1920 x 1080, in the full layout and in
presentation mode, with the story at its end (figures, deal table, transcript, odds) and the
words panel open. Measured in headless chromium: no text cut, spilling out of its box or
scrolling sideways (the deal table's own box aside, in the full layout of a 1024 px screen), no
word broken across lines, type of 12 pt (16 px) and more, figures that use the width, and on a
1024 px screen figures whose own text shows at 16 px or more."""

from __future__ import annotations

import time

import pytest
from matplotlib.text import Text

from negsim.formats.load import load_scenario
from negsim.view.app import PRESENTATION_SWITCH
from negsim.view.figures import SMALLEST_PT as SMALLEST_FIGURE_PT
from negsim.view.frames import (
    CONCESSION_SIZE,
    DPI,
    SPACE_SIZE,
    ConcessionFrames,
    Frames,
    SpaceFrames,
)
from negsim.view.panels import default_pair
from negsim.view.story import Story, default_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WAIT = 60_000  # ms: the first page waits for the server's first render
SMALLEST_PX = 16  # 12 pt

MEASURE = r"""
() => {
  const visible = e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 &&
      e.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };
  // the root of the tab on screen (Watch the agents, or Play as)
  const root = [...document.querySelectorAll('.negsim-watch')].find(visible);
  const presenting = root.classList.contains('negsim-presenting');
  const name = e => `<${e.tagName.toLowerCase()} class="${e.className}"> ` +
    JSON.stringify((e.textContent || e.value || '').trim().slice(0, 70));
  const all = [...document.querySelectorAll('.v-tab'), root, ...root.querySelectorAll('*')]
    .filter(visible);
  // the type as it shows: the font size times any scaling transform (a floating label's 0.75)
  const small = [];
  let smallest = Infinity;
  for (const e of all) {
    const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text && e.tagName !== 'INPUT') continue;
    let scale = 1;
    for (let n = e; n; n = n.parentElement) {
      const transform = getComputedStyle(n).transform;
      if (transform !== 'none') scale *= new DOMMatrix(transform).a;
    }
    const px = parseFloat(getComputedStyle(e).fontSize) * scale;
    if (!e.classList.contains('v-tab')) smallest = Math.min(smallest, px);
    if (px < SMALLEST) small.push(`${px.toFixed(1)} px: ${name(e)}`);
  }
  // cut (wider than its box) or spilling out of it
  const cut = [];
  const labels = '.v-label, label, .v-btn__content, h1, h2, h3, h4, h5, h6, th, td, p, li, ' +
    '.v-select__selection, .v-alert__content, .v-card__title, .v-tab, ' +
    '.v-expansion-panel-header, input';
  for (const e of [...document.querySelectorAll('.v-tab'), ...root.querySelectorAll(labels)]) {
    if (!visible(e)) continue;
    if (e.scrollWidth > e.clientWidth + 1) {
      cut.push(`scrollWidth ${e.scrollWidth} > clientWidth ${e.clientWidth}: ${name(e)}`);
      continue;
    }
    if (e.tagName === 'INPUT') continue;
    const range = document.createRange();
    range.selectNodeContents(e);
    const text = range.getBoundingClientRect(), box = e.getBoundingClientRect();
    if (text.width && (text.right > box.right + 1 || text.left < box.left - 1)) {
      cut.push(`text ${text.left.toFixed(0)}-${text.right.toFixed(0)} outside its box ` +
               `${box.left.toFixed(0)}-${box.right.toFixed(0)}: ${name(e)}`);
    }
  }
  // boxes that scroll sideways or hide what overflows them: only the wide tables' may
  const sideways = [];
  for (const e of all) {
    if (getComputedStyle(e).overflowX === 'visible' || e.tagName === 'INPUT') continue;
    if (e.classList.contains('v-ripple__container')) continue;  // a click's ripple, fading
    if (e.scrollWidth > e.clientWidth + 1 && !e.classList.contains('negsim-wide-table')) {
      sideways.push(`scrollWidth ${e.scrollWidth} > clientWidth ${e.clientWidth}: ${name(e)}`);
    }
  }
  const page = document.scrollingElement;
  if (page.scrollWidth > page.clientWidth + 1) sideways.push(`the page: ${page.scrollWidth} px`);
  // a word on two lines: a word's letters (between spaces, hyphens, dashes and slashes) in
  // more than one line box
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || !visible(node.parentElement)) continue;
    for (const word of node.textContent.matchAll(/[^\s\-\u2010-\u2015\/]{2,}/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
        .map(r => Math.round(r.bottom)));
      if (tops.size > 1) broken.push(`${JSON.stringify(word[0])} in ${name(node.parentElement)}`);
    }
  }
  const figures = [...root.querySelectorAll('img.negsim-figure')].filter(visible).map(img => {
    const r = img.getBoundingClientRect();
    return {natural: img.naturalWidth, shown: r.width, left: r.left, right: r.right};
  });
  const story = figures.length ?
    root.querySelector('.negsim-figures').getBoundingClientRect().width : 0;
  const tables = [...root.querySelectorAll('.negsim-wide-table')].filter(visible)
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.scrollWidth} px in ${e.clientWidth}: ${name(e)}`);
  // the other figures (odds curve, tornado, seat and debrief): drawn with 12 pt type at 100 dpi
  const images = [...root.querySelectorAll('img:not(.negsim-figure)')].filter(visible)
    .map(img => ({natural: img.naturalWidth, shown: img.getBoundingClientRect().width}));
  const column = root.querySelector('.negsim-settings');
  const settings = column !== null && visible(column);
  return {presenting, settings, smallest, small, cut, sideways, broken, tables, figures, story,
          images};
}
""".replace("SMALLEST", str(SMALLEST_PX))


@pytest.fixture(scope="module")
def frames_smallest_pt(story: Story) -> float:
    """The smallest type of the story's two frames at its last round, in points."""
    a, b = default_pair(story)
    return min(
        smallest_text_pt(SpaceFrames(story, a, b), story.rounds),
        smallest_text_pt(ConcessionFrames(story), story.rounds),
    )


def smallest_text_pt(frames: Frames, round_: int) -> float:
    """The smallest type in a frame of round `round_`, in points: the still figure's texts
    (title, axis labels, ticks, legend) and those of the round (a label by the latest offer)."""
    texts = [t for t in frames.fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    moving = [a for a in frames.moving(round_) if isinstance(a, Text)]
    return min(t.get_fontsize() for t in texts + moving)


def measure(page, presenting: bool) -> dict:
    """The page measured in one layout, after the switch to it has rendered."""
    switch = page.get_by_label(PRESENTATION_SWITCH)
    if switch.is_checked() != presenting:
        switch.click(force=True)
    marker = (
        ".negsim-watch.negsim-presenting" if presenting else ".negsim-watch:not(.negsim-presenting)"
    )
    page.locator(marker).wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('img')]"
                           ".every(img => img.complete && img.naturalWidth > 0)")  # fmt: skip
    time.sleep(0.5)  # the fonts and images laid out
    return page.evaluate(MEASURE)


def open_the_story_at_its_end(page, url: str, story: Story, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.get_by_text(f"Round 0 of {story.rounds}").wait_for(timeout=WAIT)
    for n in range(1, 4):
        page.get_by_role("button", name="Step").click()
        page.get_by_text(f"Round {n} of {story.rounds}").wait_for()
    page.get_by_role("button", name="End").click()
    page.get_by_text("The deal against each party's best option").wait_for()
    page.get_by_role("button", name="Run 1000").click()
    page.get_by_text("zone of possible agreement under the stated numbers").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Sweep", exact=True).click()
    page.get_by_text("values, 200 replications each").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Screen", exact=True).click()
    page.locator(".v-card", has_text="What moves the odds").locator("img").wait_for(timeout=WAIT)
    page.get_by_text("Words used here").click()  # the glossary open: its words measured too


def check_images(found: dict, where: str, least: int) -> None:
    """At least `least` figures besides the story's, none shrunk so far that its 12 pt type
    shows under 16 px (`negsim.view.figures.readable`)."""
    images = found["images"]
    assert len(images) >= least, f"{where}: {images}"
    for image in images:
        px = SMALLEST_FIGURE_PT * DPI / 72 * image["shown"] / image["natural"]
        assert px >= SMALLEST_PX, f"{where}: a figure's type shows at {px:.1f} px: {image}"


def check_text(found: dict, where: str) -> None:
    assert not found["small"], f"{where}: type under {SMALLEST_PX} px:\n" + "\n".join(
        found["small"]
    )
    assert not found["cut"], f"{where}: cut:\n" + "\n".join(found["cut"])
    assert not found["sideways"], f"{where}: scrolls sideways:\n" + "\n".join(found["sideways"])
    assert not found["broken"], f"{where}: words broken:\n" + "\n".join(found["broken"])


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1920, 1080)])
def test_the_watch_tab_reads_on_a_projector(
    view_server: str,
    browser_page,
    story: Story,
    frames_smallest_pt: float,
    width: int,
    height: int,
) -> None:
    page = browser_page
    started = time.perf_counter()
    open_the_story_at_its_end(page, view_server, story, width, height)
    smallest = frames_smallest_pt
    for presenting in (False, True):
        where = f"{width} x {height}, {'presentation mode' if presenting else 'full layout'}"
        found = measure(page, presenting)
        assert found["presenting"] is presenting
        assert found["settings"] is not presenting, f"{where}: the settings column shown"
        assert page.get_by_role("button", name="Reset").is_visible(), where
        check_text(found, where)
        check_images(found, where, 2)  # the odds curve and the tornado
        if presenting or width >= 1280:  # only the full layout's story column is too narrow
            assert not found["tables"], f"{where}: scrolls sideways:\n" + "\n".join(found["tables"])
        figures = found["figures"]
        assert len(figures) == 2, where
        # the PNGs as frames.py draws them: their width in pixels is the figure's in inches x DPI
        assert [f["natural"] for f in figures] == [SPACE_SIZE[0] * DPI, CONCESSION_SIZE[0] * DPI]
        span = max(f["right"] for f in figures) - min(f["left"] for f in figures)
        shown_px = [smallest * DPI / 72 * f["shown"] / f["natural"] for f in figures]
        print(
            f"\n{where}: figures {[round(f['shown']) for f in figures]} px wide "
            f"(natural {figures[0]['natural']}), together {span:.0f} of the story's "
            f"{found['story']:.0f} px; smallest figure text {min(shown_px):.1f} px as shown, "
            f"smallest text of the tab {found['smallest']:.1f} px"
        )
        if width == 1024:
            assert min(shown_px) >= SMALLEST_PX, (
                f"{where}: the figures' {smallest} pt text shows at {min(shown_px):.1f} px"
            )
        if presenting:
            assert span >= 0.8 * found["story"], f"{where}: figures {span:.0f} px wide"
        elif width == 1920:
            assert span >= 0.45 * width, f"{where}: figures {span:.0f} px wide together"
        if width == 1920:  # side by side, neither shrunk below its own size
            assert all(f["shown"] >= f["natural"] for f in figures), f"{where}: {figures}"
    print(f"{width} x {height}: {time.perf_counter() - started:.1f} s")


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1920, 1080)])
def test_a_and_b_compared_read_on_a_projector(
    view_server: str,
    browser_page,
    story: Story,
    frames_smallest_pt: float,
    width: int,
    height: int,
) -> None:
    """Compared, A and B sit side by side where each has room (1920 px) and one under the
    other where not (1024 px), so neither's figures shrink: text whole, 16 px or more, the
    figures' own text too."""
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto(view_server)
    page.get_by_text(f"Round 0 of {story.rounds}").wait_for(timeout=WAIT)
    page.get_by_label("compare two settings (A and B)").check(force=True)
    page.get_by_text(f"Setup B: Round 0 of {story.rounds}").wait_for()
    page.get_by_role("button", name="End").click()
    page.get_by_text("The deal against each party's best option").first.wait_for()
    smallest = frames_smallest_pt
    for presenting in (False, True):
        where = f"{width} x {height}, A and B, {'presentation mode' if presenting else 'full'}"
        found = measure(page, presenting)
        check_text(found, where)
        figures = found["figures"]
        assert len(figures) == 4, where
        shown_px = [smallest * DPI / 72 * f["shown"] / f["natural"] for f in figures]
        side_by_side = figures[2]["left"] >= figures[1]["right"]  # B's first right of A's last
        print(f"\n{where}: figures {[round(f['shown']) for f in figures]} px wide, "
              f"{'side by side' if side_by_side else 'B under A'}, smallest figure text "
              f"{min(shown_px):.1f} px")  # fmt: skip
        assert side_by_side is (width >= 1280), where
        assert min(shown_px) >= SMALLEST_PX, f"{where}: figure text at {min(shown_px):.1f} px"


def test_play_as_reads_at_1024(view_server: str, browser_page) -> None:
    """The Play as tab at 1024 x 768: while the student answers an offer, and at the end (the
    deal, its figure, the debrief): whole words, nothing cut, 16 px type and more."""
    from negsim.errors import NegsimError
    from negsim.view.seat import PROPOSE, Seat
    from negsim.view.seat_panel import best_offer

    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 768})
    scenario = load_scenario("ukraine_2025")
    twin = Seat(scenario, default_setup(scenario), "ukraine")  # the same game, played alongside
    best = best_offer(twin)
    page.goto(view_server)
    page.get_by_text("Round 0 of").first.wait_for(timeout=WAIT)
    page.get_by_role("tab", name="Play as").click()
    page.get_by_text("Choose a party and take its seat").wait_for(timeout=WAIT)
    page.get_by_label("Play as").click(force=True)
    page.get_by_role("option", name="Ukraine (Zelenskyy)").click()
    page.get_by_role("button", name="Take the seat").click()
    measured = 0
    while not twin.finished:
        turn = twin.turn()
        page.get_by_text(f"Round {turn.round}: ").first.wait_for(timeout=WAIT)
        if turn.kind == PROPOSE:
            if turn.round == 1:  # the offer form, issue by issue
                check_text(page.evaluate(MEASURE), "1024 x 768, Play as, proposing")
                measured += 1
            twin.propose(best)
            page.get_by_role("button", name="Propose").click()
            continue
        if turn.round == 2:  # an agent's offer to answer
            check_text(page.evaluate(MEASURE), "1024 x 768, Play as, answering")
            measured += 1
        try:
            twin.answer(True)
            page.get_by_role("button", name="Accept").click()
        except NegsimError:
            twin.answer(False)
            page.get_by_role("button", name="Reject").click()
    page.get_by_text("With an agent in your seat").wait_for(timeout=WAIT)
    page.get_by_text("finished on this server").wait_for(timeout=WAIT)
    time.sleep(0.5)  # the figures laid out
    found = page.evaluate(MEASURE)
    check_text(found, "1024 x 768, Play as, the end and the debrief")
    check_images(found, "1024 x 768, Play as, the end and the debrief", 2)
    assert measured == 2
