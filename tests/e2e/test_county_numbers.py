"""Report numbers as each reader sees them in a county of two towns: a county cadre sees the
county form (HSP-1) on boards, /status, digests, supervision prompts and the notices they
get; everyone inside a town (its cadres, workers, groups) keeps seeing #1."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.demo.stage import Stage
from sandbox.state import User
from scheduler.deadlines import JOB_NAME
from tests.e2e.county_steps import file_in
from tests.e2e.harness import buttons
from tests.e2e.reporting import ACCEPT, note, press_on

PROGRESS = "📝 回复进展"


def _bare(text: str, number: int) -> bool:
    """Whether `text` names report `number` in the town's form (#1, not HSP-1 nor #12)."""
    return re.search(rf"(?<![A-Za-z0-9-])#{number}(?![0-9])", text) is not None


async def _press(k: Stage, who: User, message: dict, label: str) -> dict:
    await k.press(who, message, buttons(message)[label])
    return k.sb.message(who, message["message_id"])


async def test_a_county_cadre_sees_the_county_form_and_a_town_keeps_its_own(county: Stage) -> None:
    k = county
    w1, r1 = await k.staff("L4A", "张秀兰"), k.user("王秀英")
    g1 = await k.group("益家冲组联系群", [r1, w1], bind_code="M1", by=w1)
    w5, r5 = await k.staff("L4E", "钱勇"), k.user("赵大妈")
    g5 = await k.group("黄沙组联系群", [r5, w5], bind_code="M5", by=w5)
    await file_in(k, r1, g1, "路灯坏了")  # DTY-1
    await file_in(k, r5, g5, "水管漏水")  # HSP-1
    await press_on(k, w5, 1, ACCEPT)
    chief = await k.staff("K0", "县干部")
    town = await k.staff("C2", "孙丽")

    # The board: the county cadre picks the town, then the village; every number has the
    # town's prefix, on the lines and on the 督办 button.
    await k.send(chief, chief, "/board")
    picker = await _press(k, chief, k.last(chief), "黄沙坪镇")
    await _press(k, chief, picker, "黄沙村")
    board = k.last(chief)
    assert "HSP-1" in board["text"] and not _bare(board["text"], 1), board["text"]
    assert "🔔 督办 HSP-1" in buttons(board)
    # The town's cadre and the group see #1 on the same board.
    await k.send(town, town, "/board")
    own = k.last(town)
    assert _bare(own["text"], 1) and "HSP-" not in own["text"]
    assert "🔔 督办 #1" in buttons(own)
    await k.send(r5, g5, "/board")
    assert _bare(k.last_text(g5), 1) and "HSP-" not in k.last_text(g5)

    # Supervision from the county board: every prompt to the county cadre says HSP-1, the
    # worker is told #1, and the worker's answer reaches the county cadre as HSP-1.
    await k.press(chief, board, buttons(board)["🔔 督办 HSP-1"])
    assert "督办问题 HSP-1" in k.last_text(chief)
    pick = k.last(chief)
    await k.press(chief, pick, buttons(pick)["1天内"])
    assert "对问题 HSP-1 的督办要求" in k.last_text(chief)
    await note(k, chief, "三天内修好")
    assert "已督办问题 HSP-1" in k.last_text(chief)
    told = k.last(w5)
    assert _bare(told["text"], 1) and "HSP-" not in told["text"]
    await k.press(w5, told, buttons(told)[PROGRESS])
    assert "写下问题 #1 的办理进展" in k.last_text(w5)
    await note(k, w5, "已联系水务站")
    assert "问题 HSP-1 督办已答复" in k.last_text(chief)
    assert not any(_bare(text, 1) for text in k.bot_texts(chief))
    assert not any("HSP-" in text for text in k.bot_texts(w5) + k.bot_texts(town))

    # Digests: DTY-1, never accepted, misses its deadline. The county cadre's digest of
    # the town names it DTY-1; the town's own cadre's digest names it #1.
    k.clock.advance(timedelta(hours=4, minutes=1))
    await k.run_job(JOB_NAME)
    await k.send(chief, chief, "/digest")
    county_digest = k.last(chief)
    assert "超期未办结：DTY-1" in "\n".join(k.bot_texts(chief))
    up = next(m for m in reversed(k.bot_posts(chief)) if "大屯营镇" in buttons(m))
    assert up["message_id"] >= county_digest["message_id"] - 1
    await k.press(chief, up, buttons(up)["大屯营镇"])
    town_digest = next(
        m["text"] for m in reversed(k.bot_posts(chief)) if "超期未办结" in m.get("text", "")
    )
    assert "超期未办结：DTY-1" in town_digest and "大屯营镇" in town_digest
    assert "🔔 督办 DTY-1" in buttons(k.last(chief))
    own_cadre = await k.staff("C1", "刘建国")
    await k.send(own_cadre, own_cadre, "/digest")
    own_digest = next(
        m["text"] for m in reversed(k.bot_posts(own_cadre)) if "超期未办结" in m.get("text", "")
    )
    assert "超期未办结：#1" in own_digest and "DTY-" not in own_digest
