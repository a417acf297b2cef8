"""What a preflight check found, in the operator's language, and how it is printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.texts import Html, Lang

MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}
# Problem groups list this many entries, then "… and N more".
LIST_LIMIT = 20


class Verdict(StrEnum):
    """OK; a warning (the bot runs, something needs care); a failure (it cannot run well)."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    """One check's outcome: a line, optional detail lines, and the advice to fix it."""

    verdict: Verdict
    text: str
    details: tuple[str, ...] = ()
    fix: str | None = None

    def render(self) -> list[str]:
        """The finding as printed lines."""
        lines = [f"{MARKS[self.verdict]} {self.text}"]
        lines += [f"    {line}" for line in self.details]
        if self.fix:
            lines.append(f"  → {self.fix}")
        return lines


def plain(**values: Any) -> dict[str, Html]:
    """Values for a console text: never HTML-escaped (the output is not Telegram's)."""
    return {key: Html(str(value)) for key, value in values.items()}


@dataclass
class Advice:
    """Builds findings from catalog keys (`doctor.<key>` and `doctor.<key>_fix`)."""

    t: Lang
    values: dict[str, Any] = field(default_factory=dict)

    def __call__(
        self,
        verdict: Verdict,
        key: str,
        details: tuple[str, ...] = (),
        fix: str | None = None,
        **values: Any,
    ) -> Finding:
        """A finding; failures and warnings carry the `<key>_fix` advice unless told another."""
        merged = plain(**{**self.values, **values})
        text = self.t.texts.get(self.t.code, f"doctor.{key}", **merged)
        advice = None
        if verdict is not Verdict.OK:
            fix_key = f"doctor.{fix or key + '_fix'}"
            catalog = self.t.texts.catalogs[self.t.code]
            if fix_key in catalog:
                advice = self.t.texts.get(self.t.code, fix_key, **merged)
        return Finding(verdict, text, details, advice)

    def with_values(self, **values: Any) -> Advice:
        """The same advice with more values known to every text."""
        return Advice(self.t, {**self.values, **values})

    def line(self, key: str, **values: Any) -> str:
        """A plain catalog line (detail lines, progress)."""
        return self.t.texts.get(self.t.code, f"doctor.{key}", **plain(**{**self.values, **values}))

    def listing(self, lines: list[str]) -> tuple[str, ...]:
        """At most LIST_LIMIT lines, then how many more there are."""
        if len(lines) <= LIST_LIMIT:
            return tuple(lines)
        return (*lines[:LIST_LIMIT], self.line("more", count=len(lines) - LIST_LIMIT))
