"""Generated updates for the fuzz test: odd text, odd commands, forged buttons, odd kinds.

Everything is drawn from one `random.Random`, so a seed names a run. The generator reads the
sandbox (which messages exist, which buttons the bot has shown) to aim at real targets:
other people's reports, buttons of other chats, replies to the bot's questions.
"""

from __future__ import annotations

import copy
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.actions import Injected
from sandbox.driver import Sandbox
from sandbox.state import Chat, User

COMMANDS = (
    "start", "help", "report", "my", "status", "tasks", "card", "bind", "invite", "join",
    "visit", "contact", "checkin", "survey", "pension", "policy", "cancel", "digest", "board",
    "assess", "announce", "export", "nonsense",
)  # fmt: skip
PREFIXES = ("r", "rc", "bd", "ex", "dg", "as", "an", "fc", "sv", "pf", "pv", "pl", "hh", "hj", "hl")
ODD_ARGUMENTS = (
    "²", "١٢", "１２", "99999999999999999999", "-1", "0", "#", "#0", "# 1", "1e9", "0x1F",
    "M1", "M4", "T", "V1", "L4A", "C1", "<b>x</b>", "&amp;", "<a href='x'>", "\u202e1\u202c",
    "\u200b", "survey", "pension", "inv_", "inv_AAAA", "  ", "\\", "%s", "{number}", "null",
)  # fmt: skip
# Ranges of code points people (and attackers) type: Latin, CJK, emoji, RTL, combining marks.
ALPHABETS = (
    string.ascii_letters + string.digits + string.punctuation + " ",
    "".join(chr(c) for c in range(0x4E00, 0x4E00 + 400)) + "，。！？、：；“”（）",
    "".join(chr(c) for c in range(0x1F600, 0x1F650)) + "\u200d\ufe0f",
    "".join(chr(c) for c in range(0x0590, 0x0600)) + "\u202e\u202d\u200f",
    "\u0300\u0301\u0302\u0336\u0489" + "ab",
    "²³¹⁰١٢٣٤０１２３",
    "<>&\"'/\\#@:;",
)


def random_text(rng: random.Random, longest: int = 400) -> str:
    """Random text from a few alphabets, sometimes very long (up to Telegram's 4096)."""
    if rng.random() < 0.03:
        longest = 4096
    length = rng.randint(1, longest)
    alphabet = rng.choice(ALPHABETS)
    text = "".join(rng.choice(alphabet) for _ in range(length)).strip()
    return text or "x"


@dataclass
class Cast:
    """Who acts (residents and strangers) and where (their private chats and groups)."""

    actors: list[User]
    groups: list[Chat]
    bot: User


class UpdateMaker:
    """Draws one user action at a time and injects it into the sandbox."""

    def __init__(self, sb: Sandbox, cast: Cast, rng: random.Random) -> None:
        self.sb, self.cast, self.rng = sb, cast, rng
        self.kinds: list[tuple[float, Callable[[User, Chat], Injected | None]]] = [
            (0.20, self.text),
            (0.22, self.command),
            (0.10, self.reply_to_bot),
            (0.25, self.forged_press),
            (0.05, self.photo),
            (0.06, self.edited),
            (0.08, self.other_update),
            (0.04, self.location_or_contact),
        ]

    def next(self) -> tuple[str, Injected | None]:
        """Inject one random action; returns a description and what was injected."""
        rng = self.rng
        actor = rng.choice(self.cast.actors)
        places = [g for g in self.cast.groups if actor.id in g.members]
        chat = self.sb.private(actor) if not places or rng.random() < 0.4 else rng.choice(places)
        weights = [w for w, _ in self.kinds]
        _, make = rng.choices(self.kinds, weights)[0]
        injected = make(actor, chat)
        return f"{make.__name__} by {actor.id} in {chat.id}", injected

    # --- messages ----------------------------------------------------------------------

    def text(self, actor: User, chat: Chat) -> Injected:
        """Plain random text."""
        return self.sb.send_text(actor, chat, random_text(self.rng))

    def command_text(self) -> str:
        """A command, sometimes addressed to a bot, with odd arguments or none."""
        rng = self.rng
        name = rng.choice(COMMANDS)
        suffix = rng.choice(["", "", "", f"@{self.cast.bot.username}", "@other_bot"])
        args = [rng.choice(ODD_ARGUMENTS) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        if rng.random() < 0.15:
            args.append(random_text(rng, 4000 if rng.random() < 0.2 else 200))
        return " ".join([f"/{name}{suffix}", *args])

    def command(self, actor: User, chat: Chat) -> Injected:
        """A command with odd arguments, in whatever chat."""
        return self.sb.send_text(actor, chat, self.command_text())

    def reply_to_bot(self, actor: User, chat: Chat) -> Injected:
        """A reply to one of the bot's messages there (a forced-reply question, maybe)."""
        own = [m for m in chat.messages.values() if m.sender_id == self.cast.bot.id]
        if not own:
            return self.text(actor, chat)
        target = self.rng.choice(own[-6:]).message_id
        text = self.command_text() if self.rng.random() < 0.2 else random_text(self.rng)
        return self.sb.send_text(actor, chat, text, reply_to=target)

    def photo(self, actor: User, chat: Chat) -> Injected:
        """A photo, sometimes captioned as a report."""
        caption = self.rng.choice([None, "/report", "/report " + random_text(self.rng, 1100)])
        return self.sb.send_photo(actor, chat, caption=caption)

    def location_or_contact(self, actor: User, chat: Chat) -> Injected:
        """A location (anywhere on earth) or a contact (own or someone's)."""
        rng = self.rng
        if rng.random() < 0.5:
            return self.sb.send_location(actor, chat, rng.uniform(-90, 90), rng.uniform(-180, 180))
        phone = rng.choice(["13912345678", "+8613912345678", "0731-87654321", "12", "abc"])
        return self.sb.send_contact(actor, chat, phone, own=rng.random() < 0.7)

    def edited(self, actor: User, chat: Chat) -> Injected:
        """An edit of one of the actor's own earlier messages there."""
        mine = [m for m in chat.messages.values() if m.sender_id == actor.id and "text" in m.data]
        if not mine:
            return self.text(actor, chat)
        message = copy.deepcopy(self.rng.choice(mine).data)
        message["text"] = self.command_text() if self.rng.random() < 0.3 else random_text(self.rng)
        message.pop("entities", None)
        if message["text"].startswith("/"):
            head = message["text"].split(" ", 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(head)}]
        message["edit_date"] = message["date"] + 5
        return self.sb.inject_update("edited_message", message)

    # --- buttons -----------------------------------------------------------------------

    def _seen_data(self) -> list[str]:
        """Callback data of every button the bot has shown anywhere."""
        found = []
        for chat in self.sb.world.chats.values():
            for message in list(chat.messages.values())[-30:]:
                rows = (message.data.get("reply_markup") or {}).get("inline_keyboard", [])
                found += [b["callback_data"] for row in rows for b in row if "callback_data" in b]
        return found

    def callback_data(self) -> str:
        """Real data from other chats, real prefixes with garbage, or random bytes."""
        rng = self.rng
        roll = rng.random()
        seen = self._seen_data()
        if roll < 0.35 and seen:
            data = rng.choice(seen)
            if rng.random() < 0.5:  # someone else's number in the same shape
                parts = data.split(":")
                numbered = [i for i, p in enumerate(parts) if p.isdigit()]
                if numbered:
                    parts[rng.choice(numbered)] = str(rng.choice([0, 1, 2, 3, 5, 8, 10**19]))
                data = ":".join(parts)
            return data
        if roll < 0.8:
            prefix = rng.choice(PREFIXES)
            parts = [
                rng.choice(
                    [
                        "acc",
                        "cfm",
                        "reo",
                        "res",
                        "esc",
                        "dup",
                        "rej",
                        "p",
                        "h",
                        "s",
                        "u",
                        "ok",
                        "no",
                        "x",
                        "a",
                        "d",
                        "t",
                        "e",
                        "ask",
                        "who",
                        "go",
                    ]
                )
            ]
            parts += [rng.choice((*ODD_ARGUMENTS, "1", "2", "3", "20260610", "0900"))
                      for _ in range(rng.randint(0, 4))]  # fmt: skip
            data = ":".join([prefix, *parts])
        else:
            data = random_text(rng, 64)
        while len(data.encode()) > 64:
            data = data[:-1]
        return data or "x"

    def forged_press(self, actor: User, chat: Chat) -> Injected:
        """A press with forged data on some message of the chat (the bot's, preferably)."""
        if not chat.messages:
            return self.text(actor, chat)
        own = [m for m in chat.messages.values() if m.sender_id == self.cast.bot.id]
        target = self.rng.choice(own[-10:] or list(chat.messages.values()))
        return self.sb.forge_press(actor, chat, target.message_id, self.callback_data())

    # --- other kinds of update --------------------------------------------------------

    def other_update(self, actor: User, chat: Chat) -> Injected:
        """An update of a kind the bot does not use (it must shrug, not fail)."""
        rng, now = self.rng, self.sb.world.now()
        who, where = actor.to_api(), chat.to_api()
        some_message = rng.choice(list(chat.messages)) if chat.messages else 1
        emoji = {"type": "emoji", "emoji": "👍"}
        kinds: dict[str, dict[str, Any]] = {
            "poll": {
                "id": str(rng.randint(1, 10**9)),
                "question": random_text(rng, 100),
                "options": [
                    {"persistent_id": "a", "text": "a", "voter_count": 1},
                    {"persistent_id": "b", "text": "b", "voter_count": 0},
                ],
                "total_voter_count": 1,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            },
            "poll_answer": {
                "poll_id": "1",
                "user": who,
                "option_ids": [0],
                "option_persistent_ids": ["a"],
            },
            "chat_join_request": {
                "chat": where,
                "from": who,
                "user_chat_id": actor.id,
                "date": now,
            },
            "message_reaction": {
                "chat": where,
                "message_id": some_message,
                "user": who,
                "date": now,
                "old_reaction": [],
                "new_reaction": [emoji],
            },
            "message_reaction_count": {
                "chat": where,
                "message_id": some_message,
                "date": now,
                "reactions": [{"type": emoji, "total_count": 3}],
            },
            "inline_query": {
                "id": str(rng.randint(1, 10**9)),
                "from": who,
                "query": random_text(rng, 50),
                "offset": "",
            },
            "chosen_inline_result": {"result_id": "1", "from": who, "query": "x"},
            "channel_post": {
                "message_id": rng.randint(1, 100),
                "date": now,
                "chat": {"id": -1009999999999, "type": "channel", "title": "频道"},
                "text": self.command_text(),
            },
            "shipping_query": {
                "id": "1",
                "from": who,
                "invoice_payload": "x",
                "shipping_address": {
                    "country_code": "CN",
                    "state": "",
                    "city": "长沙",
                    "street_line1": "x",
                    "street_line2": "",
                    "post_code": "410000",
                },
            },
            "pre_checkout_query": {
                "id": "1",
                "from": who,
                "currency": "CNY",
                "total_amount": 100,
                "invoice_payload": "x",
            },
            "my_chat_member": {
                "chat": self.sb.private(actor).to_api(),
                "from": who,
                "date": now,
                "old_chat_member": {"status": "member", "user": self.cast.bot.to_api()},
                "new_chat_member": {
                    "status": "kicked",
                    "user": self.cast.bot.to_api(),
                    "until_date": 0,
                },
            },
        }
        kind = rng.choice(sorted(kinds))
        return self.sb.inject_update(kind, kinds[kind])
