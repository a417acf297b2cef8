"""The persistence on SQLite, survey rounds and answers, and home-visit deadlines (no Telegram)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock, to_ts
from bot.config import config_from_dict
from bot.persistence import SqlitePersistence
from bot.storage import grid
from bot.storage import pension as pension_store
from bot.storage import survey as survey_store
from bot.storage.cases import history as case_history
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.cases import Kind
from models.errors import Refusal
from models.pension import Mode, Move, Status
from models.units import Level
from services import cases, pension, pension_visits, survey
from services.actors import actor_for
from services.town_files import load_town_files
from tests import town
from tests.builders import link_staff, put_group

T0 = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "x.sqlite3")
    await apply_roster(database, town.test_town(), T0)
    yield database
    await database.close()


async def test_persistence_round_trip_as_json(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    store = SqlitePersistence(tmp_path / "p.sqlite3", clock)
    assert store.store_data.bot_data is False and store.store_data.callback_data is False
    await store.update_conversation("flows", (5, 5), "pension:id")
    await store.update_conversation("flows", (6, 6), "survey")
    await store.update_conversation("flows", (6, 6), None)
    await store.update_user_data(5, {"flow": {"name": "pension", "at": 1, "id4": "1234"}})
    await store.update_user_data(7, {"flow": {"name": "x"}})
    await store.drop_user_data(7)
    await store.update_chat_data(9, {})
    await store.close()
    again = SqlitePersistence(tmp_path / "p.sqlite3", clock)
    assert await again.get_conversations("flows") == {(5, 5): "pension:id"}
    assert await again.get_conversations("other") == {}
    assert await again.get_user_data() == {5: {"flow": {"name": "pension", "at": 1, "id4": "1234"}}}
    assert await again.get_chat_data() == {}
    assert await again.get_bot_data() == {} and await again.get_callback_data() is None
    db = await again.database()
    assert await db.scalar("SELECT updated_at FROM flow_conversations") == to_ts(T0)
    await again.close()


def test_rounds_are_quarters_unless_configured() -> None:
    config = config_from_dict({})
    found = survey.current_round(config, T0)
    assert found == survey.Round("2026Q2", date(2026, 4, 1), date(2026, 6, 30))
    late = survey.current_round(config, datetime(2026, 12, 31, 15, 59, tzinfo=UTC))
    assert late is not None and late.code == "2026Q4" and late.end == date(2026, 12, 31)
    # 16:00 UTC on 31 December is already 1 January in Shanghai.
    new_year = survey.current_round(config, datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
    assert new_year is not None and new_year.code == "2027Q1"
    rounds = config_from_dict(
        {
            "flows": {
                "survey": {
                    "rounds": [
                        {"code": "spring", "start": "2026-03-01", "end": "2026-05-31"},
                        {"code": "summer", "start": "2026-06-01", "end": "2026-06-15"},
                    ]
                }
            }
        }
    )
    assert survey.current_round(rounds, T0).code == "summer"  # type: ignore[union-attr]
    assert survey.current_round(rounds, T0 + timedelta(days=10)) is None


def test_overlapping_rounds_are_refused() -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="overlap"):
        config_from_dict(
            {
                "flows": {
                    "survey": {
                        "rounds": [
                            {"code": "a", "start": "2026-03-01", "end": "2026-05-31"},
                            {"code": "b", "start": "2026-05-31", "end": "2026-06-15"},
                        ]
                    }
                }
            }
        )


async def _link(db: Database, tg_user_id: int, household_code: str) -> None:
    async with db.transaction():
        await db.execute(
            "INSERT OR IGNORE INTO people (tg_user_id, display_name, first_seen_at, "
            "updated_at) VALUES (?, 'x', 0, 0)",
            (tg_user_id,),
        )
        await db.execute(
            "UPDATE people SET household_id = (SELECT id FROM households WHERE "
            "code = ?) WHERE tg_user_id = ?",
            (household_code, tg_user_id),
        )


async def test_one_response_per_household_per_round_and_averages(db: Database) -> None:
    config = config_from_dict({})
    questionnaire = load_town_files(config).questionnaire
    clock = FakeClock(T0)
    with pytest.raises(Refusal) as caught:
        await survey.opening(db, clock, config, 501)
    assert caught.value.key == "survey.need_link"
    await _link(db, 501, "M1-H1")
    await _link(db, 502, "M1-H1")
    await _link(db, 503, "M2-H1")
    opening = await survey.opening(db, clock, config, 501)
    answers = {"satisfaction": 5, "happiness": 4, "gain": 3, "security": 4, "has_problem": "no"}
    for user, ratings in ((501, answers), (503, {**answers, "satisfaction": 2})):
        await survey.submit(
            db,
            clock,
            config,
            questionnaire,
            round_code=opening.round.code,
            tg_user_id=user,
            name="x",
            answers=ratings,
            chat_id=user,
            report_message_id=None,
        )
    with pytest.raises(Refusal) as caught:
        await survey.opening(db, clock, config, 502)
    assert caught.value.key == "survey.already" and caught.value.values["when"] == (
        "2026-06-10 10:00"
    )
    async with db.transaction():
        g1 = await grid.unit_by_code(db, "G1")
        m1 = await grid.unit_by_code(db, "M1")
        assert g1 is not None and m1 is not None
        averages = {
            a.question_id: (a.average, a.count)
            for a in await survey_store.averages(db, g1, "2026Q2")
        }
        assert averages["satisfaction"] == (3.5, 2) and averages["gain"] == (3.0, 2)
        assert await survey_store.response_count(db, m1, "2026Q2") == 1
        rows = await survey_store.answers_of(
            db, [r.id for r in await survey_store.responses(db, m1)]
        )
        assert [(r.question_id, r.value) for r in rows][:5] == [
            ("satisfaction", 5.0),
            ("happiness", 4.0),
            ("gain", 3.0),
            ("security", 4.0),
            ("has_problem", "no"),
        ]


async def test_home_visit_deadlines_climb_once_per_breach(db: Database) -> None:
    config = config_from_dict({})
    clock = FakeClock(T0)
    await put_group(db, -1, "M1", members=(601,))
    await link_staff(db, {"L4A": 701, "L3A": 702, "V1C": 703})
    details = pension.Details(
        for_self=False, person_name="李桂英", id_last4="1234", phone="13800001111"
    )
    [place] = await pension.places(db, 601)
    made = await pension.request_visit(
        db, clock, config, details, place.micro_grid.id, (601, "王秀英"), (601, 10)
    )
    assert made is not None
    request, route = made
    assert route.level is Level.MICRO_GRID and request.due_at == T0 + timedelta(days=3)
    assert (
        await pension.request_visit(
            db, clock, config, details, place.micro_grid.id, (601, "王秀英"), (601, 10)
        )
        is None
    )
    clock.advance(timedelta(days=3))
    [moved] = await cases.sweep(db, clock, config, pension_visits.HOME_VISITS)
    assert moved.after.level is Level.GRID and moved.after.overdue
    assert moved.route is not None and [s.code for s in moved.route.staff] == ["L3A"]
    assert await cases.sweep(db, clock, config, pension_visits.HOME_VISITS) == []
    l4 = await actor_for(db, 701)
    with pytest.raises(Refusal) as caught:
        await cases.apply(db, clock, config, pension_visits.HOME_VISITS, l4, request.id, Move.DONE)
    assert caught.value.key == "pension.not_yours"
    clock.advance(timedelta(days=2))
    [moved] = await cases.sweep(db, clock, config, pension_visits.HOME_VISITS)
    assert moved.after.level is Level.VILLAGE
    village = await actor_for(db, 703)
    done = await cases.apply(
        db, clock, config, pension_visits.HOME_VISITS, village, request.id, Move.DONE
    )
    assert done is not None and done.after.status is Status.DONE
    async with db.transaction():
        v1 = await grid.unit_by_code(db, "V1")
        assert v1 is not None
        assert await pension_store.open_in_subtree(db, v1) == []
        counts = await pension_store.counts_in_subtree(db, v1)
        assert counts == {(Mode.HOME_VISIT.value, Status.DONE.value): 1}
        actions = [e.action for e in await case_history(db, Kind.HOME_VISIT, [request.id])]
    assert actions == ["requested", "escalate_overdue", "escalate_overdue", "done"]
