"""A person's seat at the table: the flagship played as Ukraine, move by move."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.scenario import Scenario
from negsim.view.seat import ANSWER, DONE, PROPOSE, Seat
from negsim.view.story import Setup, default_setup, tell


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    return load_scenario("ukraine_2025")


@pytest.fixture
def setup(flagship: Scenario) -> Setup:
    return default_setup(flagship)


def best_for(seat: Seat) -> dict[str, str]:
    """The seated party's own best offer (it crosses none of its red lines)."""
    values = seat.option_values()
    return {issue: max(options, key=options.__getitem__) for issue, options in values.items()}


def play_to_the_end(seat: Seat) -> list[dict[str, str]]:
    """Propose your best; accept every agent's offer you may accept. Returns those accepted."""
    accepted = []
    while not seat.finished:
        turn = seat.turn()
        if turn.kind == PROPOSE:
            seat.propose(best_for(seat))
            continue
        assert turn.offer is not None
        try:
            seat.answer(True)
            accepted.append(turn.offer)
        except NegsimError:
            seat.answer(False)
    return accepted


@pytest.mark.slow
def test_play_as_ukraine_propose_see_answers_accept_and_end(flagship: Scenario, setup) -> None:
    seat = Seat(flagship, setup, "ukraine")
    assert seat.turn().kind == PROPOSE and seat.turn().round == 1  # seed 0: Ukraine opens
    offer = best_for(seat)
    assert seat.offer_value(offer).total == pytest.approx(1.0)
    worth = seat.offer_value(offer)
    assert sum(worth.by_issue.values()) == pytest.approx(worth.total)
    seat.propose(offer)

    events = seat.transcript()
    first = events[events["round"] == 1]
    assert first.iloc[0]["event"] == "offer" and first.iloc[0]["party"] == "ukraine"
    answers = first[first["event"].isin(["accept", "reject"])]
    assert sorted(answers["party"]) == ["europe", "russia", "us"]  # everyone else answered
    assert not any(c.startswith("utility") for c in events.columns)  # others' numbers private

    turn = seat.turn()
    assert turn.kind == ANSWER and turn.round == 2 and turn.proposer == "us"
    pending = seat.transcript()
    assert pending.iloc[-1]["event"] == "offer"  # others answer after you do
    assert pending.iloc[-1]["worth"] == pytest.approx(seat.offer_value(turn.offer).total)

    accepted = play_to_the_end(seat)
    assert seat.turn().kind == DONE
    result = seat.result()
    assert result.story.agreed and result.deal == accepted[-1]  # the agent's offer you accepted
    assert result.utilities["ukraine"] == pytest.approx(seat.offer_value(accepted[-1]).total)
    assert all(
        result.utilities[p] >= flagship.party(p).reservation - 1e-9 for p in result.utilities
    )
    # the figures docs/tutorials/teaching.md quotes ("Take a seat")
    assert result.story.rounds == 23 and result.utilities["ukraine"] == pytest.approx(0.456)
    assert result.agents.rounds == 24
    assert result.agents_utilities["ukraine"] == pytest.approx(0.528)
    assert result.space.nash == pytest.approx([0.549, 0.6235])


def test_a_rejected_offer_leads_to_the_next_round(flagship: Scenario, setup) -> None:
    seat = Seat(flagship, setup, "ukraine")
    seat.propose(best_for(seat))
    events = seat.transcript()
    assert "reject" in set(events[events["round"] == 1]["event"])
    turn = seat.turn()
    assert turn.kind == ANSWER and turn.round == 2
    seat.answer(False)
    assert seat.turn().round == 3
    mine = seat.transcript()
    assert mine[(mine["round"] == 2) & (mine["party"] == "ukraine")]["event"].tolist() == ["reject"]


def test_the_result_holds_your_deal_and_the_agents_deal(flagship: Scenario, setup) -> None:
    seat = Seat(flagship, setup, "ukraine")
    with pytest.raises(NegsimError, match="not over"):
        seat.result()
    play_to_the_end(seat)
    result = seat.result()
    agents = tell(flagship, replace(setup, drawn=False))
    assert result.agents.rounds == agents.rounds
    assert result.agents_utilities == pytest.approx(
        {a.name: float(agents.model.deal_utility[0, a.index]) for a in agents.model.parties}
    )
    assert result.other == "russia"  # values Ukraine's best offer least
    space = result.space
    assert space.parties == ("ukraine", "russia") and space.nash is not None
    assert space.deal is not None
    assert space.deal == pytest.approx([result.utilities["ukraine"], result.utilities["russia"]])
    assert len(space.frontier) > 2
    point = result.agents_point()
    assert point is not None and point[0] == pytest.approx(result.agents_utilities["ukraine"])
    assert "With an agent in your seat: Agreement in round" in result.agents_sentence()


def test_two_seats_are_independent(flagship: Scenario, setup) -> None:
    one, two = Seat(flagship, setup, "ukraine"), Seat(flagship, setup, "ukraine")
    one.propose(best_for(one))
    assert one.turn().round == 2 and two.turn().round == 1
    two.leave()
    assert two.finished and not one.finished
    assert two.result().story.outcome == "walkaway"
    assert "Ukraine (Zelenskyy) walked away in round 1" in two.result().story.ending()
    assert one.turn().kind == ANSWER


def test_walking_away_after_an_offer(flagship: Scenario, setup) -> None:
    seat = Seat(flagship, setup, "ukraine")
    seat.propose(best_for(seat))
    seat.leave()
    events = seat.transcript()
    last = events[events["round"] == 2]
    assert last["event"].tolist()[0] == "offer"
    assert ("walk_away", "ukraine") in zip(last["event"], last["party"], strict=True)
    assert seat.result().utilities["ukraine"] == pytest.approx(0.45)


def test_mistakes_are_one_line(flagship: Scenario, setup) -> None:
    seat = Seat(flagship, setup, "ukraine")
    with pytest.raises(NegsimError, match="no offer for you to answer"):
        seat.answer(True)
    offer = best_for(seat)
    with pytest.raises(NegsimError, match="red line on Status of Crimea"):
        seat.propose({**offer, "crimea": "recognized_by_all"})
    with pytest.raises(NegsimError, match="Final territorial settlement missing"):
        seat.propose({k: v for k, v in offer.items() if k != "territory"})
    low = {issue: min(v, key=v.__getitem__) for issue, v in seat.option_values().items()}
    low = {k: offer[k] if k in seat.red_lines() else o for k, o in low.items()}
    with pytest.raises(NegsimError, match=r"below your walk-away value 0\.45"):
        seat.propose(low)
    seat.propose(offer)
    with pytest.raises(NegsimError, match="not your turn"):
        seat.propose(offer)
    with pytest.raises(NegsimError, match="only the alternating protocol"):
        Seat(flagship, replace(setup, protocol="simultaneous"), "ukraine")
    with pytest.raises(NegsimError, match="no party 'kyiv'"):
        Seat(flagship, setup, "kyiv")


def test_the_agents_see_your_offer_through_the_table(flagship: Scenario, setup) -> None:
    seat = Seat(flagship, setup, "ukraine")
    seat.propose(best_for(seat))
    model = seat._model
    offer = np.array([issue.index(best_for(seat)[issue.name]) for issue in flagship.issues])
    assert (model.offer_history[0, 0] == offer).all()  # on the table, as any offer is
    assert model.proposer_history[0, 0] == flagship.party_names.index("ukraine")


@pytest.mark.slow
def test_the_panel_plays_as_ukraine_rendered(flagship: Scenario) -> None:
    import ipyvue
    import ipyvuetify as v
    import ipywidgets as widgets
    import solara

    from negsim.view import debrief, seat_panel, state

    def text(rc: object) -> str:
        templates = rc.find(ipyvue.VueTemplate).widgets  # type: ignore[attr-defined]
        return "\n".join(w.template for w in templates if isinstance(w.template, str))

    def click(rc: object, label: str) -> None:
        rc.find(v.Btn, children=[label]).widget.click()  # type: ignore[attr-defined]

    state.reset_all("ukraine_2025")
    debrief.clear()
    seat_panel.seat.value = None
    _box, rc = solara.render(seat_panel.SeatPanel(), handle_error=False)
    rc.find(v.Select, label="Play as").widget.v_model = "Ukraine (Zelenskyy)"
    click(rc, "Take the seat")
    assert "Round 1: your turn to propose" in text(rc)
    assert "Your offer is worth 1.00 to you." in text(rc)
    crimea = rc.find(v.Select, label="Status of Crimea").widget
    assert "No form of recognition; Crimea remains Ukrainian in law (0.10)" in crimea.items
    crimea.v_model = "Russian control acknowledged de facto only; no legal recognition (0.05)"
    assert "Your offer is worth 0.95 to you." in text(rc)
    crimea.v_model = "Crimea recognised as Russian de jure, by Ukraine as well (0.00)"
    click(rc, "Propose")
    alert = rc.find(v.Alert).widget  # type: ignore[attr-defined]
    assert alert.children == ["That crosses your red line on Status of Crimea"]
    crimea = rc.find(v.Select, label="Status of Crimea").widget
    crimea.v_model = "No form of recognition; Crimea remains Ukrainian in law (0.10)"
    click(rc, "Propose")
    assert "Round 2: United States (Trump administration) proposes" in text(rc)
    assert (
        "Russia (Putin) rejects: crosses its red line on NATO membership for Ukraine; "
        "Ceasefire first or settlement first" in text(rc)
    )
    seat = seat_panel.seat.value
    assert seat is not None
    while not seat.finished:
        turn = seat.turn()
        if turn.kind == PROPOSE:
            click(rc, "Propose")
        else:
            try:
                seat._acceptable(seat._indices(turn.offer or {}))
                click(rc, "Accept")
            except NegsimError:
                click(rc, "Reject")
    assert "Agreement in round" in text(rc)
    assert "With an agent in your seat: Agreement in round 24." in text(rc)
    rc.find(widgets.Image).assert_single()
    assert len(debrief.played()) == 1
    rc.close()
    debrief.clear()
