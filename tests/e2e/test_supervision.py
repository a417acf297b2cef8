"""Supervision (督办) by L1/L2 cadres and urging (催办) by the reporter, end to end."""

from __future__ import annotations

from datetime import timedelta

from sandbox.state import Chat, User
from scheduler.deadlines import JOB_NAME
from services.export import build_sheets
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import ACCEPT, events_of, file_report, note, press_on, status_of

ONE_DAY, FOUR_HOURS = "1天内", "4小时内"
PROGRESS, URGE = "📝 回复进展", "📣 催一下"


async def forge(h: Harness, who: User, chat: Chat | User, data: str) -> str:
    """A press with forged data on the bot's last message in the chat; the answer's text."""
    injected = await h.settle(h.sb.forge_press(who, chat, h.last(chat)["message_id"], data))
    answer = h.answer(injected)
    assert answer is not None
    return str(answer["text"])


def supervise_label(number: int) -> str:
    return f"🔔 督办 #{number}"


async def supervise(h: Harness, cadre: User, message: dict, number: int, within: str, text: str):
    """Press 督办 on `message`, pick the answer time, reply with the instruction."""
    await h.press(cadre, message, buttons(message)[supervise_label(number)])
    pick = h.last(cadre)
    assert f"#{number}" in pick["text"] and set(buttons(pick)) == {FOUR_HOURS, ONE_DAY, "3天内"}
    await h.press(cadre, pick, buttons(pick)[within])
    assert "督办要求" in h.last_text(cadre)
    await note(h, cadre, text)


async def accepted_report(h: Harness, town, text: str = "村口路灯坏了") -> int:
    worker, resident, chat = town
    number = await file_report(h, resident, chat, text)
    await press_on(h, worker, number, ACCEPT)
    return number


async def supervisions(h: Harness, number: int) -> list[dict]:
    rows = await h.db.fetchall(
        "SELECT * FROM report_supervisions WHERE report_id = ? ORDER BY id", (number,)
    )
    return [dict(r) for r in rows]


async def test_village_cadre_supervises_from_status_and_the_owner_answers(h: Harness, town) -> None:
    worker, _, _ = town
    number = await accepted_report(h, town)
    cadre = await h.staff("V1C", "周红梅")
    await h.send(cadre, cadre, f"/status {number}")
    shown = h.last(cadre)
    assert supervise_label(number) in buttons(shown)
    await supervise(h, cadre, shown, number, ONE_DAY, "请尽快修好<b>路灯</b>")
    assert "已督办问题" in h.last_text(cadre) and "张秀兰" in h.last_text(cadre)
    told = h.last(worker)
    assert "督办" in told["text"] and "周红梅" in told["text"]
    assert "请尽快修好&lt;b&gt;路灯&lt;/b&gt;" in h.sb.calls_to("sendMessage")[-1].params["text"]
    assert set(buttons(told)) == {PROGRESS}
    [row] = await supervisions(h, number)
    assert row["due_at"] - row["set_at"] == 86400 and row["answered_at"] is None
    # A second supervision while the first waits is refused.
    await h.send(cadre, cadre, f"/status {number}")
    assert supervise_label(number) in buttons(h.last(cadre))
    again = await h.press(cadre, h.last(cadre), buttons(h.last(cadre))[supervise_label(number)])
    assert "已在督办中" in h.answer(again)["text"]
    # The owner answers with progress; the cadre hears it.
    await h.press(worker, told, buttons(told)[PROGRESS])
    assert "办理进展" in h.last_text(worker)
    await note(h, worker, "已联系电工，明天上午更换")
    assert "已回复" in h.last_text(worker)
    assert "督办已答复" in h.last_text(cadre) and "明天上午更换" in h.last_text(cadre)
    [row] = await supervisions(h, number)
    assert row["answered_at"] is not None and row["answer"] == "已联系电工，明天上午更换"
    actions = [e[0] for e in await events_of(h, number)]
    assert actions == ["filed", "accept", "supervise", "supervise_answer"]
    # Answered in time: past the due time the sweep leaves it where it is.
    h.clock.advance(timedelta(days=1, minutes=1))
    await h.run_job(JOB_NAME)
    report = await status_of(h, number)
    assert report["status"] == "accepted" and report["level"] == 4 and report["overdue"] == 0
    # /status shows the mark and the steps.
    await h.send(worker, worker, f"/status {number}")
    text = h.last_text(worker)
    assert "🔔 督办（周红梅）" in text and "督办已答复" in text
    assert "督办（周红梅）" in text and "答复督办（张秀兰）" in text
    # The worker (L4) never gets the 督办 button.
    assert supervise_label(number) not in buttons(h.last(worker))
    # The reporter sees that the report is supervised and answered, not what was said.
    _, resident, _ = town
    h.sb.start_bot(resident)
    await h.send(resident, resident, f"/status {number}")
    text = h.last_text(resident)
    assert "🔔 督办中（周红梅）" in text and "督办（周红梅）" in text
    assert "路灯</b>" not in text and "尽快修好" not in text and "明天上午更换" not in text


async def test_town_cadre_supervises_from_the_board_unanswered_escalates(h: Harness, town) -> None:
    worker, _, chat = town
    number = await accepted_report(h, town)
    grid_worker = await h.staff("L3A", "李明")
    town_cadre = await h.staff("C1", "刘建国")
    await h.send(town_cadre, town_cadre, "/board")
    villages = h.last(town_cadre)
    await h.press(town_cadre, villages, buttons(villages)["大屯营村"])
    board = h.last(town_cadre)
    assert f"#{number}" in board["text"] and "🔔督办" not in board["text"]
    await supervise(h, town_cadre, board, number, FOUR_HOURS, "今天必须处理")
    told = h.last(worker)
    assert "今天必须处理" in told["text"] and set(buttons(told)) == {PROGRESS}
    # Marked on the board, and no second 督办 button while it waits.
    await h.send(town_cadre, town_cadre, "/board")
    villages = h.last(town_cadre)
    await h.press(town_cadre, villages, buttons(villages)["大屯营村"])
    board = h.last(town_cadre)
    assert "🔔督办" in board["text"] and supervise_label(number) not in buttons(board)
    # Not yet due: nothing moves.
    h.clock.advance(timedelta(hours=3, minutes=59))
    await h.run_job(JOB_NAME)
    assert (await status_of(h, number))["level"] == 4
    # Past due unanswered: it climbs like a missed deadline, once.
    h.clock.advance(timedelta(minutes=2))
    await h.run_job(JOB_NAME)
    report = await status_of(h, number)
    assert report["status"] == "new" and report["level"] == 3 and report["overdue"] == 1
    assert report["owner_staff_id"] is None and report["escalations"] == 1
    events = await events_of(h, number)
    assert events[-1] == ("supervise_overdue", "new", 3, "system")
    assert "督办到期未答复" in h.last_text(town_cadre) and "三级网格员" in h.last_text(town_cadre)
    assert f"#{number}" in h.last_text(grid_worker)
    assert "未在规定时间内办理" in h.last_text(chat)
    [row] = await supervisions(h, number)
    assert row["lapsed_at"] is not None
    await h.run_job(JOB_NAME)
    assert len(await events_of(h, number)) == len(events)
    # Lapsed: the owner can no longer answer it; the cadre may supervise again.
    progress = await h.press(worker, told, buttons(told)[PROGRESS])
    assert "没有等待答复的督办" in h.answer(progress)["text"]
    await h.send(town_cadre, town_cadre, f"/status {number}")
    status = h.last(town_cadre)
    assert "督办超时自动上报" in status["text"] and "逾期未答复" in status["text"]
    assert supervise_label(number) in buttons(status)


async def test_unanswered_at_the_town_is_flagged_and_the_cadre_told(h: Harness, town) -> None:
    """At the town the report can climb no further: the lapse flags it, and the cadre who
    supervised hears so — once."""
    number = await accepted_report(h, town)
    village_cadre = await h.staff("V1C", "周红梅")
    town_cadre = await h.staff("C1", "刘建国")
    await h.send(village_cadre, village_cadre, f"/status {number}")
    await supervise(h, village_cadre, h.last(village_cadre), number, FOUR_HOURS, "今天处理")
    # The town takes the report over (at the top level), and supervises it again itself.
    h.clock.advance(timedelta(hours=4, minutes=1))
    await h.run_job(JOB_NAME)
    for _ in range(3):
        if (await status_of(h, number))["level"] == 1:
            break
        h.clock.advance(timedelta(days=3))
        await h.run_job(JOB_NAME)
    assert (await status_of(h, number))["level"] == 1
    await press_on(h, town_cadre, number, ACCEPT)
    await h.send(town_cadre, town_cadre, f"/status {number}")
    await supervise(h, town_cadre, h.last(town_cadre), number, FOUR_HOURS, "马上处理")
    before = await events_of(h, number)
    h.clock.advance(timedelta(hours=4, minutes=1))
    await h.run_job(JOB_NAME)
    report = await status_of(h, number)
    assert report["level"] == 1 and report["overdue"] == 1 and report["status"] == "accepted"
    after = await events_of(h, number)
    assert after == [*before, ("supervise_overdue", "accepted", 1, "system")]  # flagged only
    assert "督办到期未答复，已标记为督办逾期" in h.last_text(town_cadre)
    await h.run_job(JOB_NAME)
    told = [t for t in h.bot_texts(town_cadre) if "已标记为督办逾期" in t]
    assert len(told) == 1 and len(await events_of(h, number)) == len(after)
    assert not any("已标记为督办逾期" in t for t in h.bot_texts(village_cadre))


async def test_supervision_refused_below_cadres_and_outside_the_subtree(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await accepted_report(h, town)
    grid_worker = await h.staff("L3A", "李明")
    other_cadre = await h.staff("V2C", "胡志强")
    forged = f"spv:{number}"
    for who in (worker, grid_worker):
        await h.send(who, who, f"/status {number}")
        assert supervise_label(number) not in buttons(h.last(who))
        assert "只有镇、村两级干部可以督办" in await forge(h, who, who, forged)
    assert "只有镇、村两级干部可以督办" in await forge(h, resident, chat, forged)
    await h.send(other_cadre, other_cadre, f"/status {number}")
    assert supervise_label(number) not in buttons(h.last(other_cadre))
    for data in (forged, f"spw:{number}:0"):
        assert f"#{number}" in await forge(h, other_cadre, other_cadre, data)
        assert "督办要求" not in h.last_text(other_cadre)
    assert await supervisions(h, number) == []
    # A forged 回复进展 by someone who does not handle it (and nothing waits) is refused.
    assert "没有等待答复的督办" in await forge(h, grid_worker, grid_worker, f"spp:{number}")


async def test_progress_answered_only_by_the_owner(h: Harness, town) -> None:
    number = await accepted_report(h, town)
    cadre = await h.staff("V1C", "周红梅")
    other = await h.staff("L4B", "王芳")
    await h.send(cadre, cadre, f"/status {number}")
    await supervise(h, cadre, h.last(cadre), number, ONE_DAY, "尽快处理")
    await h.send(other, other, "/my")
    assert "由负责人答复" in await forge(h, other, other, f"spp:{number}")


async def urge(h: Harness, who: User, chat: Chat, confirmation: dict) -> str:
    pressed = await h.press(who, confirmation, buttons(confirmation)[URGE])
    return h.answer(pressed)["text"]


async def test_urging_after_the_accept_deadline_once_a_day_by_the_reporter(
    h: Harness, town
) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat, "垃圾没人清")
    confirmation = h.last(chat)
    assert URGE in buttons(confirmation)
    # Before the accept deadline (4 h at the micro-grid): told when it will be possible.
    assert "之后可以催办" in await urge(h, resident, chat, confirmation)
    await press_on(h, worker, number, ACCEPT)
    h.clock.advance(timedelta(hours=4, minutes=1))
    # Someone else in the group: refused politely.
    neighbour = h.user("李德福")
    await h.settle(h.sb.join(neighbour, chat))
    assert "只有登记问题" in await urge(h, neighbour, chat, confirmation)
    assert "已催办问题" in await urge(h, resident, chat, confirmation)
    assert "群众催办问题" in h.last_text(worker) and "第1次" in h.last_text(worker)
    # Again within 24 h: refused; after: counted again.
    assert "之后可以再催" in await urge(h, resident, chat, confirmation)
    h.clock.advance(timedelta(hours=23, minutes=58))
    assert "之后可以再催" in await urge(h, resident, chat, confirmation)
    h.clock.advance(timedelta(minutes=2))
    assert "第2次" in await urge(h, resident, chat, confirmation)
    assert "第2次" in h.last_text(worker)
    assert (
        await h.db.scalar("SELECT COUNT(*) FROM report_urges WHERE report_id = ?", (number,)) == 2
    )
    assert [e[0] for e in await events_of(h, number)][-2:] == ["urge", "urge"]
    # The count on the owner's card (/tasks) and in /status.
    await h.send(worker, worker, "/tasks")
    assert any("群众催办 2 次" in t for t in h.bot_texts(worker)[-3:])
    await h.send(resident, resident, f"/status {number}")
    assert "群众催办 2 次" in h.last_text(resident)


async def test_urging_nobody_owns_it_reminds_the_level(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat, "井盖丢了")
    confirmation = h.last(chat)
    h.clock.advance(timedelta(hours=4, minutes=1))
    assert "已催办问题" in await urge(h, resident, chat, confirmation)
    assert f"群众催办问题 #{number}" in h.last_text(worker)


async def test_digest_counts_supervision_and_urging(h: Harness, town) -> None:
    worker, resident, chat = town
    cadre = await h.staff("V1C", "周红梅")
    answered = await accepted_report(h, town, "路灯坏了")
    waiting = await accepted_report(h, town, "水管漏水")
    lapsed = await accepted_report(h, town, "道路塌陷")
    urged = await accepted_report(h, town, "垃圾没人清")
    await file_report(h, resident, chat, "无人理会")  # neither supervised nor urged
    for number, within in ((answered, ONE_DAY), (lapsed, FOUR_HOURS)):
        await h.send(cadre, cadre, f"/status {number}")
        await supervise(h, cadre, h.last(cadre), number, within, "请处理")
    await press_on(h, worker, answered, PROGRESS)
    await note(h, worker, "在办")
    h.clock.advance(timedelta(hours=4, minutes=1))
    await h.run_job(JOB_NAME)  # the 4 h supervision lapses; the new report misses its deadline
    await h.send(cadre, cadre, f"/status {waiting}")
    await supervise(h, cadre, h.last(cadre), waiting, ONE_DAY, "请处理")
    confirmation = next(
        m for m in reversed(h.bot_posts(chat)) if f"#{urged}" in m["text"] and URGE in buttons(m)
    )
    await urge(h, resident, chat, confirmation)
    h.clock.advance(timedelta(days=1))
    await urge(h, resident, chat, confirmation)
    await h.send(cadre, cadre, "/digest")
    text = next(
        m["text"] for m in reversed(h.bot_posts(cadre)) if "督办中的问题" in m.get("text", "")
    )
    # By hand: three supervised open reports — one answered, one waiting, one lapsed; one
    # report urged twice; overdue open: the lapsed one and the one nobody accepted.
    assert "督办中的问题 3 件：已答复 1 件，待答复 1 件，逾期未答复 1 件" in text
    assert "被群众催办的问题 1 件（共 2 次）" in text
    overdue = sorted([lapsed, urged + 1])
    assert f"超期未办结：#{overdue[0]}、#{overdue[1]}" in text
    # 督办 under the digest for the overdue ones (a worker's digest has none: L3 and below).
    keys = buttons(h.last(cadre))
    assert {supervise_label(n) for n in overdue} <= set(keys)
    assert supervise_label(answered) not in keys
    grid_worker = await h.staff("L3A", "李明")
    await h.send(grid_worker, grid_worker, "/digest")
    assert "督办中的问题 3 件" in "\n".join(h.bot_texts(grid_worker))
    assert not any(k.startswith("🔔") for k in buttons(h.last(grid_worker)))


async def test_a_closed_report_flagged_wanting_supervision_is_supervised_and_cleared(
    h: Harness, town
) -> None:
    worker, _, _ = town
    number = await accepted_report(h, town)
    async with h.db.transaction():
        await h.db.execute(
            "UPDATE reports SET status = 'closed', supervision_wanted = 1 WHERE id = ?", (number,)
        )
    cadre = await h.staff("V1C", "周红梅")
    await h.send(cadre, cadre, f"/status {number}")
    await supervise(h, cadre, h.last(cadre), number, ONE_DAY, "群众仍不满意，请回访")
    assert (await status_of(h, number))["supervision_wanted"] == 0
    assert "群众仍不满意" in h.last_text(worker)
    # Not worked on any more: past its due time it does not escalate.
    h.clock.advance(timedelta(days=2))
    await h.run_job(JOB_NAME)
    report = await status_of(h, number)
    assert report["status"] == "closed" and report["level"] == 4
    # A closed report without the flag cannot be supervised.
    await h.send(cadre, cadre, f"/status {number}")
    assert supervise_label(number) not in buttons(h.last(cadre))


async def test_the_export_names_the_supervision_steps(h: Harness, town) -> None:
    _, resident, chat = town
    number = await accepted_report(h, town)
    cadre = await h.staff("V1C", "周红梅")
    await h.send(cadre, cadre, f"/status {number}")
    await supervise(h, cadre, h.last(cadre), number, ONE_DAY, "请处理")
    confirmation = next(m for m in h.bot_posts(chat) if URGE in buttons(m))
    h.clock.advance(timedelta(hours=4, minutes=1))
    await urge(h, resident, chat, confirmation)
    async with h.db.transaction():
        sheets = await build_sheets(h.db, h.rt.config, h.rt.lang("zh"), None, personal=True)
    [history] = [s for s in sheets if s.name == "问题处理记录"]
    cells = {str(v) for row in history.rows for v in row}
    assert {"督办", "群众催办"} <= cells and "supervise" not in cells and "urge" not in cells


async def test_a_worker_who_never_started_the_bot_is_mentioned_in_the_group(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰", started=False)
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    number = await file_report(h, resident, chat)  # nobody owns it: the level's worker answers
    cadre = await h.staff("V1C", "周红梅")
    await h.send(cadre, cadre, f"/status {number}")
    await supervise(h, cadre, h.last(cadre), number, ONE_DAY, "请处理")
    assert "张秀兰" in h.last_text(cadre)
    mention = h.last(chat)
    assert "张秀兰" in mention["text"] and f"#{number}" in mention["text"]
    assert "督办" in mention["text"] and "/start" in mention["text"]
    # Urged once the deadline passed: mentioned again.
    confirmation = next(m for m in h.bot_posts(chat) if URGE in buttons(m))
    h.clock.advance(timedelta(hours=4, minutes=1))
    assert "已催办问题" in await urge(h, resident, chat, confirmation)
    assert h.last(chat)["message_id"] > mention["message_id"]
    assert "张秀兰" in h.last_text(chat)
    # Once they open the bot, /tasks carries the supervision and 回复进展.
    h.sb.start_bot(worker)
    await h.send(worker, worker, "/tasks")
    card = next(m for m in h.bot_posts(worker) if f"#{number}" in m.get("text", ""))
    assert "🔔 督办（周红梅）：请处理" in card["text"] and "群众催办 1 次" in card["text"]
    await h.press(worker, card, buttons(card)[PROGRESS])
    await note(h, worker, "明天去现场")
    assert "明天去现场" in h.last_text(cadre)
