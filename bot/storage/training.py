"""Read-only questions the playground's training list asks: has this person done X yet?"""

from __future__ import annotations

from bot.storage.db import Database


async def reports_filed(db: Database, tg_user_id: int) -> int:
    """Reports filed by a Telegram user."""
    return int(
        await db.scalar("SELECT COUNT(*) FROM reports WHERE reporter_tg_id = ?", (tg_user_id,))
    )


async def confirmations(db: Database, tg_user_id: int) -> int:
    """Resolutions a reporter confirmed."""
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM case_events e "
            "JOIN reports r ON e.kind = 'report' AND r.id = e.case_id "
            "WHERE e.action = 'confirm' AND r.reporter_tg_id = ?",
            (tg_user_id,),
        )
    )


async def report_moves(db: Database, staff_id: int, to_status: str) -> int:
    """Report moves by a staff member into a status (accepted, resolved …)."""
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM case_events WHERE kind = 'report' AND staff_id = ? "
            "AND to_status = ?",
            (staff_id, to_status),
        )
    )


async def visits_logged(db: Database, staff_id: int) -> int:
    """Home visits a worker logged."""
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM contacts WHERE staff_id = ? AND kind = 'visit'", (staff_id,)
        )
    )


async def checkins(db: Database, staff_id: int) -> int:
    """Locations a staff member shared with /checkin."""
    return int(await db.scalar("SELECT COUNT(*) FROM checkins WHERE staff_id = ?", (staff_id,)))


async def announcements_sent(db: Database, staff_id: int) -> int:
    """Announcements a cadre sent to the end."""
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM announcements WHERE staff_id = ? AND status = 'done'",
            (staff_id,),
        )
    )


async def invitations_made(db: Database, staff_id: int) -> int:
    """Invitation links a cadre made with /invite."""
    return int(
        await db.scalar("SELECT COUNT(*) FROM invitations WHERE created_by = ?", (staff_id,))
    )
