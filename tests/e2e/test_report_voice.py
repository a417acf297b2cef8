"""Voice, audio, video notes and locations in reports: filed alone or with words, kept by
reference, re-sent to the worker after the card, refused past the limits."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from sandbox.state import Chat, User
from tests.e2e.flowsteps import link_household
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import ESCALATE, INFRA, card_of, press_on, status_of


async def _ask_description(h: Harness, resident: User, chat: Chat | User) -> dict[str, Any]:
    """/report, the category button: the forced-reply description question."""
    await h.send(resident, chat, "/report")
    ask = h.last(chat)
    await h.press(resident, ask, buttons(ask)[INFRA])
    question = h.last(chat)
    assert "请回复本消息" in question["text"], h.bot_texts(chat)
    return question


async def _attachments(h: Harness, number: int) -> list[dict[str, Any]]:
    rows = await h.db.fetchall(
        "SELECT * FROM report_attachments WHERE report_id = ? ORDER BY slot DESC", (number,)
    )
    return [dict(r) for r in rows]


def _sent_to(h: Harness, user: User) -> list[tuple[str, dict[str, Any]]]:
    """Every successful Bot API send to a user's private chat: (method, parameters)."""
    return [
        (c.method, c.params)
        for c in h.sb.calls
        if c.ok and c.method.startswith("send") and c.params.get("chat_id") == user.id
    ]


async def test_voice_alone_answers_the_question_and_reaches_the_worker(h: Harness, town) -> None:
    worker, resident, chat = town
    question = await _ask_description(h, resident, chat)
    await h.settle(h.sb.send_media(resident, chat, "voice", 35, reply_to=question["message_id"]))
    assert "#1" in h.last_text(chat)
    row = await status_of(h, 1)
    assert row["description"] == "（语音反映）"
    (voice,) = await _attachments(h, 1)
    assert voice["kind"] == "voice" and voice["duration"] == 35 and voice["size"] == 24_000
    assert voice["mime_type"] == "audio/ogg" and voice["file_unique_id"]
    card = card_of(h, worker, 1)
    assert "🎤 语音 0:35" in card["text"]
    sends = _sent_to(h, worker)
    methods = [m for m, _ in sends]
    # The card, then the voice by its file_id, nothing between.
    at = methods.index("sendVoice")
    assert methods[at - 1] == "sendMessage" and "#1" in sends[at - 1][1]["text"]
    assert sends[at][1]["voice"] == voice["file_id"]
    assert "#1 的录音" in sends[at][1]["caption"]
    got = h.last(worker)
    assert got["voice"]["file_id"] == voice["file_id"] and got["voice"]["duration"] == 35


async def test_voice_with_a_report_caption_files_text_and_voice(h: Harness, town) -> None:
    worker, resident, chat = town
    await h.settle(h.sb.send_media(resident, chat, "voice", 12, caption="/report 路灯坏了"))
    ask = h.last(chat)
    await h.press(resident, ask, buttons(ask)[INFRA])
    assert (await status_of(h, 1))["description"] == "路灯坏了"
    assert [a["kind"] for a in await _attachments(h, 1)] == ["voice"]
    assert "路灯坏了" in card_of(h, worker, 1)["text"]
    assert "sendVoice" in [m for m, _ in _sent_to(h, worker)]


async def test_audio_and_video_note_are_resent_by_their_own_methods(h: Harness, town) -> None:
    worker, resident, chat = town
    for number, (kind, method) in enumerate(
        (("audio", "sendAudio"), ("video_note", "sendVideoNote")), start=1
    ):
        question = await _ask_description(h, resident, chat)
        await h.settle(h.sb.send_media(resident, chat, kind, 61, reply_to=question["message_id"]))
        (stored,) = await _attachments(h, number)
        assert stored["kind"] == kind and stored["duration"] == 61
        last_method, params = _sent_to(h, worker)[-1]
        assert last_method == method and params[kind] == stored["file_id"]
        assert ("caption" in params) is (kind == "audio")  # a video note has none
    card = card_of(h, worker, 2)
    assert "📹 视频留言 1:01" in card["text"]


async def test_location_then_text_files_both(h: Harness, town) -> None:
    worker, resident, chat = town
    question = await _ask_description(h, resident, chat)
    await h.settle(
        h.sb.send_location(resident, chat, 28.1234567, 112.9876543, question["message_id"])
    )
    again = h.last(chat)
    assert "已收到位置" in again["text"]
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0
    await h.send(resident, chat, "桥下垃圾堆积", reply_to=again["message_id"])
    assert (await status_of(h, 1))["description"] == "桥下垃圾堆积"
    (location,) = await _attachments(h, 1)
    assert location["kind"] == "location" and location["file_id"] is None
    assert abs(location["latitude"] - 28.1234567) < 1e-9
    card = card_of(h, worker, 1)
    assert "📍 位置 28.123457, 112.987654" in card["text"]
    method, params = _sent_to(h, worker)[-1]
    assert method == "sendLocation"
    assert (params["latitude"], params["longitude"]) == (28.1234567, 112.9876543)


async def test_location_then_voice_files_both_in_order(h: Harness, town) -> None:
    worker, resident, chat = town
    question = await _ask_description(h, resident, chat)
    await h.settle(h.sb.send_location(resident, chat, 28.1, 112.9, question["message_id"]))
    again = h.last(chat)
    await h.settle(h.sb.send_media(resident, chat, "voice", 20, reply_to=again["message_id"]))
    assert [a["kind"] for a in await _attachments(h, 1)] == ["voice", "location"]
    methods = [m for m, _ in _sent_to(h, worker)]
    assert methods[-3:] == ["sendMessage", "sendVoice", "sendLocation"]
    assert "🎤 语音 0:20  📍 位置" in card_of(h, worker, 1)["text"]


async def test_voice_with_caption_as_the_answer_is_text_and_voice(h: Harness, town) -> None:
    _, resident, chat = town
    question = await _ask_description(h, resident, chat)
    await h.settle(
        h.sb.send_media(
            resident, chat, "voice", 9, caption="井盖丢了", reply_to=question["message_id"]
        )
    )
    assert (await status_of(h, 1))["description"] == "井盖丢了"
    assert len(await _attachments(h, 1)) == 1


async def test_past_the_limits_is_refused_and_nothing_is_kept(h: Harness, town) -> None:
    _, resident, chat = town
    question = await _ask_description(h, resident, chat)
    await h.settle(h.sb.send_media(resident, chat, "voice", 181, reply_to=question["message_id"]))
    assert "录音太长了（3:01）" in h.last_text(chat) and "3:00" in h.last_text(chat)
    await h.settle(
        h.sb.send_media(
            resident, chat, "audio", 30, size=21 * 1024 * 1024, reply_to=question["message_id"]
        )
    )
    assert "文件太大了（21.0 MB）" in h.last_text(chat) and "20.0 MB" in h.last_text(chat)
    assert await h.db.scalar("SELECT COUNT(*) FROM report_attachments") == 0
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0
    # The question still waits: a voice within the limits files the report.
    await h.settle(h.sb.send_media(resident, chat, "voice", 180, reply_to=question["message_id"]))
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 1


async def test_a_captioned_voice_past_the_limit_starts_nothing(h: Harness, town) -> None:
    _, resident, chat = town
    await h.settle(h.sb.send_media(resident, chat, "voice", 400, caption="/report 噪音扰民"))
    assert "录音太长了" in h.last_text(chat)
    assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 0


async def test_limits_come_from_the_config(tmp_path) -> None:
    h = await Harness(
        tmp_path, settings={"reports": {"voice_max_seconds": 10, "voice_max_bytes": 50_000}}
    ).open()
    try:
        worker = await h.staff("L4A", "张秀兰")
        resident = h.user("王秀英")
        chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
        await h.settle(h.sb.send_media(resident, chat, "voice", 11, caption="/report 噪音"))
        assert "请控制在 0:10 以内" in h.last_text(chat)
        await h.settle(
            h.sb.send_media(resident, chat, "voice", 5, size=60_000, caption="/report 噪音")
        )
        assert "文件太大了" in h.last_text(chat)
        assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 0
    finally:
        await h.close()


async def test_a_voice_sent_while_the_question_waits_in_private(h: Harness, town) -> None:
    _, resident, _ = town
    # A resident linked to a household files in private too; a voice that is no reply
    # answers the question waiting there.
    await link_household(h, resident, "M1-H1")
    question = await _ask_description(h, resident, resident)
    assert question["chat"]["id"] == resident.id
    await h.settle(h.sb.send_media(resident, resident, "voice", 15))
    assert (await status_of(h, 1))["description"] == "（语音反映）"
    # With nothing waiting, a voice in private files nothing.
    await h.settle(h.sb.send_media(resident, resident, "voice", 15))
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 1


async def _voice_and_location_report(h: Harness, resident: User, chat: Chat) -> None:
    question = await _ask_description(h, resident, chat)
    await h.settle(
        h.sb.send_location(resident, chat, 28.1234567, 112.9876543, question["message_id"])
    )
    again = h.last(chat)
    await h.settle(h.sb.send_media(resident, chat, "voice", 35, reply_to=again["message_id"]))


async def test_status_and_board_show_the_markers(h: Harness, town) -> None:
    worker, resident, chat = town
    await _voice_and_location_report(h, resident, chat)
    await h.send(resident, chat, "/status 1")
    status = h.last_text(chat)
    assert "🎤 语音 0:35  📍 位置" in status and "28.12" not in status
    await h.send(worker, worker, "/status 1")
    assert "🎤 语音 0:35  📍 位置" in h.last_text(worker)
    await h.send(resident, chat, "/board")
    line = next(x for x in h.last_text(chat).split("\n") if x.startswith("#1 "))
    assert line.endswith("🎤 语音 0:35  📍 位置")


async def test_export_has_a_marker_column_and_the_coordinates(h: Harness, town) -> None:
    _, resident, chat = town
    await _voice_and_location_report(h, resident, chat)
    cadre = await h.staff("C1")
    await h.send(cadre, cadre, "/export")
    offer = h.last(cadre)
    await h.press(cadre, offer, buttons(offer)["Excel 表格（.xlsx）"])
    book = openpyxl.load_workbook(io.BytesIO(h.sb.document(h.last(cadre))))
    rows = [[c.value for c in r] for r in book["问题"].iter_rows()]
    header, (row,) = rows[0], rows[1:]
    found = dict(zip(header, row, strict=True))
    assert found["问题描述"] == "（语音反映）"
    assert found["附件"] == "🎤 语音 0:35  📍 位置"
    assert (found["纬度"], found["经度"]) == (28.1234567, 112.9876543)
    (stored,) = [a["file_id"] for a in await _attachments(h, 1) if a["file_id"]]
    assert not any(stored in str(v) or "http" in str(v) for v in row)


async def test_a_caption_with_a_whole_id_number_is_screened(h: Harness, town) -> None:
    _, resident, chat = town
    await h.settle(
        h.sb.send_media(
            resident, chat, "voice", 10, caption="/report 我的身份证 430124193301011234"
        )
    )
    assert "不要发完整号码" in h.last_text(chat)
    question = await _ask_description(h, resident, chat)
    await h.settle(
        h.sb.send_media(
            resident,
            chat,
            "voice",
            10,
            caption="430124193301011234",
            reply_to=question["message_id"],
        )
    )
    assert "不要发完整号码" in h.last_text(chat)
    assert await h.db.scalar("SELECT COUNT(*) FROM report_attachments") == 0
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0


async def test_the_next_level_gets_the_recording_and_location_too(h: Harness, town) -> None:
    worker, resident, chat = town
    grid_worker = await h.staff("L3A", "李明")
    await _voice_and_location_report(h, resident, chat)
    await press_on(h, worker, 1, ESCALATE)
    assert "🎤 语音 0:35" in card_of(h, grid_worker, 1)["text"]
    (voice,) = [a["file_id"] for a in await _attachments(h, 1) if a["kind"] == "voice"]
    sends = _sent_to(h, grid_worker)
    assert [m for m, _ in sends][-3:] == ["sendMessage", "sendVoice", "sendLocation"]
    assert sends[-2][1]["voice"] == voice
    # The buttons refreshed after a move are the card's; the recording is never edited.
    edits = [c for c in h.sb.calls if c.method == "editMessageReplyMarkup" and c.ok]
    assert all(h.sb.message(c.params["chat_id"], c.params["message_id"]).get("text") for c in edits)


async def test_a_workers_location_reply_to_a_private_question_is_not_a_visit(
    h: Harness, town
) -> None:
    worker, _, _ = town
    await link_household(h, worker, "M1-H1")  # a worker who is a resident too
    question = await _ask_description(h, worker, worker)
    await h.settle(h.sb.send_location(worker, worker, 28.1, 112.9, question["message_id"]))
    assert "已收到位置" in h.last_text(worker)
    # Taken by the report only: the check-in flow does not answer it too.
    assert not any("要签到请先发送" in t for t in h.bot_texts(worker))


async def test_tasks_show_the_card_with_its_recording_and_location(h: Harness, town) -> None:
    worker, resident, chat = town
    await _voice_and_location_report(h, resident, chat)
    before = len(_sent_to(h, worker))
    await h.send(worker, worker, "/tasks")
    sends = _sent_to(h, worker)[before:]
    at = next(i for i, (m, p) in enumerate(sends) if m == "sendMessage" and "🎤" in p["text"])
    assert [m for m, _ in sends[at : at + 3]] == ["sendMessage", "sendVoice", "sendLocation"]
