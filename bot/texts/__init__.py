"""Message catalogs: every user-facing text, one TOML file per feature and language.

Keys are `<file stem>.<key>` (nested tables join with dots). Interpolated values are
HTML-escaped unless wrapped in `Html`, so user input can never break the markup.
"""

from __future__ import annotations

import html
import string
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

LANGUAGES = ("zh", "en")


class Html(str):
    """A value that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: Any) -> str:
    """HTML-escape a value for Telegram's HTML parse mode (Html values pass through)."""
    if isinstance(value, Html):
        return str(value)
    return html.escape(str(value), quote=False)


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


def load_catalog(language: str) -> dict[str, str]:
    """Every text of one language, keyed `<feature>.<key>`."""
    out: dict[str, str] = {}
    for entry in sorted(resources.files(f"bot.texts.{language}").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            table = tomllib.loads(entry.read_text(encoding="utf-8"))
            _flatten(entry.name[:-5], table, out)
    return out


def placeholders(template: str) -> set[str]:
    """The `{names}` a template interpolates."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Texts:
    """All catalogs, with a default language."""

    def __init__(self, default: str = "zh", catalogs: dict[str, dict[str, str]] | None = None):
        self.default = default
        self.catalogs = catalogs or {lang: load_catalog(lang) for lang in LANGUAGES}

    def get(self, language: str | None, key: str, /, **values: Any) -> str:
        """The text `key` in `language`, with `values` escaped and filled in."""
        catalog = self.catalogs.get(language or self.default) or self.catalogs[self.default]
        template = catalog[key]
        if not values:
            return template
        return template.format_map({k: escape(v) for k, v in values.items()})

    def lang(self, language: str | None) -> Lang:
        """Bind a language, for code that writes several texts to one person."""
        return Lang(self, language or self.default)


class Lang:
    """Texts in one language, called with a key and values."""

    def __init__(self, texts: Texts, code: str) -> None:
        self.texts = texts
        self.code = code

    def __call__(self, key: str, /, **values: Any) -> str:
        """The text `key` with `values` filled in."""
        return self.texts.get(self.code, key, **values)
