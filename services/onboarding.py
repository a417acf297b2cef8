"""Staff onboarding: one-time invitations that link a Telegram account to a staff record."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, from_ts, to_ts
from bot.storage import audit, grid, invitations
from bot.storage.db import Database
from models.errors import Refusal
from models.permissions import Action, Actor, may
from models.units import Staff

TOKEN_PREFIX = "inv"  # /start payloads with this prefix are invitations


@dataclass(frozen=True)
class NewInvitation:
    """An invitation just made, with the staff member it is for."""

    token: str
    staff: Staff
    expires_at: datetime

    def link(self, bot_username: str) -> str:
        """The deep link that opens the bot with this token."""
        return f"https://t.me/{bot_username}?start={self.token}"


async def create_invitation(
    db: Database, clock: Clock, valid_for: timedelta, staff_code: str, by: Actor | None
) -> NewInvitation:
    """Make a single-use invitation for a staff member; `by` None means the command line."""
    async with db.transaction():
        staff = await grid.staff_by_code(db, staff_code.strip())
        if staff is None or not staff.active:
            raise Refusal("onboarding.unknown_staff", code=staff_code)
        if by is not None:
            units = list((await grid.units_by_ids(db, staff.unit_ids)).values())
            if not may(by, Action.INVITE) or not by.covers_all(units):
                raise Refusal("onboarding.invite_denied", name=staff.name)
        now = clock.now()
        token = TOKEN_PREFIX + secrets.token_urlsafe(18)
        expires = now + valid_for
        created_by = by.staff.id if by is not None and by.staff is not None else None
        await invitations.add_invitation(
            db, token, staff.id, created_by, to_ts(now), to_ts(expires)
        )
        actor = "cli" if by is None or by.staff is None else f"staff:{by.staff.code}"
        await audit.record(
            db,
            to_ts(now),
            actor,
            "invitation.create",
            "staff",
            staff.code,
            expires_at=to_ts(expires),
        )
    return NewInvitation(token=token, staff=staff, expires_at=expires)


async def accept_invitation(db: Database, clock: Clock, token: str, tg_user_id: int) -> Staff:
    """Link the Telegram account to the invitation's staff record, once."""
    async with db.transaction():
        now = to_ts(clock.now())
        inv = await invitations.invitation(db, token)
        if inv is None:
            raise Refusal("onboarding.token_unknown")
        staff = await grid.staff_by_id(db, inv.staff_id)
        if staff is None or not staff.active:
            raise Refusal("onboarding.token_unknown")
        if inv.used_at is not None:
            if inv.used_by == tg_user_id and staff.tg_user_id == tg_user_id:
                raise Refusal("onboarding.already_linked", name=staff.name)
            raise Refusal("onboarding.token_used")
        if now >= inv.expires_at:
            raise Refusal("onboarding.token_expired", expired=from_ts(inv.expires_at))
        current = await grid.staff_by_tg(db, tg_user_id)
        if current is not None and current.id != staff.id:
            raise Refusal("onboarding.other_record", name=current.name)
        if not await invitations.use_invitation(db, token, tg_user_id, now):
            raise Refusal("onboarding.token_used")
        await grid.link_staff(db, staff.id, tg_user_id, now)
        await audit.record(db, now, f"tg:{tg_user_id}", "staff.link", "staff", staff.code)
        linked = await grid.staff_by_id(db, staff.id)
    assert linked is not None
    return linked
