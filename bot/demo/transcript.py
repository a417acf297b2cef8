"""A readable transcript of what people did and what the bot answered, in order."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from sandbox.driver import Sandbox

_TAG = re.compile(r"<[^>]+>")
_SENDS = {"sendMessage", "sendPhoto", "sendDocument"}


def plain(text: str) -> str:
    """Telegram HTML as plain text."""
    return html.unescape(_TAG.sub("", text))


class Transcript:
    """Collects lines: narration, people's actions, and the bot's calls as they happen."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.lines: list[str] = []
        self._seen_calls = 0
        self._titles: dict[int, str] = {}

    def chat_name(self, chat_id: int) -> str:
        """A group's title, or the person's name for a private chat."""
        if chat_id not in self._titles:
            chat = self.sb.world.find_chat(chat_id)
            name = getattr(chat, "title", None) if chat is not None else None
            if not name:
                user = self.sb.world.users.get(chat_id)
                name = f"私聊 {user.first_name}" if user is not None else str(chat_id)
            self._titles[chat_id] = name
        return self._titles[chat_id]

    def scene(self, title: str) -> None:
        """Start a new scene."""
        self.catch_up()
        self.lines += ["", f"=== {title} ==="]

    def say(self, text: str) -> None:
        """A line of narration."""
        self.catch_up()
        self.lines.append(f"  ({text})")

    def action(self, who: str, chat_id: int, what: str) -> None:
        """A person did something in a chat."""
        self.catch_up()
        self.lines.append(f"[{self.chat_name(chat_id)}] {who}: {what}")

    def catch_up(self) -> None:
        """Add the bot's calls made since the last look."""
        calls = self.sb.calls
        for call in calls[self._seen_calls :]:
            self._describe(call.method, call.params, call.response)
        self._seen_calls = len(calls)

    def _describe(self, method: str, params: dict[str, Any], response: dict[str, Any]) -> None:
        ok = response.get("ok")
        chat_id = int(params.get("chat_id") or 0)
        if method in _SENDS:
            if not ok:
                self.lines.append(
                    f"[{self.chat_name(chat_id)}] 🤖 (not delivered: {response.get('description')})"
                )
                return
            body = params.get("text") or params.get("caption") or ""
            extra = " [photo]" if method == "sendPhoto" else ""
            if method == "sendDocument":
                doc = (response.get("result") or {}).get("document") or {}
                extra = f" [file {doc.get('file_name', '')}]"
            self.lines.append(
                f"[{self.chat_name(chat_id)}] 🤖{extra} "
                + _indent(plain(body))
                + _buttons(params.get("reply_markup"))
            )
        elif method == "editMessageText" and ok:
            self.lines.append(
                f"[{self.chat_name(chat_id)}] 🤖 (edited) " + _indent(plain(params.get("text", "")))
            )
        elif method == "answerCallbackQuery" and ok and params.get("text"):
            kind = "alert" if params.get("show_alert") else "notice"
            self.lines.append(f"    🤖 ({kind}) {plain(params['text'])}")
        elif method == "pinChatMessage" and ok:
            self.lines.append(f"[{self.chat_name(chat_id)}] 🤖 (pinned the message)")

    def text(self) -> str:
        """The whole transcript."""
        self.catch_up()
        return "\n".join(self.lines).strip() + "\n"


def _indent(text: str) -> str:
    return text.replace("\n", "\n      ")


def _buttons(markup: Any) -> str:
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = (markup or {}).get("inline_keyboard") or []
    labels = [f"[{b['text']}]" for row in rows for b in row]
    return ("\n      " + " ".join(labels)) if labels else ""
