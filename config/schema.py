"""Pydantic schema of the govwatch configuration file (roster of units, sites, columns, accounts)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "WebConfig",
    "WebhookConfig",
    "SmtpConfig",
    "ScheduleConfig",
    "NotifyConfig",
    "CATEGORIES",
    "AccountConfig",
    "ColumnConfig",
    "Config",
    "Contact",
    "CrawlConfig",
    "LinksConfig",
    "RunConfig",
    "SiteLinksConfig",
    "MonitoringWindow",
    "PlatformConfig",
    "SelectorConfig",
    "SiteConfig",
    "UnitConfig",
]

#: a column's category (../shared/RULES.md); the catalogue's ``categories`` give each its Chinese name and window
Category = Literal[
    "news", "notice", "policy", "personnel", "planning", "finance", "interpretation", "statistics", "interaction",
    "service", "topic", "exempt",
]
CATEGORIES: tuple[str, ...] = get_args(Category)
UnitKind = Literal["devzone", "township", "department", "vertical"]
#: the new-media platforms an adapter reads (crawler/accounts/, registered under these names)
Platform = Literal["rss", "weibo", "wechat", "douyin", "toutiao"]
PLATFORMS: tuple[str, ...] = get_args(Platform)
_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not _URL_RE.match(value):
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


class Contact(_Strict):
    """A person at a unit who receives its notices."""

    name: str
    email: str | None = None
    phone: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", v):
            raise ValueError(f"not an e-mail address: {v!r}")
        return v


class SelectorConfig(_Strict):
    """Per-column CSS/XPath selectors for pages no extractor reads."""

    item: str
    link: str | None = None
    date: str | None = None
    date_format: str | None = None


class ColumnConfig(_Strict):
    """One column (栏目) of a site: a list page whose newest item is watched."""

    name: str = Field(min_length=1)
    url: str
    category: Category | None = None
    top_level: bool = False
    render: Literal["static", "browser"] = "static"
    extractor: str = "auto"
    selectors: SelectorConfig | None = None
    max_pages: int | None = Field(default=None, ge=1, le=50)

    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))


class SiteLinksConfig(_Strict):
    """Per-site overrides of the whole-site link check (page budget, depth, on/off)."""

    enabled: bool = True
    max_pages: int | None = Field(default=None, ge=1, le=100_000)
    max_depth: int | None = Field(default=None, ge=0, le=50)


class LinksConfig(_Strict):
    """The link check (链接不可用): homepage every cycle, the whole site every few days; politeness is ``crawl:``'s."""

    homepage_daily: bool = True
    # `govwatch run` also checks a whole site when its last whole-site check is this old; 0 (default): never, the
    # whole site is `govwatch links --whole-site` / serve's weekly `schedule.links` job (it can take hours)
    whole_site_every_days: int = Field(default=0, ge=0, le=366)
    max_pages: int = Field(default=300, ge=1, le=100_000)  # page budget per site for the whole-site check
    max_depth: int = Field(default=3, ge=0, le=50)
    check_external: bool = True
    # the links of the pages the crawl read (column list pages, homepages, opened articles) are checked every cycle
    crawled_pages: bool = True
    # a link that answered fine is not fetched again within its class's TTL (0: fetched every time)
    page_ok_ttl_hours: float = Field(default=72.0, ge=0, le=24 * 366)  # pages of the monitored sites
    attachment_ok_ttl_hours: float = Field(default=168.0, ge=0, le=24 * 366)  # attachments and images
    external_ok_ttl_hours: float = Field(default=72.0, ge=0, le=24 * 366)  # links to other hosts
    # links fetched per referring page and per target host in one run; the rest waits for the next runs
    max_links_per_page: int = Field(default=300, ge=1, le=1_000_000)
    max_links_per_host: int = Field(default=3000, ge=1, le=10_000_000)
    retest_delay: float = Field(default=30.0, ge=0, le=3600)  # seconds before a failed link is checked again
    retests: int = Field(default=1, ge=1, le=5)
    timeout: float | None = Field(default=None, gt=0, le=120)  # default: crawl.timeout
    max_redirects: int = Field(default=10, ge=1, le=30)
    head_unreliable_hosts: list[str] = Field(default_factory=list)  # hosts whose HEAD answers lie: always GET


class RunConfig(_Strict):
    """``govwatch run`` / the nightly job: after the deadline no stage starts new work; what is done is kept."""

    deadline_minutes: int = Field(default=0, ge=0, le=24 * 60)  # 0: no deadline


class SiteConfig(_Strict):
    """A unit's website, or the unit's section of the county portal."""

    url: str
    name: str | None = None
    homepage_is_nav: bool = False
    obey_robots: bool | None = None
    links: SiteLinksConfig | None = None
    columns: list[ColumnConfig] = Field(default_factory=list)

    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))

    @model_validator(mode="after")
    def _unique_columns(self) -> SiteConfig:
        seen: dict[str, int] = {}
        for i, col in enumerate(self.columns):
            if col.url in seen:
                raise ValueError(f"columns[{i}] repeats the url of columns[{seen[col.url]}]: {col.url}")
            seen[col.url] = i
        return self


class AccountConfig(_Strict):
    """A government new-media account (政务新媒体账号)."""

    platform: Platform
    id: str | None = None
    name: str | None = None
    url: str | None = None
    base_url: str | None = None

    _base = field_validator("base_url")(classmethod(lambda cls, v: _check_url(v)))

    @field_validator("url")
    @classmethod
    def _feed_url(cls, v: str | None) -> str | None:
        """An absolute URL, or a route path (``/weibo/user/123``) on the platform's base_url."""
        if v is None or v.startswith("/"):
            return v
        return _check_url(v)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v

    @model_validator(mode="after")
    def _identified(self) -> AccountConfig:
        if not self.id and not self.url:
            raise ValueError("an account needs an id or a url")
        return self

    @property
    def key(self) -> str:
        """The stable identity of the account within its platform."""
        return self.id or self.url or ""


class PlatformConfig(_Strict):
    """Settings of one new-media platform adapter (applies to every account of the platform)."""

    base_url: str | None = None
    timeout: float | None = Field(default=None, gt=0, le=120)
    cookies: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    """Adapter-specific options (weibo: passport_url; wechat: mp_token, mp_base_url; douyin/toutiao: wait, max_pages)."""

    _url = field_validator("base_url")(classmethod(lambda cls, v: _check_url(v)))


class UnitConfig(_Strict):
    """One monitored unit (被监测单位)."""

    id: str
    name: str = Field(min_length=1)
    kind: UnitKind
    contacts: list[Contact] = Field(default_factory=list)
    sites: list[SiteConfig] = Field(default_factory=list)
    accounts: list[AccountConfig] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError(f"unit id must be lowercase letters, digits, '-' or '_' and start with a letter: {v!r}")
        return v


class CrawlConfig(_Strict):
    """Politeness and limits of the crawler (per host)."""

    concurrency_per_host: int = Field(default=2, ge=1, le=32)
    delay: float = Field(default=1.0, ge=0, le=60)
    timeout: float = Field(default=15.0, gt=0, le=120)
    retries: int = Field(default=2, ge=0, le=10)
    autothrottle: bool = True
    obey_robots: bool = False
    max_pages_per_column: int = Field(default=3, ge=1, le=50)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    user_agent: str = "Mozilla/5.0 (compatible; govwatch/0.1; +government website monitoring)"
    chromium_path: str = "/usr/bin/chromium"
    concurrent_requests: int = Field(default=32, ge=1, le=512)  # all hosts together
    retry_backoff: float = Field(default=2.0, ge=0, le=300)  # seconds before the first retry, doubling
    http_cache: bool = True  # conditional requests (ETag/Last-Modified): an unchanged page costs a 304
    cache_dir: str | None = None  # default: <output_dir>/http-cache
    max_articles_per_column: int = Field(default=3, ge=0, le=20)  # undated lists: articles opened for dates
    browser_fallback: bool = True  # a static page built by script is fetched once more with Chromium
    #: a list whose first page is unchanged reuses the items of its further pages; they are fetched again
    #: when this many days have passed since they were last fetched
    list_revalidate_days: int = Field(default=7, ge=1, le=365)
    #: hosts a redirect may lead to besides the unit's own (``www.gov.cn``, ``127.0.0.1:8080``, ``*.gov.cn``);
    #: a redirect anywhere else is not followed (status ``redirect_offsite``, for the operator)
    redirect_hosts: list[str] = Field(default_factory=list, max_length=1000)

    @field_validator("redirect_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            text = host.strip()
            if not text or any(c.isspace() for c in text) or "/" in text.removeprefix("http://").removeprefix(
                    "https://").rstrip("/"):
                raise ValueError(f"not a host (www.example.gov.cn, 127.0.0.1:8080 or *.gov.cn): {host!r}")
        return value


class MonitoringWindow(_Strict):
    """The monitoring period of the year (January to November by default)."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> MonitoringWindow:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


_EVERY_RE = re.compile(r"^every\s+(\d+)\s*([smhd])$")


def _check_schedule(value: str) -> str:
    """``off``, ``every 20m`` (s/m/h/d) or a crontab line ``min hour day month weekday`` (``last`` allowed)."""
    text = " ".join(value.split())
    if text == "off" or _EVERY_RE.match(text):
        if text != "off" and int(_EVERY_RE.match(text).group(1)) == 0:  # type: ignore[union-attr]
            raise ValueError(f"interval must be positive: {value!r}")
        return text
    if len(text.split(" ")) != 5:
        raise ValueError(f"not a schedule (use 'every 20m', a crontab line '30 2 * * *', or 'off'): {value!r}")
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"bad crontab line {value!r}: {exc}") from None
    return text


class ScheduleConfig(_Strict):
    """When ``govwatch serve`` runs each job, in the county's time zone (crontab line, ``every 20m`` or ``off``)."""

    crawl: str = "30 1 * * *"
    probe: str = "every 60m"
    links: str = "0 3 * * 6"
    digest: str = "30 7 * * *"
    notices: str = "0 9 * * 1"
    monthly: str = "0 16 last * *"
    retry: str = "every 10m"
    probe_jitter: int = Field(default=300, ge=0, le=3600)
    lease_seconds: int = Field(default=600, ge=5, le=86400)

    _spec = field_validator("crawl", "probe", "links", "digest", "notices", "monthly", "retry")(
        classmethod(lambda cls, v: _check_schedule(v))
    )


class SmtpConfig(_Strict):
    """The SMTP server that sends e-mail notices; user and password usually come from ``${ENV}``."""

    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    user: str | None = None
    password: str | None = None
    sender: str
    sender_name: str | None = None
    timeout: float = Field(default=30.0, gt=0, le=300)
    ca_file: str | None = None

    @property
    def effective_port(self) -> int:
        """The port: configured, else 465 for SSL, 587 for STARTTLS, 25 otherwise."""
        return self.port or {"ssl": 465, "starttls": 587}.get(self.security, 25)


NoticeKind = Literal["rectification", "digest", "monthly"]


class WebhookConfig(_Strict):
    """A chat robot or a generic JSON endpoint that receives notices."""

    type: Literal["wecom", "dingtalk", "json"]
    url: str
    name: str | None = Field(default=None, max_length=30)
    secret: str | None = None
    kinds: list[NoticeKind] = Field(default_factory=lambda: ["digest", "monthly"])

    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))

    @property
    def channel(self) -> str:
        """The channel name recorded with each send."""
        return self.name or self.type


class NotifyConfig(_Strict):
    """Notices and digests: recipients, channels, deadlines, templates."""

    templates: str | None = None
    deadline_working_days: int = Field(default=5, ge=1, le=60)
    warn_within_days: int = Field(default=7, ge=0, le=90)
    unit_cadence: Literal["daily", "weekly", "monthly"] = "weekly"
    duty: list[Contact] = Field(default_factory=list)
    smtp: SmtpConfig | None = None
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    outbox: str | None = "outbox"
    outbox_always: bool = False
    digest_url: str | None = None
    retry_base_seconds: int = Field(default=60, ge=1)
    retry_max_seconds: int = Field(default=6 * 3600, ge=1)

    @model_validator(mode="after")
    def _unique_channels(self) -> NotifyConfig:
        seen: set[str] = {"email", "outbox"}
        for i, hook in enumerate(self.webhooks):
            if hook.channel in seen:
                raise ValueError(f"webhooks[{i}]: channel name {hook.channel!r} is used twice (give it a name:)")
            seen.add(hook.channel)
        return self


class WebConfig(_Strict):
    """The web workbench (值班工作台): where ``govwatch web`` listens, and ``govwatch serve`` beside the jobs."""

    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=1, le=65535)
    https_only: bool = False


class LeaderConfig(_Strict):
    """A leader of the county (or any person whose name and titles are checked): name + the titles held."""

    name: str = Field(min_length=2, max_length=10)
    titles: list[str] = Field(min_length=1)


class ExpressionConfig(_Strict):
    """A serious wrong expression (严重表述错误) and its right form (规范表述)."""

    wrong: str = Field(min_length=2)
    right: str = Field(min_length=1)
    except_: list[str] = Field(default_factory=list, alias="except")


class ContentConfig(_Strict):
    """What the content checks read (articles once, their attachments) and the county's word lists."""

    enabled: bool = True
    attachments: bool = True
    max_docs_per_run: int = Field(default=500, ge=0, le=100_000)  # new articles and attachments read per cycle
    max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)  # larger documents are not read (status too_large)
    max_pages: int = Field(default=200, ge=1, le=10_000)  # PDF pages / worksheet rows (x1000) read per document
    max_chars: int = Field(default=500_000, ge=1000)  # text kept per document
    max_attachments_per_article: int = Field(default=10, ge=0, le=100)
    lookback_days: int = Field(default=365, ge=1, le=3660)  # articles first seen within this many days are read
    timeout: float | None = Field(default=None, gt=0, le=300)  # default: crawl.timeout
    max_seconds: float = Field(default=120.0, gt=0, le=3600)  # one document: download and text extraction
    leaders: list[LeaderConfig] = Field(default_factory=list)
    expressions: list[ExpressionConfig] = Field(default_factory=list)
    national_leaders: str | None = None  # a file replacing config/content/leaders.yaml
    expressions_file: str | None = None  # a file replacing config/content/expressions.yaml


class Config(_Strict):
    """The whole configuration file."""

    county: str = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    database: str | None = None
    rules: str | None = None
    output_dir: str = "govwatch-out"
    monitoring: MonitoringWindow | None = None
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    links: LinksConfig = Field(default_factory=LinksConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    units: list[UnitConfig] = Field(default_factory=list)
    platforms: dict[Platform, PlatformConfig] = Field(default_factory=dict)
    web: WebConfig | None = None
    content: ContentConfig = Field(default_factory=ContentConfig)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The county's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    def unit(self, unit_id: str) -> UnitConfig | None:
        """The unit with this id, or None."""
        return next((u for u in self.units if u.id == unit_id), None)
