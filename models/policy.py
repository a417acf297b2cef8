"""The policy handbook (涉农政策一册通): entries from the town's file, and searching them.

Chinese is written without spaces, so a question is never split into words on whitespace:
an entry matches when one of its keywords occurs in the question (or the question in a
keyword or title), with a little credit for shared two-character pieces. English questions
are matched word by word against titles and keywords, tolerant of plural endings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from models.questionnaire import DEFAULT_LANGUAGE, Localized, localized

LANGUAGES = ("zh", "en")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,23}$")
_FIELDS = {"id", "title", "keywords", "body", "source", "date"}
_NOT_WORD = re.compile(r"[\W_]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
MAX_BODY = 3500
# Two-character pieces of everyday questions that say nothing about the subject.
_STOP_PAIRS = {
    "怎么",
    "什么",
    "如何",
    "可以",
    "我们",
    "是否",
    "哪里",
    "请问",
    "一下",
    "多少",
    "需要",
    "现在",
    "今年",
    "有没",
    "没有",
    "怎样",
    "为什",
    "么办",
    "的吗",
    "了吗",
    "我家",
    "我的",
    "我妈",
    "我爸",
    "家里",
    "政策",
    "问题",
}
_STOP_WORDS = {
    "the",
    "and",
    "for",
    "how",
    "what",
    "can",
    "does",
    "with",
    "about",
    "get",
    "apply",
    "where",
    "who",
    "when",
    "why",
    "are",
    "you",
    "your",
    "our",
    "policy",
    "policies",
    "need",
    "want",
    "there",
    "any",
    "from",
    "this",
    "that",
}


class PolicyEntry(BaseModel):
    """One entry of the handbook."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: Localized
    keywords: dict[str, tuple[str, ...]]
    body: Localized
    source: str
    date: str

    def heading(self, language: str) -> str:
        """The title in `language` (or Chinese)."""
        return localized(self.title, language)


class Handbook(BaseModel):
    """Every entry, in the file's order."""

    model_config = ConfigDict(frozen=True)

    entries: tuple[PolicyEntry, ...]

    def entry(self, entry_id: str) -> PolicyEntry | None:
        """The entry with this id."""
        return next((e for e in self.entries if e.id == entry_id), None)


class HandbookError(ValueError):
    """The handbook file has mistakes; `problems` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _localized(
    raw: Any, where: str, field: str, problems: list[str], limit: int, required: tuple[str, ...]
) -> Localized:
    if not isinstance(raw, Mapping):
        problems.append(f'{where}, field "{field}": expected {{ zh = "…", en = "…" }}')
        return {}
    out: Localized = {}
    for language, text in raw.items():
        if language not in LANGUAGES or not isinstance(text, str) or not text.strip():
            problems.append(
                f'{where}, field "{field}.{language}": expected a non-empty text in zh or en'
            )
        elif len(text) > limit:
            problems.append(f'{where}, field "{field}.{language}": longer than {limit}')
        else:
            out[language] = text.strip()
    for language in required:
        if language not in raw:
            problems.append(f'{where}, field "{field}.{language}": missing')
    return out


def parse_handbook(data: Mapping[str, Any], source: str) -> Handbook:
    """Validate a parsed handbook file; HandbookError lists every mistake."""
    problems: list[str] = []
    raw_entries = data.get("entries")
    for key in sorted(set(data) - {"entries"}):
        problems.append(f'handbook ({source}), field "{key}": unknown field')
    if not isinstance(raw_entries, list) or not raw_entries:
        raise HandbookError([f"handbook ({source}): expected [[entries]] tables"])
    entries: list[PolicyEntry] = []
    for number, raw in enumerate(raw_entries, start=1):
        entry_id = raw.get("id") if isinstance(raw, Mapping) else None
        where = f'handbook ({source}), entry "{entry_id}" (#{number})'
        if not isinstance(raw, Mapping):
            problems.append(f"{where}: expected a table")
            continue
        before = len(problems)
        for key in sorted(set(raw) - _FIELDS):
            problems.append(f'{where}, field "{key}": unknown field')
        if not isinstance(entry_id, str) or not _ID.match(entry_id):
            problems.append(f'{where}, field "id": expected a short Latin name like "farm-aid"')
        elif any(e.id == entry_id for e in entries):
            problems.append(f'{where}, field "id": used by an earlier entry')
        title = _localized(raw.get("title"), where, "title", problems, 60, LANGUAGES)
        body = _localized(raw.get("body"), where, "body", problems, MAX_BODY, (DEFAULT_LANGUAGE,))
        keywords = _keywords(raw.get("keywords"), where, problems)
        source_text, date = raw.get("source"), raw.get("date")
        if not isinstance(source_text, str) or not source_text.strip():
            problems.append(f'{where}, field "source": expected who issued it')
        if date is None or isinstance(date, bool | list | dict):
            problems.append(f'{where}, field "date": expected a date like 2025-03-01')
        if len(problems) == before:
            entries.append(
                PolicyEntry(
                    id=str(entry_id),
                    title=title,
                    keywords=keywords,
                    body=body,
                    source=str(source_text).strip(),
                    date=str(date),
                )
            )
    if problems:
        raise HandbookError(problems)
    return Handbook(entries=tuple(entries))


def _keywords(raw: Any, where: str, problems: list[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f'{where}, field "keywords": expected {{ zh = ["…"], en = ["…"] }}')
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for language, words in raw.items():
        if (
            language not in LANGUAGES
            or not isinstance(words, list)
            or not all(isinstance(w, str) and w.strip() for w in words)
        ):
            problems.append(
                f'{where}, field "keywords.{language}": expected a list of words in zh or en'
            )
            continue
        out[language] = tuple(w.strip() for w in words)
    return out


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _compact(text: str) -> str:
    return _NOT_WORD.sub("", _normal(text))


def _pairs(text: str) -> set[str]:
    pairs: set[str] = set()
    for run in _CJK.findall(text):
        pairs.update(run[i : i + 2] for i in range(len(run) - 1))
    return pairs - _STOP_PAIRS


def _related(word: str, other: str) -> bool:
    """Whether two Latin words are the same word up to an ending (subsidy / subsidies)."""
    common = 0
    for a, b in zip(word, other, strict=False):
        if a != b:
            break
        common += 1
    return common >= 4 and common >= 0.7 * min(len(word), len(other))


def score(entry: PolicyEntry, question: str) -> int:
    """How well an entry answers the question (0: not at all)."""
    compact = _compact(question)
    if len(compact) < 2:
        return 0
    keywords = [_compact(k) for words in entry.keywords.values() for k in words]
    titles = [_compact(t) for t in entry.title.values()]
    body = " ".join(_normal(b) for b in entry.body.values())
    points = 0
    for keyword in keywords:
        if keyword and (keyword in compact or compact in keyword):
            points += 3
    if any(compact in title for title in titles):
        points += 3
    if compact in _compact(body):
        points += 2
    names = {w for t in entry.title.values() for w in _LATIN_WORD.findall(_normal(t))}
    names |= {w for k in entry.keywords.get("en", ()) for w in _LATIN_WORD.findall(_normal(k))}
    for word in set(_LATIN_WORD.findall(_normal(question))) - _STOP_WORDS:
        if len(word) < 3 or word.isdigit():
            continue
        if any(_related(word, name) for name in names):
            points += 2
        elif word in body:
            points += 1
    labels = "".join(titles) + "".join(keywords)
    points += sum(1 for pair in _pairs(_normal(question)) if pair in labels)
    return points


def search(handbook: Handbook, question: str, limit: int = 5) -> list[PolicyEntry]:
    """The best matching entries, best first (handbook order breaks ties); at most `limit`."""
    scored = [(score(e, question), n, e) for n, e in enumerate(handbook.entries)]
    found = sorted((s for s in scored if s[0] >= 2), key=lambda s: (-s[0], s[1]))
    return [entry for _, _, entry in found[:limit]]
