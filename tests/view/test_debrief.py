"""The class debrief: finished seats recorded once each, in one list for the server, cleared."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import ipyvue
import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara

from negsim.formats.load import load_scenario
from negsim.scenario import Scenario
from negsim.view import debrief
from negsim.view.seat import Seat
from negsim.view.story import default_setup


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    return load_scenario("ukraine_2025")


@pytest.fixture(autouse=True)
def empty() -> Iterator[None]:
    debrief.clear()
    yield
    debrief.clear()


def finished(scenario: Scenario, party: str = "ukraine") -> Seat:
    """A seat whose person walks away at once."""
    seat = Seat(scenario, default_setup(scenario), party)
    if seat.turn().kind == "answer":
        seat.answer(False)
    seat.leave()
    return seat


def markdown(rc: object) -> str:
    """The page's Markdown blocks (Solara renders them as Vue templates)."""
    templates = rc.find(ipyvue.VueTemplate).widgets  # type: ignore[attr-defined]
    return "\n".join(w.template for w in templates if isinstance(w.template, str))


def test_two_seats_two_points_and_clear_empties(flagship: Scenario) -> None:
    one, two = finished(flagship), finished(flagship)
    assert debrief.record(one) and debrief.record(two)
    assert not debrief.record(one)  # a seat counts once
    records = debrief.played()
    assert len(records) == 2
    assert [r.group for r in records] == [("ukraine_2025", "ukraine", "russia")] * 2
    assert records[0].point == pytest.approx((0.45, 0.55))  # no deal: the reservations
    assert not records[0].agreed and records[0].agents_point is not None
    grouped = debrief.groups(records)
    assert list(grouped) == [("ukraine_2025", "ukraine", "russia")]
    assert debrief.count_text(grouped[records[0].group]).startswith(
        "2 negotiations played as Ukraine (Zelenskyy): 0 with a deal, 2 without"
    )
    figure = debrief.debrief_figure(records)
    assert figure.axes[0].get_xlabel() == "utility to Ukraine (Zelenskyy)"
    debrief.clear()
    assert debrief.played() == []


def test_a_seat_still_playing_is_not_recorded(flagship: Scenario) -> None:
    seat = Seat(flagship, default_setup(flagship), "ukraine")
    assert not debrief.record(seat)
    assert debrief.played() == []


@pytest.mark.slow
def test_seats_finished_in_several_tabs_at_once_all_count(flagship: Scenario) -> None:
    seats = [finished(flagship) for _ in range(3)]
    threads = [threading.Thread(target=debrief.record, args=(s,)) for s in seats * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(debrief.played()) == 3


def test_the_debrief_panel_shows_the_count(flagship: Scenario) -> None:
    _box, rc = solara.render(debrief.DebriefPanel(), handle_error=False)
    assert "No finished negotiation yet" in markdown(rc)
    debrief.record(finished(flagship))  # in another tab, say
    rc.find(v.Btn, children=["Refresh"]).widget.click()
    rc.find(widgets.Image).assert_single()
    assert "1 negotiation played as Ukraine (Zelenskyy): 0 with a deal, 1 without" in markdown(rc)
    rc.find(v.Btn, children=["Clear"]).widget.click()
    rc.find(widgets.Image).assert_empty()
    assert debrief.played() == []
    rc.close()
