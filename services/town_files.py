"""The files the town edits: the questionnaire, the policy handbook, the pension guide.

Each is TOML (UTF-8, or GB18030 as Chinese Windows saves it); an empty path in the
configuration means the sample shipped in `bot/data`.
They are read and checked once at start-up, so a mistake stops the bot with a message that
names the file, the entry and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError
from bot.text_files import NotText, read_text
from models.policy import Handbook, HandbookError, parse_handbook
from models.questionnaire import DEFAULT_LANGUAGE, Localized, Questionnaire
from models.questionnaire_file import QuestionnaireError, parse_questionnaire

SHIPPED = "bot.data"
QUESTIONNAIRE = "questionnaire.toml"
HANDBOOK = "policy_handbook.toml"
GUIDE = "pension_guide.toml"
GUIDE_PARTS = ("self_service", "service_point")
GUIDE_LIMIT = 3500


@dataclass(frozen=True)
class PensionGuide:
    """How to get authenticated without a home visit, by language."""

    self_service: Localized
    service_point: Localized


@dataclass(frozen=True)
class TownFiles:
    """Everything the town wrote for the step-by-step flows."""

    questionnaire: Questionnaire
    handbook: Handbook
    guide: PensionGuide


def _read(setting: str, shipped: str) -> tuple[dict[str, Any], str]:
    """The parsed TOML of a configured file, or of the shipped sample when none is set."""
    if setting:
        path = Path(setting)
        try:
            text = read_text(path)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except NotText as exc:
            raise ConfigError(f"{path}: {exc}") from None
        label = str(path)
    else:
        text = resources.files(SHIPPED).joinpath(shipped).read_text(encoding="utf-8")
        label = f"{shipped} (shipped)"
    try:
        return tomllib.loads(text), label
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None


def questionnaire_from(data: Mapping[str, Any], label: str, config: Config) -> Questionnaire:
    """A questionnaire checked against the configured report categories."""
    categories = [(c.code, {"zh": c.zh, "en": c.en}) for c in config.categories]
    try:
        return parse_questionnaire(data, label, categories)
    except QuestionnaireError as exc:
        raise ConfigError("\n".join(exc.problems)) from None


def guide_from(data: Mapping[str, Any], label: str) -> PensionGuide:
    """The pension guide: [self_service] and [service_point], each with zh (and en) text."""
    problems = [
        f'pension guide ({label}), field "{key}": unknown field'
        for key in sorted(set(data) - set(GUIDE_PARTS))
    ]
    parts: dict[str, Localized] = {}
    for part in GUIDE_PARTS:
        raw = data.get(part)
        if not isinstance(raw, Mapping) or not isinstance(raw.get(DEFAULT_LANGUAGE), str):
            problems.append(f'pension guide ({label}), field "{part}.{DEFAULT_LANGUAGE}": missing')
            continue
        for language, text in raw.items():
            if language not in ("zh", "en") or not isinstance(text, str) or not text.strip():
                problems.append(
                    f'pension guide ({label}), field "{part}.{language}": expected '
                    "a non-empty text in zh or en"
                )
            elif len(text) > GUIDE_LIMIT:
                problems.append(
                    f'pension guide ({label}), field "{part}.{language}": longer '
                    f"than {GUIDE_LIMIT} characters"
                )
        parts[part] = {k: v.strip() for k, v in raw.items() if isinstance(v, str)}
    if problems:
        raise ConfigError("\n".join(problems))
    return PensionGuide(self_service=parts["self_service"], service_point=parts["service_point"])


def load_town_files(config: Config) -> TownFiles:
    """Read and check every town file named in `[flows]` (or the shipped samples)."""
    flows = config.flows
    if config.category(flows.policy.report_category) is None:
        raise ConfigError(
            f"flows.policy.report_category: {flows.policy.report_category!r} "
            "is not one of the configured categories"
        )
    questionnaire = questionnaire_from(*_read(flows.survey.file, QUESTIONNAIRE), config)
    data, label = _read(flows.policy.file, HANDBOOK)
    try:
        handbook = parse_handbook(data, label)
    except HandbookError as exc:
        raise ConfigError("\n".join(exc.problems)) from None
    guide = guide_from(*_read(flows.pension.guide, GUIDE))
    return TownFiles(questionnaire=questionnaire, handbook=handbook, guide=guide)
