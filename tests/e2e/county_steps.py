"""Steps shared by the county's end-to-end tests: a county of two towns (tests/county_town.py),
its groups, and filing a report there."""

from __future__ import annotations

from bot.demo.stage import Stage
from sandbox.state import Chat, User
from tests.e2e.harness import buttons
from tests.e2e.reporting import INFRA


async def file_in(k: Stage, resident: User, chat: Chat, text: str) -> int:
    """File a report in the group; returns its id."""
    await k.send(resident, chat, f"/report {text}")
    ask = k.last(chat)
    await k.press(resident, ask, buttons(ask)[INFRA])
    report_id = await k.db.scalar("SELECT MAX(id) FROM reports")
    assert report_id is not None
    return int(report_id)


async def two_groups(k: Stage) -> tuple[User, User, Chat, User, User, Chat]:
    """M1's worker, a resident and their group in the first town (DTY); M5's in the second
    (HSP)."""
    w1, r1 = await k.staff("L4A", "张秀兰"), k.user("王秀英")
    g1 = await k.group("益家冲组联系群", [r1, w1], bind_code="M1", by=w1)
    w5, r5 = await k.staff("L4E", "钱勇"), k.user("赵大妈")
    g5 = await k.group("黄沙组联系群", [r5, w5], bind_code="M5", by=w5)
    return w1, r1, g1, w5, r5, g5
