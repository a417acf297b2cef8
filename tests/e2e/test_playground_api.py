"""The playground's user-side API over HTTP: who sees which chat, forced replies, training,
the clock and reset (the page in a real browser is tested in tests/browser)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.demo.stage import START, buttons
from bot.playground import Playground, WebServer
from bot.playground.cast import NoCast, choose_cast
from sandbox.actions import tiny_png
from services.roster import Roster
from services.sample_town import build_sample_town
from tests.town import test_town as town_roster


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Playground, aiohttp.ClientSession]]:
    pg = await Playground(tmp_path / "pg", town_roster(), start=START).open()
    server = WebServer(pg)
    url = await server.start("127.0.0.1", 0)
    session = aiohttp.ClientSession(base_url=url)
    try:
        yield pg, session
    finally:
        await session.close()
        await server.stop()
        await pg.close()


async def get(session: aiohttp.ClientSession, path: str, **query: Any) -> Any:
    async with session.get(path, params={k: str(v) for k, v in query.items()}) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def post(session: aiohttp.ClientSession, path: str, **body: Any) -> Any:
    async with session.post(path, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


def test_the_cast_is_one_line_of_the_grid() -> None:
    plan = choose_cast(town_roster())
    assert (plan.micro_grid.code, plan.grid.code, plan.village.code) == ("M1", "G1", "V1")
    assert {r: s.code for r, s in plan.staff.items()} == {
        "l4": "L4A",
        "l3": "L3A",
        "l2": "V1C",
        "l1": "C1",
    }
    assert plan.resident.code == "M1-H1"
    assert [u.code for u in plan.group_units] == ["M1", "M2", "M3"]  # village V1's micro-grids
    sample = choose_cast(build_sample_town())
    assert all(u.code.startswith(sample.village.code) for u in sample.group_units)


def test_a_roster_without_a_full_line_has_no_cast() -> None:
    town = town_roster()
    without_cadres = Roster(
        units=town.units,
        staff=tuple(s for s in town.staff if s.level != 1),
        households=town.households,
    )
    with pytest.raises(NoCast):
        choose_cast(without_cadres)


async def test_each_person_sees_their_own_chats(served: tuple[Playground, Any]) -> None:
    _, session = served
    setup = await get(session, "/play/setup")
    assert [p["role"] for p in setup["people"]] == ["resident", "l4", "l3", "l2", "l1"]
    assert setup["people"][1]["label"] == {"zh": "微网格员（四级）", "en": "Micro-grid worker (L4)"}
    assert set(setup["ui"]["zh"]) == set(setup["ui"]["en"])
    assert setup["points"][-1]["label"]["en"] == "Outside the town (far away)"

    def titles(chats: list[dict[str, Any]]) -> list[str]:
        return [c["title"] for c in chats]

    people = {p["role"]: p["id"] for p in setup["people"]}
    resident = await get(session, "/play/chats", user=people["resident"])
    assert titles(resident) == ["网格助手", "益家冲组联系群"]
    village = await get(session, "/play/chats", user=people["l2"])
    assert sorted(titles(village)[1:]) == ["杨家湾组联系群", "渣塘冲组联系群", "益家冲组联系群"]
    town = await get(session, "/play/chats", user=people["l1"])
    assert titles(town) == ["网格助手"]

    # Every group is bound and shows its pinned card.
    chat = await get(session, "/play/chat", user=people["l2"], chat=village[1]["id"])
    assert chat["pinned"] is not None
    assert chat["commands"], "the group menu comes from setMyCommands"

    # Nobody acts in a chat they are not in, and only the cast can act.
    group = resident[1]["id"]
    async with session.get("/play/chat", params={"user": people["l1"], "chat": group}) as r:
        assert r.status == 404
    body = {"user": people["l1"], "chat": group, "text": "hi"}
    async with session.post("/play/send", json=body) as r:
        assert r.status == 404
    async with session.get("/play/chats", params={"user": "424242"}) as r:
        assert r.status == 400


async def test_forced_reply_training_clock_and_reset(served: tuple[Playground, Any]) -> None:
    pg, session = served
    resident, worker = pg.person("resident"), pg.person("l4")
    group = next(c for c in pg.sandbox.world.chats.values() if c.title == "益家冲组联系群")

    await post(session, "/play/send", user=resident.id, chat=group.id, text="/report")
    await pg.stage.settle_all()
    question = pg.stage.last(group)
    category = buttons(question)[pg.stage.rt.config.categories[0].zh]
    pressed = await post(
        session,
        "/play/press",
        user=resident.id,
        chat=group.id,
        message_id=question["message_id"],
        data=category,
    )
    assert pressed["answer"] is not None  # the bot answered the button press
    await pg.stage.settle_all()

    # The description question is a selective forced reply: the reporter's, not the worker's.
    mine = await get(session, "/play/chat", user=resident.id, chat=group.id)
    assert mine["force_reply"] is not None
    theirs = await get(session, "/play/chat", user=worker.id, chat=group.id)
    assert theirs["force_reply"] is None
    await post(
        session,
        "/play/send",
        user=resident.id,
        chat=group.id,
        text="路灯坏了",
        reply_to=mine["force_reply"]["message_id"],
    )
    await pg.stage.settle_all()
    assert (await get(session, "/play/chat", user=resident.id, chat=group.id))[
        "force_reply"
    ] is None

    tasks = (await get(session, "/play/training", user=resident.id))["tasks"]
    assert {t["key"]: t["done"] for t in tasks} == {"file_report": True, "confirm": False}
    english = (await get(session, "/play/training", user=worker.id, lang="en"))["tasks"]
    assert english[0]["text"].startswith("Take the resident's report")

    # Nobody accepts within the L4's four hours: moving the clock escalates it.
    assert await pg.stage.db.scalar("SELECT level FROM reports WHERE id = 1") == 4
    moved = await post(session, "/play/clock", hours=5)
    assert moved["clock"] == "2026-06-10 15:00"
    assert await pg.stage.db.scalar("SELECT level FROM reports WHERE id = 1") == 3

    await post(session, "/play/reset")
    assert pg.generation == 1
    assert await pg.stage.db.scalar("SELECT COUNT(*) FROM reports") == 0
    assert (await get(session, "/play/training", user=resident.id))["clock"] == "2026-06-10 10:00"
    assert [c["title"] for c in await get(session, "/play/chats", user=resident.id)] == [
        "网格助手",
        "益家冲组联系群",
    ]


async def test_a_photo_and_a_file_from_the_page(served: tuple[Playground, Any]) -> None:
    pg, session = served
    worker = pg.person("l4")
    form = aiohttp.FormData()
    form.add_field("user", str(worker.id))
    form.add_field("chat", str(worker.id))
    form.add_field("caption", "门口")
    form.add_field("photo", tiny_png(), filename="door.png", content_type="image/png")
    async with session.post("/play/photo", data=form) as response:
        assert response.status == 200, await response.text()
    sent = pg.sandbox.messages(worker)[-1]
    assert sent["caption"] == "门口" and "photo" in sent
    async with session.get(f"/play/file/{sent['photo'][-1]['file_id']}") as response:
        assert await response.read() == tiny_png()
    stored = pg.sandbox.world.files.add(b"x", file_name="导出.xlsx", mime_type="text/plain")
    async with session.get(f"/play/file/{stored.file_id}") as response:
        assert "filename*=UTF-8''%E5%AF%BC%E5%87%BA.xlsx" in response.headers["Content-Disposition"]
    async with session.get("/play/file/nothing") as response:
        assert response.status == 404


async def test_moving_the_clock_runs_what_fell_due(served: tuple[Playground, Any]) -> None:
    pg, session = served

    def texts(role: str) -> list[str]:
        posts = pg.sandbox.bot_messages(pg.person(role))
        return [m.get("text") or m.get("caption") or "" for m in posts]

    # Wednesday 10:00 → Monday 10:00: each morning's daily digest (Thursday to Monday), the
    # Friday check-in reminder, Monday 08:00's weekly digest with its chart.
    moved = await post(session, "/play/clock", hours=24 * 5)
    assert moved["clock"] == "2026-06-15 10:00"
    cadre = texts("l2")
    assert [text.count("工作日报") for text in cadre].count(1) == 5
    assert sum("工作周报" in text for text in cadre) == 1
    assert sum("photo" in m for m in pg.sandbox.bot_messages(pg.person("l2"))) == 1
    grid_worker = texts("l3")
    assert len(grid_worker) == len(cadre) + 1, grid_worker
    assert sum("下网格签到提醒" in text for text in grid_worker) == 1
    await post(session, "/play/clock", hours=1)
    assert len(texts("l2")) == len(cadre)  # nothing fell due within the hour


async def test_people_who_share_a_name_stay_apart(tmp_path: Path) -> None:
    town = town_roster()
    namesake = town.households[0].model_copy(update={"head_name": "张秀兰"})  # the L4 worker
    roster = Roster(units=town.units, staff=town.staff, households=(namesake, *town.households[1:]))
    pg = await Playground(tmp_path / "pg", roster, start=START).open()
    try:
        people = pg.people()
        assert len({p.user_id for p in people}) == 5
        assert [p.name for p in people[:2]] == ["张秀兰", "张秀兰 L4A"]
    finally:
        await pg.close()
