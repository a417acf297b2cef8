"""/export answers the button at once, then builds the file from a snapshot while the bot
goes on handling everyone else."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from bot.storage import export as store
from bot.storage.db import Database
from models.units import Unit
from tests.e2e.harness import Harness, buttons


async def test_export_answers_first_and_never_holds_up_the_bot(h: Harness, town, monkeypatch):
    worker, resident, chat = town
    cadre = await h.staff("C1")
    original = store.units
    during: list[str] = []

    async def units_meanwhile(snapshot: Database, unit: Unit | None) -> Any:
        # The button was answered before the building began.
        during.append(f"answered {len(h.sb.calls_to('answerCallbackQuery'))}")
        # A resident files a report in their group while the export is being built.
        await h.send(resident, chat, "/report 路灯坏了")
        category = h.last(chat)
        await h.press(resident, category, next(iter(buttons(category).values())))
        during.append(h.last_text(worker))
        return await original(snapshot, unit)

    monkeypatch.setattr(store, "units", units_meanwhile)
    await h.send(cadre, cadre, "/export")
    offer = h.last(cadre)
    await h.press(cadre, offer, buttons(offer)["Excel 表格（.xlsx）"])
    assert during[0] == "answered 1"
    assert "路灯坏了" in during[1]  # the worker got the report before the export was done
    methods = [c.method for c in h.sb.world.calls]
    assert methods.index("answerCallbackQuery") < methods.index("sendDocument")
    book = openpyxl.load_workbook(io.BytesIO(h.sb.document(h.last(cadre))))
    # The snapshot was taken before the report was filed.
    assert [r[0].value for r in book["问题"].iter_rows()] == ["编号"]
