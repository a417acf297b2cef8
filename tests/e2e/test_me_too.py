"""我也遇到: other residents of the group join a report, counted per household, told of the
resolution and asked their own satisfaction; a duplicate carries its people over."""

from __future__ import annotations

from tests.e2e.flowsteps import link_household
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import DUPLICATE, card_of, file_report, note, press_on, status_of
from tests.e2e.satisfaction_steps import (
    DISSATISFIED,
    ME_TOO,
    SATISFIED,
    callback_for,
    confirm,
    forge,
    rate,
    ratings,
    resolve,
)


async def affected(h: Harness, number: int) -> list[str]:
    rows = await h.db.fetchall(
        "SELECT who FROM report_affected WHERE report_id = ? ORDER BY id", (number,)
    )
    return [r["who"] for r in rows]


async def test_me_too_counts_households_once(h: Harness, town) -> None:
    worker, resident, chat = town
    neighbour, spouse, lodger = h.user("李四"), h.user("李四的妻子"), h.user("租客")
    for person in (neighbour, spouse, lodger):
        h.sb.join(person, chat)
    await link_household(h, resident, "M1-H1")
    await link_household(h, neighbour, "M1-H2")
    await link_household(h, spouse, "M1-H2")
    number = await file_report(h, resident, chat)
    confirmation = h.last(chat)
    assert ME_TOO in buttons(confirmation)
    counted = h.answer(await h.press(neighbour, confirmation, buttons(confirmation)[ME_TOO]))
    assert counted is not None and "共 1 户" in counted["text"]
    await h.delivered()
    card = card_of(h, worker, number)
    assert "我也遇到：1 户" in h.sb.message(worker, card["message_id"])["text"]
    assert "✅ 受理" in buttons(h.sb.message(worker, card["message_id"]))
    again = h.answer(await h.press(spouse, confirmation, buttons(confirmation)[ME_TOO]))
    assert again is not None and "已经登记过" in again["text"]
    counted = h.answer(await h.press(lodger, confirmation, buttons(confirmation)[ME_TOO]))
    assert counted is not None and "共 2 户" in counted["text"]
    own = h.answer(await h.press(resident, confirmation, buttons(confirmation)[ME_TOO]))
    assert own is not None and "是您家反映的" in own["text"]
    staff = h.answer(await h.press(worker, confirmation, buttons(confirmation)[ME_TOO]))
    assert staff is not None and "只有本群的群众" in staff["text"]
    hh2 = await h.db.scalar("SELECT id FROM households WHERE code = 'M1-H2'")
    assert await affected(h, number) == [f"hh:{hh2}", f"tg:{lodger.id}"]
    await h.send(worker, worker, f"/status {number}")
    assert "我也遇到：2 户" in h.last_text(worker)
    await h.send(resident, chat, f"/status {number}")
    assert "我也遇到：2 户" in h.last_text(chat)


async def test_me_too_refuses_forged_and_other_groups(h: Harness, town) -> None:
    worker, resident, chat = town
    stranger = h.user("外人")
    other_chat = await h.group("另一个群", [stranger, worker], bind_code="M2", by=worker)
    number = await file_report(h, resident, chat)
    message = h.bot_posts(other_chat)[-1]
    refused = h.answer(await forge(h, stranger, other_chat, message, f"rm:{number}"))
    assert refused is not None and refused["show_alert"]
    forged = h.answer(await forge(h, stranger, other_chat, message, "rm:x"))
    assert forged is not None and forged["show_alert"]
    assert await affected(h, number) == []


async def test_affected_told_asked_and_the_reporter_alone_closes(h: Harness, town) -> None:
    worker, resident, chat = town
    neighbour = h.user("李四")
    h.sb.join(neighbour, chat)
    number = await file_report(h, resident, chat)
    confirmation = h.last(chat)
    await h.press(neighbour, confirmation, buttons(confirmation)[ME_TOO])
    await resolve(h, worker, number, "换了新灯")
    told = [t for t in h.bot_texts(chat) if "您也遇到" in t]
    assert len(told) == 1 and "换了新灯" in told[0] and "李四" in told[0]
    assert (await status_of(h, number))["status"] == "resolved"
    await confirm(h, resident, chat, number)
    assert (await status_of(h, number))["status"] == "closed"
    late = h.user("迟到的人")
    h.sb.join(late, chat)
    refused = h.answer(await h.press(late, confirmation, buttons(confirmation)[ME_TOO]))
    assert refused is not None and "已经处理完毕" in refused["text"]
    await rate(h, neighbour, callback_for(h, chat, neighbour, number), DISSATISFIED)
    await rate(h, resident, callback_for(h, chat, resident, number), SATISFIED)
    assert await ratings(h, number) == [
        ("reporter", "satisfied", ""),
        (f"tg:{neighbour.id}", "dissatisfied", ""),
    ]
    # The neighbour's own dissatisfaction sent it back to the worker.
    row = await status_of(h, number)
    assert row["status"] == "accepted" and row["reopen_count"] == 1


async def test_duplicate_carries_its_reporter_and_affected_over(h: Harness, town) -> None:
    worker, resident, chat = town
    second_reporter, neighbour = h.user("赵六"), h.user("李四")
    for person in (second_reporter, neighbour):
        h.sb.join(person, chat)
    first = await file_report(h, resident, chat, "垃圾没人收")
    second = await file_report(h, second_reporter, chat, "垃圾堆了好几天")
    confirmation = h.last(chat)
    await h.press(neighbour, confirmation, buttons(confirmation)[ME_TOO])
    # The first reporter said "me too" on the copy as well: never affected on their own.
    await h.press(resident, confirmation, buttons(confirmation)[ME_TOO])
    await press_on(h, worker, second, DUPLICATE)
    await note(h, worker, f"#{first}")
    assert await affected(h, first) == [f"tg:{second_reporter.id}", f"tg:{neighbour.id}"]
    await h.send(worker, worker, f"/status {first}")
    assert "我也遇到：2 户" in h.last_text(worker)
    await resolve(h, worker, first)
    await confirm(h, resident, chat, first)
    asked = {r[0] for r in await ratings(h, first)}
    assert asked == {"reporter", f"tg:{second_reporter.id}", f"tg:{neighbour.id}"}
