"""PTB persistence on the bot's own SQLite database, so flows survive restarts.

Conversation states and `user_data` / `chat_data` are stored as JSON (no pickles), in the
tables of migration 0004. `bot_data` is never stored: it holds the runtime (database, config),
which is rebuilt at every start. The persistence opens the database itself, because PTB loads
persisted conversations in `Application.initialize()`, before `post_init` runs; the runtime then
shares the same connection (see bot/app.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.clock import Clock, to_ts
from bot.storage import conversations as store
from bot.storage.db import Database

log = logging.getLogger(__name__)

STORED = PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False)

Scratch = dict[Any, Any]
# The shapes PTB passes (as in telegram.ext._utils.types, which is not public).
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class SqlitePersistence(BasePersistence[Scratch, Scratch, Scratch]):
    """Conversations and per-user / per-chat scratch in SQLite, written through on every update."""

    def __init__(self, path: str | Path, clock: Clock, update_interval: float = 60) -> None:
        super().__init__(store_data=STORED, update_interval=update_interval)
        self.path = str(path)
        self.clock = clock
        self._db: Database | None = None
        self._opening = asyncio.Lock()
        # What each user's and chat's stored scratch is now, so an unchanged one (most
        # updates change none) costs no write.
        self._stored: dict[tuple[str, int], str] = {}

    async def database(self) -> Database:
        """The database, opened (and migrated) on first use."""
        async with self._opening:
            if self._db is None:
                self._db = await Database.open(self.path)
            return self._db

    async def close(self) -> None:
        """Close the database (the runtime's too: they are one connection)."""
        if self._db is not None:
            await self._db.close()
            self._db = None

    def _now(self) -> int:
        return to_ts(self.clock.now())

    async def get_conversations(self, name: str) -> ConversationDict:
        """Every stored state of the conversation handler called `name`."""
        db = await self.database()
        async with db.transaction():
            return await store.conversations(db, name)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store (or, with None, forget) one conversation's state."""
        db = await self.database()
        async with db.transaction():
            await store.set_conversation(db, name, tuple(key), new_state, self._now())

    async def get_user_data(self) -> dict[int, Scratch]:
        """Every user's stored scratch."""
        return await self._all("user")

    async def get_chat_data(self) -> dict[int, Scratch]:
        """Every chat's stored scratch."""
        return await self._all("chat")

    async def update_user_data(self, user_id: int, data: Scratch) -> None:
        """Store one user's scratch."""
        await self._set("user", user_id, data)

    async def update_chat_data(self, chat_id: int, data: Scratch) -> None:
        """Store one chat's scratch."""
        await self._set("chat", chat_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        """Forget one user's scratch."""
        await self._set("user", user_id, {})

    async def drop_chat_data(self, chat_id: int) -> None:
        """Forget one chat's scratch."""
        await self._set("chat", chat_id, {})

    async def _all(self, kind: str) -> dict[int, Scratch]:
        db = await self.database()
        async with db.transaction():
            found = await store.all_data(db, kind)
        for owner_id, data in found.items():
            self._stored[(kind, owner_id)] = _fingerprint(data)
        return found

    async def _set(self, kind: str, owner_id: int, data: Scratch) -> None:
        fingerprint = _fingerprint(data)
        if self._stored.get((kind, owner_id), _fingerprint({})) == fingerprint:
            return
        db = await self.database()
        async with db.transaction():
            await store.set_data(db, kind, owner_id, data, self._now())
        self._stored[(kind, owner_id)] = fingerprint
        if not data:
            self._stored.pop((kind, owner_id), None)

    # Only this process changes the scratch, so there is nothing to refresh from elsewhere.
    async def refresh_user_data(self, user_id: int, user_data: Scratch) -> None:
        """Nothing to refresh."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Scratch) -> None:
        """Nothing to refresh."""

    async def refresh_bot_data(self, bot_data: Scratch) -> None:
        """Nothing to refresh (bot_data is not stored)."""

    async def get_bot_data(self) -> Scratch:
        """bot_data is not stored: it holds the runtime, rebuilt at start-up."""
        return {}

    async def update_bot_data(self, data: Scratch) -> None:
        """bot_data is not stored."""

    async def get_callback_data(self) -> CDCData | None:
        """Arbitrary callback data is not used."""
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        """Arbitrary callback data is not used."""

    async def flush(self) -> None:
        """Every write is already committed."""


def _fingerprint(data: Scratch) -> str:
    """The scratch as it would be stored, to compare with what is."""
    try:
        return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    except TypeError:  # keys of mixed types cannot be sorted
        return json.dumps(data, ensure_ascii=False, default=str)
