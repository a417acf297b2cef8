"""Reports a grid worker files for a household (代报) end to end: from a logged visit, from
/tasks and from /report in private; what the household is told; who confirms."""

from __future__ import annotations

from typing import Any

from sandbox.state import Chat, User
from tests.e2e.flowsteps import link_household
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import MET, NOT_HOME, forge, log_entry, press_like
from tests.e2e.reporting import (
    ACCEPT,
    CONFIRM,
    INFRA,
    RESOLVE,
    card_of,
    events_of,
    note,
    press_on,
    status_of,
)

FILE_FOR = "📝 为该户代报问题"
PICK = "📝 代住户反映问题"
HH_CONFIRM, HH_REOPEN = "👍 住户确认已解决", "↩️ 住户说未解决"
# What identifies the household M1-H2 (roster: head, address, phone).
PERSONAL = ("M1户主2", "M1组2号", "13800000102")


async def describe(h: Harness, worker: User, text: str, category: str = INFRA) -> int:
    """Answer the category and description questions of a report being filed for a
    household; returns its number."""
    await press_like(h, worker, category)
    await h.send(worker, worker, text, reply_to=h.last(worker)["message_id"])
    number = await h.db.scalar("SELECT MAX(id) FROM reports")
    assert number is not None and f"#{number}" in h.last_text(worker), h.bot_texts(worker)
    return int(number)


async def from_visit(h: Harness, worker: User, text: str = "门前排水沟堵了") -> int:
    """Log a visit to M1户主2 (met), then file the problem the household raised."""
    await log_entry(h, worker, "/visit", "M1户主2", MET)
    await press_like(h, worker, FILE_FOR)
    assert "为 M1户主2" in h.last(worker)["reply_to_message"]["text"]
    return await describe(h, worker, text)


def group_posts(h: Harness, chat: Chat) -> list[dict[str, Any]]:
    return [m for m in h.bot_posts(chat) if "代为登记" in (m.get("text") or "")]


async def test_filed_from_a_visit_routes_and_tells_the_group_without_personal_data(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, resident, chat = town
    number = await from_visit(h, worker)
    row = await status_of(h, number)
    household = await h.db.scalar("SELECT id FROM households WHERE code = 'M1-H2'")
    staff = await h.db.scalar("SELECT id FROM staff WHERE code = 'L4A'")
    assert (row["household_id"], row["recorded_by_staff_id"], row["collected_on"]) == (
        household,
        staff,
        "visit",
    )
    assert (row["reporter_tg_id"], row["reporter_name"]) == (0, "M1户主2")
    assert (row["status"], row["level"], row["description"]) == ("new", 4, "门前排水沟堵了")
    # The worker's confirmation carries no reporter's buttons (urging, me too).
    confirmation = next(
        m
        for m in h.bot_posts(worker)
        if f"已登记问题 <b>#{number}" in m["text"] or f"已登记问题 #{number}" in m["text"]
    )
    assert buttons(confirmation) == {}
    assert [e[0] for e in await events_of(h, number)] == ["filed"]
    assert (await events_of(h, number))[0][3] == "staff:L4A"
    # Routing as for any report: the micro-grid's worker gets the card with its buttons.
    card = card_of(h, worker, number)
    assert "M1户主2" in card["text"] and "代报：由 张秀兰 登记（走访时收集）" in card["text"]
    assert "13800000102" in card["text"] and ACCEPT in buttons(card)
    # The group: the number and the category, and nothing that identifies the household.
    [told] = group_posts(h, chat)
    assert f"#{number}" in told["text"] and INFRA in told["text"]
    for private in (*PERSONAL, "排水沟"):
        assert private not in told["text"]
    assert h.bot_posts(resident) == []


async def test_without_a_linked_resident_the_worker_records_the_households_word(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, chat = town
    number = await from_visit(h, worker)
    await press_on(h, worker, number, ACCEPT)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "已疏通")
    asked = h.last(worker)
    assert "请向住户核实" in asked["text"] and set(buttons(asked)) == {HH_CONFIRM, HH_REOPEN}
    await h.press(worker, asked, buttons(asked)[HH_REOPEN])
    assert (await status_of(h, number))["status"] == "accepted"
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "已再次疏通")
    asked = h.last(worker)
    await h.press(worker, asked, buttons(asked)[HH_CONFIRM])
    row = await status_of(h, number)
    assert row["status"] == "closed" and row["reopen_count"] == 1
    actions = [(e[0], e[3]) for e in await events_of(h, number)]
    assert actions[-3:] == [
        ("household_reopen", "staff:L4A"),
        ("resolve", "staff:L4A"),
        ("household_confirm", "staff:L4A"),
    ]
    # Nothing of it reached the group besides the notice that it was recorded.
    assert len(group_posts(h, chat)) == 1
    assert not any("已疏通" in (m.get("text") or "") for m in h.bot_posts(chat))


async def test_a_linked_resident_is_told_privately_and_confirms(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, resident, chat = town
    await link_household(h, resident, "M1-H2")
    h.sb.start_bot(resident)
    number = await from_visit(h, worker)
    told = h.last(resident)
    assert f"#{number}" in told["text"] and "您家的问题" in told["text"]
    assert group_posts(h, chat) == []
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "已疏通")
    resolved = h.last(resident)
    assert "已疏通" in resolved["text"] and CONFIRM in buttons(resolved)
    # The worker is not offered the household's word: the resident answers.
    assert not any(HH_CONFIRM in buttons(m) for m in h.bot_posts(worker))
    await h.press(resident, resolved, buttons(resolved)[CONFIRM])
    assert (await status_of(h, number))["status"] == "closed"
    assert (await events_of(h, number))[-1][0] == "confirm"
    assert any("群众已确认" in t for t in h.bot_texts(worker))
    # The satisfaction call-back goes to the linked resident, privately; they answer it.
    callback = next(m for m in reversed(h.bot_posts(resident)) if "满意" in buttons(m))
    assert "您对处理结果满意吗" in callback["text"]
    await h.press(resident, callback, buttons(callback)["满意"])
    rating = await h.db.fetchone("SELECT * FROM report_ratings WHERE report_id = ?", (number,))
    assert rating is not None and (rating["rating"], rating["tg_user_id"]) == (
        "satisfied",
        resident.id,
    )
    assert rating["by_staff_id"] is None
    # Another resident may not answer it in the household's place.
    stranger = h.user("旁人")
    h.sb.start_bot(stranger)
    await h.send(stranger, stranger, "/start")
    rate = buttons(callback)["不满意"]
    pressed = await forge(h, stranger, h.last(stranger), rate)
    assert "satisfied" == (
        await h.db.scalar("SELECT rating FROM report_ratings WHERE report_id = ?", (number,))
    )
    assert (h.answer(pressed) or {}).get("show_alert")
    # The resident sees the household's report in /my and /status (without the phone).
    await h.send(resident, resident, "/my")
    assert f"#{number}" in h.last_text(resident)
    await h.send(resident, resident, f"/status {number}")
    shown = h.last_text(resident)
    assert "门前排水沟堵了" in shown and "13800000102" not in shown
    # Another resident sees nothing of it.
    stranger = h.user("路人")
    h.sb.start_bot(stranger)
    await h.send(stranger, stranger, f"/status {number}")
    assert "找不到问题" in h.last_text(stranger)


async def test_from_tasks_with_the_household_list_and_search(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, chat = town
    await h.send(worker, worker, "/tasks")
    due = next(m for m in h.bot_posts(worker) if PICK in buttons(m))
    await h.press(worker, due, buttons(due)[PICK])
    picker = h.last(worker)
    assert "代报问题" in picker["text"] and "共 4 户" in picker["text"]
    await h.send(worker, worker, "户主3")  # the logbook's search, as it is
    searched = h.last(worker)
    assert [label for label in buttons(searched) if "户主" in label] == ["⏳ M1户主3 · M1组3号 📵"]
    await press_like(h, worker, "M1户主3")
    chosen = h.sb.message(worker, searched["message_id"])
    assert "已选择住户：M1户主3" in chosen["text"]
    await press_like(h, worker, FILE_FOR, chosen)
    number = await describe(h, worker, "院墙裂缝")
    row = await status_of(h, number)
    assert (row["reporter_name"], row["collected_on"], row["description"]) == (
        "M1户主3",
        None,
        "院墙裂缝",
    )
    assert f"#{number}" in group_posts(h, chat)[-1]["text"]
    assert await h.db.scalar("SELECT COUNT(*) FROM household_drafts") == 0


async def test_from_report_in_private_with_the_text_given(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, _ = town
    await h.send(worker, worker, "/report 路口积水")
    assert "代报问题" in h.last_text(worker)
    await press_like(h, worker, "M1户主4")
    await press_like(h, worker, INFRA)
    number = await h.db.scalar("SELECT MAX(id) FROM reports")
    assert number is not None and f"#{number}" in h.last_text(worker)
    row = await status_of(h, int(number))
    assert (row["reporter_name"], row["description"], row["category"]) == (
        "M1户主4",
        "路口积水",
        "infrastructure",
    )


async def test_a_photo_or_voice_sent_with_report_in_private_goes_with_the_report(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, _ = town
    # A photo captioned /report …: the photo and the words go with the household's report.
    await h.settle(h.sb.send_photo(worker, worker, caption="/report 墙体开裂"))
    assert "代报问题" in h.last_text(worker)
    await press_like(h, worker, "M1户主4")
    await press_like(h, worker, INFRA)
    number = int(await h.db.scalar("SELECT MAX(id) FROM reports"))
    assert f"#{number}" in h.last_text(worker)
    row = await status_of(h, number)
    assert (row["reporter_name"], row["description"]) == ("M1户主4", "墙体开裂")
    assert row["photo_file_id"]
    # A voice captioned /report: described by the placeholder, the recording kept with it.
    await h.settle(h.sb.send_media(worker, worker, "voice", 25, caption="/report"))
    await press_like(h, worker, "M1户主2")
    await press_like(h, worker, INFRA)
    voiced = int(await h.db.scalar("SELECT MAX(id) FROM reports"))
    assert voiced == number + 1 and f"#{voiced}" in h.last_text(worker)
    row = await status_of(h, voiced)
    assert (row["reporter_name"], row["description"]) == ("M1户主2", "（语音反映）")
    kinds = await h.db.fetchall(
        "SELECT kind, duration FROM report_attachments WHERE report_id = ?", (voiced,)
    )
    assert [(k["kind"], k["duration"]) for k in kinds] == [("voice", 25)]
    assert "🎤 语音 0:25" in card_of(h, worker, voiced)["text"]
    # A recording past the limit is refused at once; nothing is kept.
    await h.settle(h.sb.send_media(worker, worker, "voice", 3600, caption="/report"))
    assert "录音太长" in h.last_text(worker) and "代报问题" not in h.last_text(worker)
    assert await h.db.scalar("SELECT COUNT(*) FROM household_drafts") == 0
    assert await h.db.scalar("SELECT COUNT(*) FROM report_attachments") == 1


async def test_a_visit_with_nobody_at_home_offers_no_report(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    await log_entry(h, worker, "/visit", "M1户主1", NOT_HOME)
    assert not any(FILE_FOR in buttons(m) for m in h.bot_posts(worker))
    await log_entry(h, worker, "/contact", "M1户主1", "📞 电话")
    assert FILE_FOR in buttons(h.last(worker))


async def test_a_contact_marks_the_report_collected_on_a_contact(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, _ = town
    await log_entry(h, worker, "/contact", "M1户主1", "📞 电话")
    await press_like(h, worker, FILE_FOR)
    number = await describe(h, worker, "想咨询低保政策")
    assert (await status_of(h, number))["collected_on"] == "contact"
    # One visit or contact may give several reports: the button opens a new one each time.
    await press_like(
        h, worker, FILE_FOR, next(m for m in h.bot_posts(worker) if FILE_FOR in buttons(m))
    )
    second = await describe(h, worker, "路灯不亮")
    assert second == number + 1


async def test_the_file_for_button_delivered_twice_opens_one_report(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, _ = town
    await log_entry(h, worker, "/visit", "M1户主2", MET)
    offer = h.last(worker)
    press = h.sb.press(worker, offer, buttons(offer)[FILE_FOR])
    await h.settle(press)
    # Telegram delivers the very same press again (e.g. after a restart).
    assert h.sb.world.updates.push("callback_query", press.update["callback_query"]) is not None
    await h.settle_all()
    assert len([t for t in h.bot_texts(worker) if "为 M1户主2" in t]) == 1
    assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 1


async def test_the_households_words_may_be_a_voice_and_stay_out_of_the_group(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, chat = town
    await log_entry(h, worker, "/visit", "M1户主2", MET)
    await press_like(h, worker, FILE_FOR)
    await press_like(h, worker, INFRA)
    question = h.last(worker)
    assert "写下 M1户主2 反映的问题" in question["text"]
    await h.settle(h.sb.send_media(worker, worker, "voice", 20, reply_to=question["message_id"]))
    number = await h.db.scalar("SELECT MAX(id) FROM reports")
    assert number is not None
    row = await status_of(h, int(number))
    assert (row["description"], row["reporter_name"], row["collected_on"]) == (
        "（语音反映）",
        "M1户主2",
        "visit",
    )
    kinds = await h.db.fetchall(
        "SELECT kind FROM report_attachments WHERE report_id = ?", (int(number),)
    )
    assert [k["kind"] for k in kinds] == ["voice"]
    assert "🎤 语音 0:20" in card_of(h, worker, int(number))["text"]
    # The group is told the number and the category only: no recording goes there.
    assert not any("voice" in m for m in h.bot_posts(chat))
    [told] = group_posts(h, chat)
    assert f"#{number}" in told["text"] and "语音" not in told["text"]


async def test_after_closure_the_worker_records_the_households_rating(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, chat = town
    number = await from_visit(h, worker)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "已疏通")
    asked = h.last(worker)
    await h.press(worker, asked, buttons(asked)[HH_CONFIRM])
    closed = next(m for m in reversed(h.bot_posts(worker)) if "代记：满意" in buttons(m))
    assert f"{number}" in closed["text"]
    # Nobody is sent the call-back question: the household has no chat of its own here.
    assert not any("您对处理结果满意吗" in t for t in h.bot_texts(worker) + h.bot_texts(chat))
    await h.press(worker, closed, buttons(closed)["代记：不满意"])
    row = await status_of(h, number)
    assert row["status"] == "accepted" and row["reopen_count"] == 1
    assert (await events_of(h, number))[-1][0] == "dissatisfied"
