"""Configuration: a TOML file loaded into pydantic models that reject unknown keys."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

TOKEN_ENV = "GRIDBOT_TOKEN"

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: Any) -> timedelta:
    """Parse "90s", "30m", "4h", "3d" or "2w" into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match and int(match.group(1)) > 0:
            return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    raise ValueError(f'expected a duration like "90s", "30m", "4h", "3d" or "2w", got {value!r}')


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Language = Literal["zh", "en"]


class Section(BaseModel):
    """A config table: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BotSection(Section):
    language: Language = "zh"
    # The bot's @username, for invitation links made on the command line.
    username: str = Field("", pattern=r"^$|^[A-Za-z][A-Za-z0-9_]{3,31}$")
    # Private chats follow the user's Telegram language when it is one we speak.
    follow_user_language: bool = True


class RateLimitSection(Section):
    enabled: bool = True
    overall_per_second: int = Field(30, ge=1, le=30)
    group_per_minute: int = Field(20, ge=1, le=20)
    max_retries: int = Field(3, ge=0, le=10)


class TelegramSection(Section):
    token: str = ""
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = ""
    poll_timeout: Duration = timedelta(seconds=10)
    rate_limit: RateLimitSection = RateLimitSection()

    @field_validator("api_base_url", "api_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


class DatabaseSection(Section):
    path: str = "var/gridbot.sqlite3"


class TimeSection(Section):
    zone: str = "Asia/Shanghai"

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class InvitationSection(Section):
    valid_for: Duration = timedelta(days=7)


class Deadline(Section):
    accept_within: Duration
    resolve_within: Duration


class ReportDeadlines(Section):
    l4: Deadline = Deadline(accept_within=timedelta(hours=4), resolve_within=timedelta(days=3))
    l3: Deadline = Deadline(accept_within=timedelta(hours=8), resolve_within=timedelta(days=5))
    l2: Deadline = Deadline(accept_within=timedelta(days=1), resolve_within=timedelta(days=7))
    l1: Deadline = Deadline(accept_within=timedelta(days=2), resolve_within=timedelta(days=14))

    def at(self, level: int) -> Deadline:
        """The deadlines of one level (1-4)."""
        deadline: Deadline = getattr(self, f"l{level}")
        return deadline


class ReportSection(Section):
    max_length: int = Field(1000, ge=20, le=3500)
    # How often the deadline sweep looks for reports past their deadlines.
    sweep_every: Duration = timedelta(minutes=5)
    deadlines: ReportDeadlines = ReportDeadlines()


class Category(Section):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")
    zh: str = Field(min_length=1, max_length=30)
    en: str = Field(min_length=1, max_length=40)

    def label(self, language: str) -> str:
        """The category's name in `language`."""
        return self.en if language == "en" else self.zh


def _cron(value: str) -> str:
    from bot.crontab import cron_trigger

    cron_trigger(value, ZoneInfo("UTC"))
    return value


Cron = Annotated[str, AfterValidator(_cron)]


class DigestSection(Section):
    # Crontab expressions in the town's time zone ("minute hour day month weekday", 1 = Monday).
    daily: Cron = "0 8 * * *"
    weekly: Cron = "0 8 * * 1"
    enabled: bool = True
    # A run missed while the bot was down is sent after start-up if it is not older than this.
    catch_up_within: Duration = timedelta(hours=12)
    chart: bool = True
    # A font file for the chart; empty uses the Noto Sans SC shipped as a dependency.
    chart_font: str = ""


class AssessmentSection(Section):
    # Sent on this crontab schedule for the previous month (default: the 1st at 09:00).
    monthly: Cron = "0 9 1 * *"
    enabled: bool = True
    # Workers who handled fewer reports than this are listed as too few to judge, not ranked.
    min_reports: int = Field(3, ge=1, le=1000)


class AnnouncementSection(Section):
    # How often the cadre's progress message is edited while an announcement is delivered.
    progress_every: Duration = timedelta(seconds=5)
    # Sends in flight at once (the rate limiter keeps them within Telegram's limits).
    parallel_sends: int = Field(8, ge=1, le=30)
    max_length: int = Field(3000, ge=50, le=3500)


class CadreSection(Section):
    digest: DigestSection = DigestSection()
    assessment: AssessmentSection = AssessmentSection()
    announcements: AnnouncementSection = AnnouncementSection()


DEFAULT_CATEGORIES = (
    Category(code="infrastructure", zh="民生基础设施建设", en="Livelihood infrastructure"),
    Category(code="policy", zh="政策咨询", en="Policy consultation"),
    Category(code="dispute", zh="矛盾纠纷化解", en="Dispute mediation"),
    Category(code="other", zh="其他", en="Other"),
)


class Config(Section):
    bot: BotSection = BotSection()
    telegram: TelegramSection = TelegramSection()
    database: DatabaseSection = DatabaseSection()
    time: TimeSection = TimeSection()
    invitations: InvitationSection = InvitationSection()
    reports: ReportSection = ReportSection()
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    cadre: CadreSection = CadreSection()

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, value: tuple[Category, ...]) -> tuple[Category, ...]:
        codes = [c.code for c in value]
        if not codes:
            raise ValueError("at least one category is needed")
        if len(set(codes)) != len(codes):
            raise ValueError("category codes must be unique")
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The town's time zone."""
        return ZoneInfo(self.time.zone)

    def token(self) -> str:
        """The bot token: the environment variable wins over the file."""
        return os.environ.get(TOKEN_ENV) or self.telegram.token

    def category(self, code: str) -> Category | None:
        """The configured category with this code."""
        return next((c for c in self.categories if c.code == code), None)


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key."""


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        lines.append(f"{key}: {msg}")
    return "; ".join(lines)


def config_from_dict(data: dict[str, Any], base_dir: Path | None = None) -> Config:
    """Validate a config mapping; relative database paths resolve against `base_dir`."""
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    path = Path(config.database.path)
    if base_dir is not None and config.database.path != ":memory:" and not path.is_absolute():
        database = config.database.model_copy(update={"path": str(base_dir / path)})
        config = config.model_copy(update={"database": database})
    return config


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return config_from_dict(data, base_dir=path.resolve().parent)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
