"""Configuration: a TOML file loaded into pydantic models that reject unknown keys."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, timedelta
from datetime import time as dt_time
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

from bot.text_files import NotText, read_text

TOKEN_ENV = "GRIDBOT_TOKEN"
WEBHOOK_SECRET_ENV = "GRIDBOT_WEBHOOK_SECRET"

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


class WebhookSection(Section):
    # The public HTTPS address Telegram posts to (`gridbot run --webhook`), without the path:
    # Telegram is given `url` + `path`.
    url: str = ""
    # Where the bot's own HTTP server listens (behind a reverse proxy that ends TLS).
    listen: str = "127.0.0.1"
    port: int = Field(8443, ge=0, le=65535)
    path: str = Field("/telegram", pattern=r"^/[A-Za-z0-9_\-./]*$")
    # Sent back by Telegram in every request's X-Telegram-Bot-Api-Secret-Token header. Prefer
    # the environment variable GRIDBOT_WEBHOOK_SECRET, which wins over this.
    secret_token: str = Field("", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    # Connections Telegram opens at once to deliver updates.
    max_connections: int = Field(40, ge=1, le=100)

    @field_validator("url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (Telegram posts only to HTTPS)")
        return value.rstrip("/")

    def address(self) -> str:
        """The full address Telegram posts updates to."""
        return self.url + self.path


class TelegramSection(Section):
    token: str = ""
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = ""
    poll_timeout: Duration = timedelta(seconds=10)
    rate_limit: RateLimitSection = RateLimitSection()
    webhook: WebhookSection = WebhookSection()

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


class OutboxSection(Section):
    # A notice failing for a passing reason (5xx, network, timeout) is tried this many times;
    # a flood wait (429) does not count, but nothing is retried past `give_up_after`.
    max_attempts: int = Field(8, ge=1, le=100)
    give_up_after: Duration = timedelta(days=1)
    first_retry: Duration = timedelta(seconds=5)  # then doubling …
    max_retry: Duration = timedelta(minutes=30)  # … up to this
    request_timeout: Duration = timedelta(seconds=20)  # one Bot API call
    check_every: Duration = timedelta(
        seconds=5
    )  # the sender looks for due rows at least this often
    keep_sent_for: Duration = timedelta(days=7)  # delivered rows are deleted after this


class Deadline(Section):
    accept_within: Duration
    resolve_within: Duration


class ReportDeadlines(Section):
    l4: Deadline = Deadline(accept_within=timedelta(hours=4), resolve_within=timedelta(days=3))
    l3: Deadline = Deadline(accept_within=timedelta(hours=8), resolve_within=timedelta(days=5))
    l2: Deadline = Deadline(accept_within=timedelta(days=1), resolve_within=timedelta(days=7))
    l1: Deadline = Deadline(accept_within=timedelta(days=2), resolve_within=timedelta(days=14))
    # The county's, for reports escalated to it (`[reports] escalate_to_county`).
    l0: Deadline = Deadline(accept_within=timedelta(days=2), resolve_within=timedelta(days=14))

    def at(self, level: int) -> Deadline:
        """The deadlines of one level (0-4)."""
        deadline: Deadline = getattr(self, f"l{level}")
        return deadline


class ReportSection(Section):
    max_length: int = Field(1000, ge=20, le=3500)
    # Longest note a worker may write (resolve, reject, duplicate; a visit's failure reason):
    # the note travels in the resident's notice, which must stay within Telegram's limit.
    max_note_length: int = Field(500, ge=20, le=1000)
    # A voice, audio or video note sent as (part of) a description: longest and largest.
    voice_max_seconds: int = Field(180, ge=5, le=3600)
    voice_max_bytes: int = Field(20 * 1024 * 1024, ge=10_000, le=2_000_000_000)
    # How often the deadline sweep looks for reports past their deadlines.
    sweep_every: Duration = timedelta(minutes=5)
    # The answer times a cadre picks from when supervising a report (督办), one button each.
    supervise_within: list[Duration] = Field(
        default_factory=lambda: [timedelta(hours=4), timedelta(days=1), timedelta(days=3)],
        min_length=1,
        max_length=4,
    )
    # How often the reporter may urge (催办) a report, once its accept deadline has passed.
    urge_every: Duration = timedelta(hours=24)
    # With a county above the towns: whether a report may climb from the town to the county
    # (Escalate at the town, and the deadline sweep). Off: escalation stops at the town. It
    # applies to reports filed while it is set.
    escalate_to_county: bool = False
    deadlines: ReportDeadlines = ReportDeadlines()
    # A resolved report the resident neither confirms nor reopens within this is closed.
    confirm_within: Duration = timedelta(days=3)
    # A dissatisfied call-back reopens the report, unless it was reopened this often already:
    # then it is flagged for supervision instead.
    reopen_limit_for_supervision: int = Field(2, ge=0, le=100)


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
    # A run missed while the bot was down is sent after start-up while its own day (daily)
    # or week (weekly) lasts, to each person once.
    enabled: bool = True
    chart: bool = True
    # A font file for the chart; empty uses the Noto Sans SC shipped as a dependency.
    chart_font: str = ""
    # Deprecated and ignored (the one catch-up rule above replaced it); still accepted so a
    # config written for an earlier version keeps loading.
    catch_up_within: Duration | None = None


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


class HouseholdsSection(Section):
    # Households per page in the /visit and /contact lists and the /join list.
    page_size: int = Field(default=8, ge=3, le=20)
    # A check-in further than this beyond a unit's recorded radius is stored but flagged.
    checkin_tolerance_m: float = Field(default=500, ge=0, le=50_000)
    # Deprecated: [flows] timeout is the one idle timeout. When set, still used for an
    # unfinished /visit, /contact or /checkin (with a warning at start).
    flow_timeout: Duration | None = None


class RemindersSection(Section):
    # Crontab lines in the town's time zone ("minute hour day month weekday"; weekday 1 =
    # Monday or a name; day "last" = the month's last day). An empty list turns a kind off.
    monthly_contact: tuple[Cron, ...] = ("0 10 20,last * *",)
    quarterly_visit: tuple[Cron, ...] = ("0 9 1 3,6,9,12 *", "0 9 17-31 3,6,9,12 mon")
    weekly_checkin: tuple[Cron, ...] = ("0 9 * * fri",)
    pension: tuple[Cron, ...] = ("0 9 1 * *",)
    # Nobody is reminded between these local times; a run due then waits for the end.
    quiet_start: dt_time = dt_time(21, 0)
    quiet_end: dt_time = dt_time(8, 0)
    # How soon after start-up a run missed while the bot was down is caught up.
    catch_up_after: Duration = timedelta(seconds=30)
    # Sends in flight at once during a run (the rate limiter keeps them within Telegram's
    # limits; more than one keeps a distant Bot API's round trip from slowing the run).
    parallel_sends: int = Field(4, ge=1, le=30)


class SurveyRound(Section):
    # One answer per household per round; `start` and `end` are days in the town's zone.
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
    start: date
    end: date


class SurveySection(Section):
    # The questionnaire file (TOML); empty: the default one shipped with the bot.
    file: str = ""
    # No rounds configured: every calendar quarter is a round ("2026Q2").
    rounds: tuple[SurveyRound, ...] = ()

    @field_validator("rounds")
    @classmethod
    def _ordered_rounds(cls, value: tuple[SurveyRound, ...]) -> tuple[SurveyRound, ...]:
        if len({r.code for r in value}) != len(value):
            raise ValueError("survey round codes must be unique")
        spans = sorted((r.start, r.end, r.code) for r in value)
        for start, end, code in spans:
            if end < start:
                raise ValueError(f"survey round {code} ends before it starts")
        for n in range(1, len(spans)):
            if spans[n][0] <= spans[n - 1][1]:
                raise ValueError(f"survey rounds {spans[n - 1][2]} and {spans[n][2]} overlap")
        return value


class VisitDeadlines(Section):
    l4: Duration = timedelta(days=3)
    l3: Duration = timedelta(days=2)
    l2: Duration = timedelta(days=2)
    l1: Duration = timedelta(days=3)

    def at(self, level: int) -> timedelta:
        """How long a home visit may wait at one level (1-4)."""
        within: timedelta = getattr(self, f"l{level}")
        return within


class PensionSection(Section):
    # The self-service and service-point guide (TOML); empty: the sample shipped with the bot.
    guide: str = ""
    # A home visit not done within this long after reaching a level escalates to the next.
    visit_within: VisitDeadlines = VisitDeadlines()
    sweep_every: Duration = timedelta(minutes=5)
    # The worker picks the visit's day among the next `schedule_days` and a time among `slots`.
    schedule_days: int = Field(7, ge=1, le=14)
    slots: tuple[dt_time, ...] = (dt_time(9, 0), dt_time(10, 30), dt_time(14, 30), dt_time(16, 0))


class PolicySection(Section):
    # The policy handbook (TOML); empty: the sample shipped with the bot.
    file: str = ""
    max_results: int = Field(5, ge=1, le=8)
    # The report category of a policy consultation filed when nothing matches.
    report_category: str = "policy"


class FlowsSection(Section):
    # A question left unanswered this long is forgotten: a step-by-step flow (questionnaire,
    # pension help, policy search) ends, an unfinished /visit, /contact or /checkin is dropped.
    timeout: Duration = timedelta(hours=6)
    # How often idle flows are looked for.
    sweep_every: Duration = timedelta(minutes=5)
    # Flow steps are written through at once; this is the persistence's backstop interval.
    persist_every: Duration = timedelta(seconds=60)
    survey: SurveySection = SurveySection()
    pension: PensionSection = PensionSection()
    policy: PolicySection = PolicySection()

    def resolved(self, base_dir: Path) -> FlowsSection:
        """The same settings, relative file paths taken as relative to `base_dir`."""

        def fix(path: str) -> str:
            return str(base_dir / path) if path and not Path(path).is_absolute() else path

        return self.model_copy(
            update={
                "survey": self.survey.model_copy(update={"file": fix(self.survey.file)}),
                "pension": self.pension.model_copy(update={"guide": fix(self.pension.guide)}),
                "policy": self.policy.model_copy(update={"file": fix(self.policy.file)}),
            }
        )


def _at_least(minimum: str, why: str) -> AfterValidator:
    """A duration of at least `minimum` (written as in the file), for the reason `why`."""

    def check(value: timedelta) -> timedelta:
        if value < parse_duration(minimum):
            raise ValueError(f'expected at least "{minimum}": {why}')
        return value

    return AfterValidator(check)


class RetentionSection(Section):
    """How long scratch rows are kept once they stopped mattering (records are kept forever)."""

    # Report drafts, /visit-/contact drafts and unanswered note questions, from their start.
    drafts: Annotated[Duration, _at_least("1d", "someone may still finish it")] = timedelta(days=7)
    # Button presses already applied: Telegram delivers an update again for up to 24 hours.
    presses: Annotated[
        Duration, _at_least("2d", "Telegram may deliver an update again for 24 h")
    ] = timedelta(days=30)
    # /join requests, from their decision (or from the request, when nobody decided).
    link_requests: Annotated[Duration, _at_least("1d", "a worker may still decide it")] = timedelta(
        days=90
    )
    # Staff invitations, from their use or their expiry.
    invitations: Annotated[Duration, _at_least("1d", "a link may still be used")] = timedelta(
        days=90
    )
    # Handled updates, kept to recognise one Telegram delivers again, from when they were done.
    updates: Annotated[
        Duration, _at_least("1d", "Telegram may deliver an update again for 24 h")
    ] = timedelta(days=3)
    sweep_every: Annotated[Duration, _at_least("1m", "each sweep reads the tables")] = timedelta(
        hours=6
    )


class LoggingSection(Section):
    # "text" for a terminal, "json" (one object a line) for journald or Loki.
    format: Literal["text", "json"] = "text"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class HealthSection(Section):
    # An HTTP server with /healthz and /metrics (Prometheus); off by default.
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(9464, ge=1, le=65535)
    # /healthz fails when the database does not answer within this long.
    timeout: Duration = timedelta(seconds=5)


class BackupSection(Section):
    enabled: bool = True
    # Crontab line in the town's time zone (default: every day at 03:30).
    schedule: Cron = "30 3 * * *"
    # The backup folder (relative to the config file); empty: "backups" beside the database.
    folder: str = ""
    # How many backups are kept: the newest of each of the last N days, weeks and months.
    keep_daily: int = Field(7, ge=1, le=366)
    keep_weekly: int = Field(4, ge=0, le=104)
    keep_monthly: int = Field(12, ge=0, le=120)


DEFAULT_CATEGORIES = (
    Category(code="infrastructure", zh="民生基础设施建设", en="Livelihood infrastructure"),
    Category(code="policy", zh="政策咨询", en="Policy consultation"),
    Category(code="dispute", zh="矛盾纠纷化解", en="Dispute mediation"),
    Category(code="other", zh="其他", en="Other"),
)


class InboxSection(Section):
    # Updates of different chats handled at once (one chat's updates always run in order).
    max_concurrent: int = Field(32, ge=1, le=256)


class LimitsSection(Section):
    # Per person: reports filed (/report, photos captioned /report) within an hour …
    reports_per_hour: int = Field(10, ge=0, le=1000)
    # … and commands and button presses within a minute (0 turns a limit off).
    actions_per_minute: int = Field(30, ge=0, le=1000)


class Config(Section):
    bot: BotSection = BotSection()
    telegram: TelegramSection = TelegramSection()
    database: DatabaseSection = DatabaseSection()
    time: TimeSection = TimeSection()
    invitations: InvitationSection = InvitationSection()
    outbox: OutboxSection = OutboxSection()
    reports: ReportSection = ReportSection()
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    cadre: CadreSection = CadreSection()
    households: HouseholdsSection = HouseholdsSection()
    reminders: RemindersSection = RemindersSection()
    flows: FlowsSection = FlowsSection()
    inbox: InboxSection = InboxSection()
    limits: LimitsSection = LimitsSection()
    retention: RetentionSection = RetentionSection()
    logging: LoggingSection = LoggingSection()
    health: HealthSection = HealthSection()
    backup: BackupSection = BackupSection()

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

    def webhook_secret(self) -> str:
        """The webhook's secret token: the environment variable wins over the file."""
        return os.environ.get(WEBHOOK_SECRET_ENV) or self.telegram.webhook.secret_token

    def backup_folder(self) -> Path:
        """Where scheduled backups go."""
        if self.backup.folder:
            return Path(self.backup.folder)
        return Path(self.database.path).parent / "backups"

    def logbook_timeout(self) -> timedelta:
        """When an unfinished /visit, /contact or /checkin is forgotten: [flows] timeout,
        unless the deprecated [households] flow_timeout is still set."""
        return self.households.flow_timeout or self.flows.timeout

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
    if base_dir is not None:
        config = config.model_copy(update={"flows": config.flows.resolved(base_dir)})
    folder = Path(config.backup.folder)
    if base_dir is not None and config.backup.folder and not folder.is_absolute():
        backup = config.backup.model_copy(update={"folder": str(base_dir / folder)})
        config = config.model_copy(update={"backup": backup})
    return config


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config file."""
    path = Path(path)
    try:
        data = tomllib.loads(read_text(path))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except NotText as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return config_from_dict(data, base_dir=path.resolve().parent)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
