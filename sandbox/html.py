"""Telegram's HTML parse mode: plain text plus MessageEntity list, with its error messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TAGS = {
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
    "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
}  # fmt: skip
_SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline", "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\f\0"
_USER_LINK = re.compile(r"tg://user\?id=(\d+)$", re.IGNORECASE)
_URL_SCHEME = re.compile(r"^(https?|tg|ton)://", re.IGNORECASE)
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", re.IGNORECASE)


class HtmlError(ValueError):
    """An HTML parse error, worded like the Bot API's "can't parse entities" reasons."""


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    text_start: int
    expandable: bool = False


@dataclass
class _Parser:
    source: str
    strict: bool
    out: list[str] = field(default_factory=list)
    utf16: int = 0
    chars: int = 0
    stack: list[_Open] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def at(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else "\0"

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def fail(self, message: str, index: int | None = None) -> HtmlError:
        if index is None:
            return HtmlError(message)
        return HtmlError(f"{message} at byte offset {self.byte_offset(index)}")

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.chars += len(text)
        self.utf16 += utf16_len(text)


def utf16_len(text: str) -> int:
    """Length of a string in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def parse_html(source: str, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text and entities; raise HtmlError when invalid.

    With strict=True a "&" that does not start a known entity and a "<" that cannot start a
    tag are reported as "Can't find end of the entity"; otherwise they are kept literally
    (a bare "<" then fails as an unsupported tag, like tdlib does).
    """
    parser = _Parser(source, strict)
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            decoded = _decode_entity(source, i)
            if decoded is not None:
                text, i = decoded
                parser.emit(text)
                continue
            if strict:
                raise parser.fail("Can't find end of the entity starting", i)
        if ch != "<":
            parser.emit(ch)
            i += 1
            continue
        if parser.at(i + 1) == "/":
            i = _end_tag(parser, i)
        else:
            i = _start_tag(parser, i)
        i += 1
    if parser.stack:
        tag = parser.stack[-1].tag
        raise parser.fail(f'Can\'t find end tag corresponding to start tag "{tag}"')
    for entity in parser.entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    parser.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.out), parser.entities


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    end = pos + 1
    n = len(text)
    if end < n and text[end] == "#":
        end += 1
        digits = "0123456789abcdefABCDEF" if end < n and text[end] == "x" else "0123456789"
        base = 16 if len(digits) > 10 else 10
        if base == 16:
            end += 1
        start = end
        while end < n and text[end] in digits:
            end += 1
        value = int(text[start:end], base) if end > start else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        decoded = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED.get(text[pos + 1 : end])
        if named is None:
            return None
        decoded = named
    if end < n and text[end] == ";":
        end += 1
    return decoded, end


def _start_tag(p: _Parser, begin: int) -> int:
    nxt = p.at(begin + 1)
    if p.strict and not (nxt.isascii() and nxt.isalpha()):
        raise p.fail("Can't find end of the entity starting", begin)
    i = begin + 1
    while p.at(i) not in _SPACES and p.at(i) != ">":
        i += 1
    if p.at(i) == "\0":
        raise p.fail("Unclosed start tag", begin)
    tag = p.source[begin + 1 : i].lower()
    if tag not in _TAGS:
        raise p.fail(f'Unsupported start tag "{tag}"', begin)
    argument = ""
    expandable = False
    while p.at(i) != ">":
        while p.at(i) != "\0" and p.at(i) in _SPACES:
            i += 1
        if p.at(i) == ">":
            break
        name_start = i
        while p.at(i) not in _SPACES and p.at(i) not in "=>":
            i += 1
        name = p.source[name_start:i]
        if not name:
            raise p.fail(f'Empty attribute name in the tag "{tag}"', begin)
        while p.at(i) != "\0" and p.at(i) in _SPACES:
            i += 1
        if p.at(i) != "=":
            if tag == "blockquote" and name == "expandable":
                expandable = True
                continue
            message = f'Expected equal sign in declaration of an attribute of the tag "{tag}"'
            raise p.fail(message, begin)
        i += 1
        while p.at(i) != "\0" and p.at(i) in _SPACES:
            i += 1
        if p.at(i) == "\0":
            raise p.fail(f'Unclosed start tag "{tag}"', begin)
        value, i = _attribute_value(p, i)
        if p.at(i) == "\0":
            raise p.fail("Unclosed start tag", begin)
        argument = _tag_argument(tag, name, value, argument)
    if tag == "span" and argument != "spoiler":
        raise p.fail('Tag "span" must have class "tg-spoiler"', begin)
    p.stack.append(_Open(tag, argument, p.utf16, p.chars, expandable))
    return i


def _attribute_value(p: _Parser, i: int) -> tuple[str, int]:
    quote = p.at(i)
    if quote not in "'\"":
        start = i
        while p.at(i).isascii() and (p.at(i).isalnum() or p.at(i) in ".-"):
            i += 1
        if p.at(i) not in _SPACES and p.at(i) != ">":
            raise p.fail("Unexpected end of name token", start)
        return p.source[start:i].lower(), i
    i += 1
    chars: list[str] = []
    while p.at(i) != quote and p.at(i) != "\0":
        if p.at(i) == "&":
            decoded = _decode_entity(p.source, i)
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
                continue
        chars.append(p.at(i))
        i += 1
    if p.at(i) == quote:
        i += 1
    return "".join(chars), i


def _tag_argument(tag: str, name: str, value: str, current: str) -> str:
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[3:]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    return current


def _end_tag(p: _Parser, begin: int) -> int:
    if not p.stack:
        raise p.fail("Unexpected end tag", begin)
    i = begin + 1
    while p.at(i) not in _SPACES and p.at(i) != ">":
        i += 1
    end_name = p.source[begin + 2 : i].lower()
    while p.at(i) != "\0" and p.at(i) in _SPACES:
        i += 1
    if p.at(i) != ">":
        raise p.fail("Unclosed end tag", begin)
    opened = p.stack[-1]
    if end_name and end_name != opened.tag:
        raise HtmlError(
            f"Unmatched end tag at byte offset {p.byte_offset(begin)}, "
            f'expected "</{opened.tag}>", found "</{end_name}>"'
        )
    if p.utf16 > opened.offset:
        _close_entity(p, opened)
    p.stack.pop()
    return i


def _close_entity(p: _Parser, opened: _Open) -> None:
    offset, length = opened.offset, p.utf16 - opened.offset
    span = {"offset": offset, "length": length}
    last = p.entities[-1] if p.entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    tag = opened.tag
    if tag in _SIMPLE:
        p.entities.append({"type": _SIMPLE[tag], **span})
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.expandable else "blockquote"
        p.entities.append({"type": kind, **span})
    elif tag == "tg-emoji":
        if not opened.argument.isdigit() or int(opened.argument) == 0:
            raise HtmlError("Invalid custom emoji identifier specified")
        p.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": opened.argument})
    elif tag == "a":
        url = opened.argument or "".join(p.out)[opened.text_start :]
        entity = _link_entity(url, span)
        if entity is not None:
            p.entities.append(entity)
    elif tag == "pre":
        if same_span and last is not None and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            p.entities.append({"type": "pre", **span})
    elif tag == "code":
        if same_span and last is not None and last["type"] == "pre" and opened.argument:
            last["language"] = opened.argument
        else:
            entity = {"type": "code", **span}
            if opened.argument:
                entity["language"] = opened.argument
            p.entities.append(entity)


def _link_entity(url: str, span: dict[str, int]) -> dict[str, Any] | None:
    user = _USER_LINK.match(url)
    if user:
        user_info = {"id": int(user.group(1)), "is_bot": False, "first_name": ""}
        return {"type": "text_mention", **span, "user": user_info}
    if _URL_SCHEME.match(url):
        return {"type": "text_link", **span, "url": url}
    if _DOMAIN.match(url):
        return {"type": "text_link", **span, "url": f"http://{url}"}
    return None
