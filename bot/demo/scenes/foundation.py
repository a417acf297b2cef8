"""Scene 1: a worker accepts an invitation, binds the group; a resident reads the card and help."""

from __future__ import annotations

from typing import Any

from bot.demo.stage import Stage
from bot.storage import grid
from services.onboarding import create_invitation

TITLE = "一、网格员接受邀请，绑定联系群；群众查看联系卡和帮助"
MICRO_GRID = "益家冲组"


async def play(stage: Stage, cast: dict[str, Any]) -> None:
    """Invite the L4 worker of 益家冲组, bind its group, show the card and help."""
    db = stage.db
    async with db.transaction():
        row = await db.fetchone(
            "SELECT code FROM units WHERE name = ? AND level = 4", (MICRO_GRID,)
        )
        assert row is not None, "the sample town has 益家冲组"
        unit = await grid.unit_by_code(db, row["code"])
        assert unit is not None
        worker_record = (await grid.staff_of_unit(db, unit.id))[0]
        grid_unit = await grid.unit_by_id(db, unit.parent_id or 0)
        assert grid_unit is not None
        grid_worker_record = (await grid.staff_of_unit(db, grid_unit.id))[0]
        village_cadre_record = (await grid.staff_of_unit(db, grid_unit.parent_id or 0))[0]
    made = await create_invitation(
        db, stage.clock, stage.rt.config.invitations.valid_for, worker_record.code, by=None
    )
    link = made.link(stage.sb.bot.username or "")
    stage.transcript.say(f"镇里用命令行为 {worker_record.name} 生成邀请链接：{link}")
    worker = stage.user(worker_record.name)
    await stage.send(worker, worker, f"/start {made.token}")
    stage.transcript.say("同一个链接再用一次会被拒绝")
    await stage.send(worker, worker, f"/start {made.token}")

    resident = stage.user("王秀英")
    neighbour = stage.user("李德福")
    chat = stage.sb.add_group(
        f"{MICRO_GRID}联系群", members=[resident, neighbour, worker], bot_status="left"
    )
    stage.transcript.say(f"群主把机器人拉进“{chat.title}”")
    await stage.settle(stage.sb.add_bot_to_group(resident, chat))
    await stage.send(worker, chat, f"/bind {unit.code}")
    await stage.send(resident, chat, "/card")
    await stage.send(resident, chat, "/help")

    for record in (grid_worker_record, village_cadre_record):
        await stage.staff(record.code, record.name)
    cast.update(
        worker=worker,
        resident=resident,
        neighbour=neighbour,
        group=chat,
        unit=unit,
        worker_record=worker_record,
        grid_worker=stage.user(grid_worker_record.name),
        grid_worker_record=grid_worker_record,
        village_cadre=stage.user(village_cadre_record.name),
    )
