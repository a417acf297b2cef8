"""The audit log: who changed what, and when."""

from __future__ import annotations

import json
from typing import Any

from bot.storage.db import Database


async def record(
    db: Database,
    at: int,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    **detail: Any,
) -> None:
    """Append one audit entry."""
    await db.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (at, actor, action, entity, str(entity_id), json.dumps(detail, ensure_ascii=False)),
    )


async def entries(db: Database, entity: str, entity_id: object) -> list[dict[str, Any]]:
    """The audit entries of one entity, oldest first."""
    rows = await db.fetchall(
        "SELECT at, actor, action, detail FROM audit_log WHERE entity = ? AND entity_id = ? "
        "ORDER BY id",
        (entity, str(entity_id)),
    )
    return [
        {
            "at": r["at"],
            "actor": r["actor"],
            "action": r["action"],
            "detail": json.loads(r["detail"]),
        }
        for r in rows
    ]
