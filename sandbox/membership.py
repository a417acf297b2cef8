"""Group membership changes: the bot added or removed, users joining, group migration."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.actions import Injected
from sandbox.members import member_update
from sandbox.state import Chat, User, World


class MembershipActions:
    """Membership injection; mixed into Sandbox (expects a `world` attribute)."""

    world: World

    def _service(self, chat: Chat, actor: User, content: dict[str, Any]) -> Injected:
        stored = self.world.post(chat, actor, content)
        update = self.world.deliver(chat, copy.deepcopy(stored.data))
        return Injected([update] if update else [], copy.deepcopy(stored.data))

    def add_bot_to_group(self, by: User, chat: Chat, as_admin: bool = False) -> Injected:
        """A member adds the bot: my_chat_member update plus a new_chat_members message."""
        bot = self.world.bot
        old, new = chat.bot_status, "administrator" if as_admin else "member"
        chat.bot_status = new
        first = self.world.updates.push(
            "my_chat_member", member_update(self.world, chat, by, bot, old, new)
        )
        result = self._service(chat, by, {"new_chat_members": [bot.to_api()]})
        result.updates[:0] = [first] if first else []
        return result

    def promote_bot(self, by: User, chat: Chat, admin: bool = True) -> dict[str, Any] | None:
        """Make the bot an administrator (or a plain member again); returns the update."""
        old, new = chat.bot_status, "administrator" if admin else "member"
        chat.bot_status = new
        payload = member_update(self.world, chat, by, self.world.bot, old, new)
        return self.world.updates.push("my_chat_member", payload)

    def remove_bot_from_group(self, by: User, chat: Chat, kick: bool = True) -> Injected:
        """A member removes the bot: my_chat_member (kicked or left); later sends get 403."""
        bot = self.world.bot
        old, new = chat.bot_status, "kicked" if kick else "left"
        chat.bot_status = new
        first = self.world.updates.push(
            "my_chat_member", member_update(self.world, chat, by, bot, old, new)
        )
        stored = self.world.post(chat, by, {"left_chat_member": bot.to_api()})
        return Injected([first] if first else [], copy.deepcopy(stored.data))

    def withdraw_pin_right(self, chat: Chat) -> None:
        """The group's owner stops the bot from pinning: no admin pin right, members may not pin."""
        chat.bot_can_pin = False
        chat.members_can_pin = False

    def grant_pin_right(self, chat: Chat) -> None:
        """The group's owner lets the bot pin again (as an administrator with the right)."""
        chat.bot_can_pin = True

    def set_privacy_mode(self, enabled: bool) -> None:
        """@BotFather's group privacy setting: on, the bot sees commands and replies only."""
        self.world.privacy_mode = enabled

    def _member_change(self, user: User, chat: Chat, new: str, content: dict[str, Any]) -> Injected:
        old = chat.members.get(user.id, "left")
        chat.members[user.id] = new
        result = self._service(chat, user, content)
        if chat.bot_status == "administrator":
            payload = member_update(self.world, chat, user, user, old, new)
            extra = self.world.updates.push("chat_member", payload)
            if extra:
                result.updates.append(extra)
        return result

    def join(self, user: User, chat: Chat) -> Injected:
        """A user joins a group (chat_member update only for admin bots that allow it)."""
        return self._member_change(user, chat, "member", {"new_chat_members": [user.to_api()]})

    def leave(self, user: User, chat: Chat) -> Injected:
        """A user leaves a group."""
        return self._member_change(user, chat, "left", {"left_chat_member": user.to_api()})

    def migrate_to_supergroup(self, chat: Chat, by: User | None = None) -> int:
        """Upgrade a group to a supergroup; return the new chat id."""
        if chat.type != "group" or chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} is not a basic group")
        actor = by or self._owner(chat)
        new_id = self.world.new_group_id(supergroup=True)
        target = Chat(
            new_id,
            "supergroup",
            title=chat.title,
            members=dict(chat.members),
            bot_status=chat.bot_status,
            members_can_pin=chat.members_can_pin,
        )
        self.world.chats[new_id] = target
        self._service(chat, actor, {"migrate_to_chat_id": new_id})
        chat.migrated_to = new_id
        self._service(target, actor, {"migrate_from_chat_id": chat.id})
        return new_id

    def _owner(self, chat: Chat) -> User:
        for user_id, status in chat.members.items():
            user = self.world.user(user_id)
            if user is not None and status == "creator":
                return user
        for user_id in chat.members:
            user = self.world.user(user_id)
            if user is not None:
                return user
        return self.world.bot
