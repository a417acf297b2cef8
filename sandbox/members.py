"""ChatMember objects and chat-member updates (my_chat_member, chat_member)."""

from __future__ import annotations

from typing import Any

from sandbox.state import Chat, User, World

_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def member_object(user: User, status: str, can_pin: bool = True) -> dict[str, Any]:
    """Return the ChatMember object for a user with a given status."""
    data: dict[str, Any] = {"status": status, "user": user.to_api()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(_ADMIN_RIGHTS, can_pin_messages=can_pin)
    elif status == "kicked":
        data["until_date"] = 0
    return data


def status_of(world: World, chat: Chat, user_id: int) -> str:
    """Return a user's (or the bot's) membership status in a chat."""
    if user_id == world.bot.id:
        return "member" if chat.type == "private" else chat.bot_status
    if chat.type == "private":
        return "member" if chat.id == user_id else "left"
    return chat.members.get(user_id, "left")


def member_count(world: World, chat: Chat) -> int:
    """Count current members, the bot included."""
    if chat.type == "private":
        return 2
    humans = sum(
        1
        for status in chat.members.values()
        if status in ("creator", "administrator", "member", "restricted")
    )
    return humans + (1 if chat.bot_is_member else 0)


def administrators(world: World, chat: Chat) -> list[dict[str, Any]]:
    """Return the ChatMember objects of the chat's owner and administrators."""
    result = []
    for user_id, status in chat.members.items():
        user = world.user(user_id)
        if user is not None and status in ("creator", "administrator"):
            result.append(member_object(user, status))
    if chat.bot_status == "administrator":
        result.append(member_object(world.bot, "administrator", chat.bot_can_pin))
    return result


def bot_member_object(world: World, chat: Chat) -> dict[str, Any]:
    """The bot's own ChatMember object in a chat, with its pin right when an administrator."""
    return member_object(world.bot, status_of(world, chat, world.bot.id), chat.bot_can_pin)


def chat_permissions(chat: Chat) -> dict[str, Any]:
    """The ChatPermissions of a group: what plain members may do."""
    rights = (
        "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
        "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
        "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
        "can_invite_users", "can_manage_topics",
    )  # fmt: skip
    return {**dict.fromkeys(rights, True), "can_pin_messages": chat.members_can_pin}


def member_update(
    world: World, chat: Chat, actor: User, subject: User, old: str, new: str
) -> dict[str, Any]:
    """Build a ChatMemberUpdated payload for a status change."""
    return {
        "chat": chat.to_api(),
        "from": actor.to_api(),
        "date": world.now(),
        "old_chat_member": member_object(subject, old),
        "new_chat_member": member_object(subject, new),
    }
