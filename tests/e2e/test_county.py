"""A county of two towns on one deployment: county cadres, report numbers per town."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import openpyxl

from bot.demo.stage import Stage
from tests.county_town import county_roster
from tests.e2e.county_steps import file_in, two_groups
from tests.e2e.harness import buttons
from tests.e2e.reporting import (
    ACCEPT,
    DUPLICATE,
    ESCALATE,
    RESOLVE,
    card_of,
    note,
    press_on,
)


async def test_county_cadre_links_and_invites_town_cadres(county: Stage) -> None:
    k = county
    chief = await k.staff("K0", "县干部")
    await k.send(chief, chief, "/help")
    assert "县级干部" in k.last_text(chief)
    await k.send(chief, chief, "/invite C2")
    link = k.last_text(chief)
    token = link.split("start=")[1].split()[0].strip("\"'<>")
    cadre = k.user("孙丽")
    k.sb.start_bot(cadre)
    await k.send(cadre, cadre, f"/start {token}")
    assert "孙丽" in k.last_text(cadre)
    assert await k.db.scalar("SELECT tg_user_id FROM staff WHERE code = 'C2'") == cadre.id
    # A town cadre invites in their own town only.
    await k.send(cadre, cadre, "/invite L4A")
    assert "start=" not in k.last_text(cadre)
    await k.send(cadre, cadre, "/invite L4E")
    assert "start=" in k.last_text(cadre)


async def test_numbers_count_per_town_and_status_takes_both_forms(county: Stage) -> None:
    k = county
    _, r1, g1, _, r5, g5 = await two_groups(k)
    first = await file_in(k, r1, g1, "路灯坏了")
    assert "#1" in k.last_text(g1)
    other = await file_in(k, r5, g5, "水管漏水")
    assert "#1" in k.last_text(g5) and first != other
    rows = await k.db.fetchall("SELECT id, town_seq FROM reports ORDER BY id")
    assert [tuple(r) for r in rows] == [(first, 1), (other, 1)]
    again = await file_in(k, r1, g1, "又坏了一盏")
    assert "#2" in k.last_text(g1)
    assert await k.db.scalar("SELECT town_seq FROM reports WHERE id = ?", (again,)) == 2
    # In a town's group, /status 1 is that town's report 1.
    await k.send(r5, g5, "/status 1")
    assert "水管漏水" in k.last_text(g5) and "路灯" not in k.last_text(g5)
    await k.send(r1, g1, "/status #1")
    assert "路灯坏了" in k.last_text(g1)
    # Another town's number in a group: the private chat is the place for it.
    worker = await k.staff("L4E", "钱勇")
    await k.settle(k.sb.join(worker, g1))
    await k.send(worker, g1, "/status HSP-1")
    assert "问题 HSP-1 不是在本群反映的" in k.last_text(g1)
    # A town cadre: their own town's number; another town's report is unknown.
    cadre = await k.staff("C1", "刘建国")
    await k.send(cadre, cadre, "/status 1")
    assert "路灯坏了" in k.last_text(cadre) and "#1" in k.last_text(cadre)
    await k.send(cadre, cadre, "/status HSP-1")
    assert "找不到问题 HSP-1" in k.last_text(cadre)
    # The county cadre: 1 is in both towns, so the prefix is asked for; with it, either.
    chief = await k.staff("K0", "县干部")
    await k.send(chief, chief, "/status 1")
    assert "多个镇都有问题 #1" in k.last_text(chief) and "DTY-1" in k.last_text(chief)
    await k.send(chief, chief, "/status hsp-1")
    assert "水管漏水" in k.last_text(chief) and "HSP-1" in k.last_text(chief)
    await k.send(chief, chief, "/status 2")
    assert "又坏了一盏" in k.last_text(chief) and "DTY-2" in k.last_text(chief)


async def test_escalation_stops_at_the_town_and_the_county_cadre_sees_it(county: Stage) -> None:
    k = county
    w1, r1, g1, *_ = await two_groups(k)
    town = await k.staff("C1", "刘建国")
    chief = await k.staff("K0", "县干部")
    report_id = await file_in(k, r1, g1, "桥面塌了")
    await press_on(k, w1, 1, ESCALATE)
    # Nobody is linked in the grid or the village: it goes to the town cadre.
    card = card_of(k, town, 1)
    assert ESCALATE not in buttons(card), "escalation stops at the town"
    assert not [t for t in k.bot_texts(chief) if "桥面塌了" in t], "the county is not told"
    row = await k.db.fetchone("SELECT level, status FROM reports WHERE id = ?", (report_id,))
    assert tuple(row) == (1, "new")
    await press_on(k, town, 1, ACCEPT)
    await k.send(chief, chief, "/status DTY-1")
    seen = k.last_text(chief)
    assert "桥面塌了" in seen and "DTY-1" in seen and "刘建国" in seen


async def test_county_digest_figures_by_town_and_rankings(county: Stage) -> None:
    k = county
    w1, r1, g1, _, r5, g5 = await two_groups(k)
    await file_in(k, r1, g1, "路灯坏了")
    await file_in(k, r1, g1, "垃圾没人收")
    await file_in(k, r1, g1, "井盖丢了")
    await file_in(k, r5, g5, "水管漏水")
    # DTY-1 solved on the spot by the micro-grid worker; the rest stay in progress.
    await press_on(k, w1, 1, RESOLVE)
    await note(k, w1, "已修好")
    chief = await k.staff("K0", "县干部")
    await k.send(chief, chief, "/digest")
    text = "\n".join(k.bot_texts(chief))
    # By hand: 4 collected in the county, 1 on the spot, 3 in progress.
    assert "<b>本期</b>" not in text  # rendered HTML, not the markup
    assert "本期：共收集问题4个，就地解决1个，3个正在处理。" in text, text
    assert "各镇" in text
    assert "• 大屯营镇：本期收集3个；累计共收集问题3个，就地解决1个，2个正在处理。" in text
    assert "• 黄沙坪镇：本期收集1个；累计共收集问题1个，就地解决0个，1个正在处理。" in text
    ranking = text[text.index("各镇排名") :]
    assert ranking.index("1. 大屯营镇：解决1/3个（33%）") < ranking.index(
        "2. 黄沙坪镇：解决0/1个（0%）"
    )
    # The weekly digest comes with its chart, whose bars are the towns.
    assert "photo" in k.last(chief)
    # A town cadre's digest stays their town's, split by village as before.
    town = await k.staff("C1", "刘建国")
    await k.send(town, town, "/digest")
    own = "\n".join(k.bot_texts(town))
    assert "共收集问题3个" in own and "黄沙坪镇" not in own and "各村（社区）" in own


async def test_announcements_to_one_town_and_to_the_county(county: Stage) -> None:
    k = county
    _, _, g1, _, _, g5 = await two_groups(k)
    chief = await k.staff("K0", "县干部")

    async def announce(path: list[str], text: str) -> None:
        await k.send(chief, chief, "/announce")
        picker = k.last(chief)
        for name in path:
            await k.press(chief, picker, buttons(picker)[name])
            picker = k.sb.message(chief, picker["message_id"])
        label = next(b for b in buttons(picker) if b.startswith("✅"))
        await k.press(chief, picker, buttons(picker)[label])
        await k.send(chief, chief, text)
        preview = k.last(chief)
        await k.press(chief, preview, buttons(preview)["✅ 确认发送"])
        await k.sb.wait_for(
            lambda: (
                any(text in t and "完成" in t for t in k.bot_texts(chief))
                or sum("通知发送完成" in t for t in k.bot_texts(chief)) >= len(done) + 1
            ),
            timeout=30,
        )
        done.append(text)

    done: list[str] = []
    await announce(["黄沙坪镇"], "黄沙坪镇明天停水。")
    assert any("黄沙坪镇明天停水" in t for t in k.bot_texts(g5))
    assert not any("停水" in t for t in k.bot_texts(g1))
    await announce([], "全县防汛通知。")
    assert any("全县防汛通知" in t for t in k.bot_texts(g1))
    assert any("全县防汛通知" in t for t in k.bot_texts(g5))
    rows = await k.db.fetchall(
        "SELECT kind, COUNT(*) FROM ledger WHERE kind LIKE 'announcement:%' GROUP BY kind"
    )
    assert sorted(r[1] for r in rows) == [1, 2]  # one group, then both: through the ledger


async def test_export_per_town_and_for_the_whole_county(county: Stage) -> None:
    k = county
    _, r1, g1, _, r5, g5 = await two_groups(k)
    await file_in(k, r1, g1, "路灯坏了")
    await file_in(k, r5, g5, "水管漏水")
    chief = await k.staff("K0", "县干部")
    await k.send(chief, chief, "/export")
    offer = k.last(chief)
    assert set(buttons(offer)) == {"大屯营镇", "黄沙坪镇", "全县（每镇一个文件）"}
    await k.press(chief, offer, buttons(offer)["黄沙坪镇"])
    formats = k.last(chief)
    await k.press(chief, formats, buttons(formats)["Excel 表格（.xlsx）"])
    book = openpyxl.load_workbook(io.BytesIO(k.sb.document(k.last(chief))))
    reports = [[c.value for c in r] for r in book["问题"].iter_rows(min_row=2)]
    assert len(reports) == 1 and reports[0][0] == 1 and "水管漏水" in reports[0]
    units = {r[0].value for r in book["网格单元"].iter_rows(min_row=2)}
    assert "T2" in units and "T" not in units and "M1" not in units
    await k.press(chief, offer, buttons(offer)["全县（每镇一个文件）"])
    formats = k.last(chief)
    await k.press(chief, formats, buttons(formats)["Excel 表格（.xlsx）"])
    archive = zipfile.ZipFile(io.BytesIO(k.sb.document(k.last(chief))))
    names = sorted(archive.namelist())
    assert [n.split("-")[0] for n in names] == ["DTY", "HSP"]
    first = openpyxl.load_workbook(io.BytesIO(archive.read(names[0])))
    assert [r[0].value for r in first["问题"].iter_rows(min_row=2)] == [1]
    # A town cadre exports their town as before, and cannot ask for another town's.
    town = await k.staff("C2", "孙丽")
    await k.send(town, town, "/export")
    assert "Excel" in "".join(buttons(k.last(town)))
    offer = k.last(town)
    data = f"ex:x:{await _town_id(k, 'T')}"
    for forged in (data, "ex:x:0", f"ex:s:{await _town_id(k, 'T')}"):
        pressed = await k.settle(k.sb.forge_press(town, town, offer["message_id"], forged))
        assert "没有权限" in (k.answer(pressed) or {}).get("text", "")
    assert k.last(town).get("document") is None


async def _town_id(k: Stage, code: str) -> int:
    return int(await k.db.scalar("SELECT id FROM units WHERE code = ?", (code,)))


async def test_assessment_compares_the_towns(county: Stage) -> None:
    k = county
    await two_groups(k)
    chief = await k.staff("K0", "县干部")
    await k.send(chief, chief, "/assess")
    text = k.last_text(chief)
    assert "各镇比较" in text and "大屯营镇" in text and "黄沙坪镇" in text


async def test_escalation_to_the_county_when_configured(tmp_path: Path) -> None:
    settings = {"reports": {"escalate_to_county": True}}
    k = await Stage(tmp_path, county_roster(), settings=settings).open()
    try:
        w1, r1, g1, *_ = await two_groups(k)
        town = await k.staff("C1", "刘建国")
        chief = await k.staff("K0", "县干部")
        await file_in(k, r1, g1, "桥面塌了")
        await press_on(k, w1, 1, ESCALATE)
        await press_on(k, town, 1, ESCALATE)
        card = next(m for m in reversed(k.bot_posts(chief)) if "DTY-1" in (m.get("text") or ""))
        assert ESCALATE not in buttons(card) and ACCEPT in buttons(card)
        assert "县级干部" in k.last_text(g1)
        row = await k.db.fetchone("SELECT level, status FROM reports WHERE id = 1")
        assert tuple(row) == (0, "new")
        pressed = await k.press(chief, card, buttons(card)[ACCEPT])
        assert "DTY-1" in (k.answer(pressed) or {}).get("text", "")
        assert await k.db.scalar("SELECT status FROM reports WHERE id = 1") == "accepted"
    finally:
        await k.close()


async def test_binding_by_county_and_town_cadres(county: Stage) -> None:
    k = county
    chief = await k.staff("K0", "县干部")
    town = await k.staff("C1", "刘建国")
    resident = k.user("赵大妈")
    other = await k.group("黄沙组联系群", [resident, town])
    await k.send(town, other, "/bind M5")
    assert "不在您管辖的范围内" in k.last_text(other)
    await k.settle(k.sb.join(chief, other))
    await k.send(chief, other, "/bind M5")
    bound = await k.db.scalar(
        "SELECT u.code FROM groups g JOIN units u ON u.id = g.micro_grid_id WHERE g.chat_id = ?",
        (other.id,),
    )
    assert bound == "M5"


async def test_the_scheduled_digest_reaches_the_county_cadre(county: Stage) -> None:
    k = county
    _, r1, g1, _, r5, g5 = await two_groups(k)
    await file_in(k, r1, g1, "路灯坏了")
    await file_in(k, r5, g5, "水管漏水")
    chief = await k.staff("K0", "县干部")
    # The next morning at 08:05 in Shanghai: the daily digest of the day before is due.
    k.clock.set(k.clock.now().replace(hour=0, minute=5) + timedelta(days=1))
    await k.run_job("digest-daily")
    daily = k.last_text(chief)
    assert "云溪县" in daily and "工作日报" in daily and "各镇" in daily
    assert "大屯营镇：本期收集1个" in daily and "黄沙坪镇：本期收集1个" in daily
    rows = await k.db.fetchall(
        "SELECT l.kind FROM ledger l JOIN staff s ON s.id = l.staff_id WHERE s.code = 'K0'"
    )
    assert [r[0] for r in rows] == ["digest:daily"]


async def test_supervision_speaks_of_the_number_people_see(county: Stage) -> None:
    """In the second town, report id 2 is its #1: every supervision prompt and button says
    #1 (HSP-1 for the county cadre), never the id."""
    k = county
    _, r1, g1, w5, r5, g5 = await two_groups(k)
    await file_in(k, r1, g1, "路灯坏了")
    report_id = await file_in(k, r5, g5, "水管漏水")
    assert report_id == 2
    # Another resident's 催一下 is refused, naming the report as the group knows it.
    confirmation = next(m for m in reversed(k.bot_posts(g5)) if "📣 催一下" in buttons(m))
    neighbour = k.user("钱大爷")
    await k.settle(k.sb.join(neighbour, g5))
    refused = k.answer(await k.press(neighbour, confirmation, buttons(confirmation)["📣 催一下"]))
    assert refused is not None and "#1" in refused["text"] and "#2" not in refused["text"]
    await press_on(k, w5, 1, ACCEPT)
    cadre = await k.staff("C2", "孙丽")
    await k.send(cadre, cadre, "/status 1")
    shown = k.last(cadre)
    assert "🔔 督办 #1" in buttons(shown)
    await k.press(cadre, shown, buttons(shown)["🔔 督办 #1"])
    assert "督办问题 #1" in k.last_text(cadre)
    pick = k.last(cadre)
    await k.press(cadre, pick, buttons(pick)["1天内"])
    assert "对问题 #1 的督办要求" in k.last_text(cadre)
    await note(k, cadre, "三天内修好")
    told = k.last(w5)
    await k.press(w5, told, buttons(told)["📝 回复进展"])
    assert "写下问题 #1 的办理进展" in k.last_text(w5)
    assert not any("#2" in text for text in k.bot_texts(cadre) + k.bot_texts(w5))
    # The county cadre sees the town's prefix on the button.
    chief = await k.staff("K0", "县干部")
    await k.send(chief, chief, "/status HSP-1")
    assert "HSP-1" in k.last_text(chief)


async def test_a_duplicate_names_the_original_by_its_number_in_the_town(county: Stage) -> None:
    """In the second town, report id 2 is #1 and id 3 is #2: #2 marked a duplicate of #1
    says #1 to its reporter (never the id)."""
    k = county
    _, r1, g1, w5, r5, g5 = await two_groups(k)
    await file_in(k, r1, g1, "路灯坏了")
    original = await file_in(k, r5, g5, "水管漏水")
    again = await file_in(k, r5, g5, "水管又漏了")
    assert (original, again) == (2, 3)
    await press_on(k, w5, 2, DUPLICATE)
    await note(k, w5, "#1")
    row = await k.db.fetchone("SELECT status, duplicate_of FROM reports WHERE id = ?", (again,))
    assert tuple(row) == ("duplicate", original)
    told = [t for t in k.bot_texts(g5) if "是同一个问题" in t]
    assert told and "问题 #2 与 #1 是同一个问题" in told[-1], told


async def test_every_cadre_command_for_the_county_cadre(county: Stage) -> None:
    """The county cadre may use every cadre command, each answered for the county (by town);
    a worker command is not theirs."""
    k = county
    chief = await k.staff("K0", "县干部")
    expected = {
        "/digest": "云溪县",
        "/board": "大屯营镇",
        "/assess": "各镇比较",
        "/announce": "发给「云溪县」",
        "/export": "全县（每镇一个文件）",
        "/tasks": "待联系",
    }
    for command, answer in expected.items():
        await k.send(chief, chief, command)
        shown = k.last(chief)
        seen = (shown.get("text") or shown.get("caption") or "") + " ".join(buttons(shown))
        assert "没有权限" not in seen and answer in seen, (command, seen)
    for command in ("/visit", "/contact"):
        await k.send(chief, chief, command)
        assert "只有四级、三级网格员可以登记" in k.last_text(chief), command
