"""A filed report stays cheap: few hops to the database thread, no Bot API call more than
the user-visible result needs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.e2e.harness import Harness
from tests.e2e.reporting import file_report


async def test_a_filed_report_makes_few_database_hops_and_calls(h: Harness, town) -> None:
    _, resident, chat = town
    await file_report(h, resident, chat)  # the resident is known from then on
    hops: list[str] = []
    hop = h.db._hop

    async def counted(work: Any, *args: Any) -> Any:
        hops.append(getattr(work, "__name__", ""))
        return await hop(work, *args)

    h.db._hop = counted  # type: ignore[method-assign]
    first_call = len(h.sb.calls)
    try:
        number = await file_report(h, resident, chat)
        await h.delivered()
    finally:
        h.db._hop = hop  # type: ignore[method-assign]
    calls = Counter(c.method for c in h.sb.calls[first_call:] if c.method != "getUpdates")
    # The category question and the worker's card; the press answered; the question
    # edited into the confirmation.
    assert calls == {"sendMessage": 2, "answerCallbackQuery": 1, "editMessageText": 1}
    assert f"#{number}" in h.last_text(chat)
    # Storing and marking the updates, the filing, the outbox: all quick units, whose
    # statements run without a hop to the database thread while it is idle. What may hop:
    # file_report's own read of the number, and one COMMIT in so many.
    assert len(hops) <= 2, Counter(hops)
