"""The retention sweep on the running bot: a month on, the report's drafts and presses are
gone, the report and its history are not, and an old button gets a polite answer."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import ACCEPT, INFRA, events_of, file_report, press_on


async def _count(h: Harness, table: str) -> int:
    return int(await h.db.scalar(f"SELECT COUNT(*) FROM {table}"))


async def test_a_month_later_scratch_is_gone_and_the_report_stays(h: Harness, town):
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ACCEPT)
    await h.send(resident, chat, "/report 井盖丢了")  # left unfinished: no category chosen
    unfinished = h.last(chat)
    history = await events_of(h, number)
    assert await _count(h, "report_drafts") == 2 and await _count(h, "applied_presses") >= 1
    h.clock.advance(timedelta(days=6))
    await h.run_job("retention-prune")
    assert await _count(h, "report_drafts") == 2
    h.clock.advance(timedelta(days=25))
    await h.run_job("retention-prune")
    assert await _count(h, "report_drafts") == 0 and await _count(h, "applied_presses") == 0
    assert await events_of(h, number) == history
    assert await _count(h, "reports") == 1
    # The month-old category question: its draft is gone, and the button says so.
    answer = h.answer(await h.press(resident, unfinished, buttons(unfinished)[INFRA]))
    assert answer is not None and answer.get("show_alert")
    assert await _count(h, "reports") == 1
