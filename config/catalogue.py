"""The rules catalogue: indicators, severities, windows and thresholds, read by the checks."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator, model_validator

from config.schema import CATEGORIES

__all__ = [
    "Catalogue",
    "CategoryRule",
    "NamePattern",
    "RuleDef",
    "ScoringConfig",
    "Window",
    "YearWindow",
    "add_months",
]

Severity = Literal["veto", "deduction", "warning", "operator"]
ObjectType = Literal["site", "column", "account", "unit", "link"]
UnitKind = Literal["devzone", "township", "department", "vertical"]
_MONTH_DAY_RE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_WINDOW_RE = re.compile(r"^\s*(\d+)\s*([dmy])\s*$")


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic: 2021-11-30 minus 6 months is 2021-05-30; clamps to the month's end."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    """A look-back window: N days, or N calendar months/years (``14d``, ``6m``, ``1y``)."""

    amount: int
    unit: Literal["d", "m", "y"]

    @classmethod
    def parse(cls, text: str | int) -> Window:
        """Read ``14d``/``6m``/``1y`` (a bare number means days)."""
        if isinstance(text, int):
            return cls(text, "d")
        m = _WINDOW_RE.match(str(text))
        if not m:
            raise ValueError(f"not a window (use e.g. 14d, 6m, 1y): {text!r}")
        return cls(int(m.group(1)), m.group(2))  # type: ignore[arg-type]

    def deadline(self, last: dt.date) -> dt.date:
        """The last day on which something dated ``last`` still keeps the object fresh."""
        if self.unit == "d":
            return last + dt.timedelta(days=self.amount)
        return add_months(last, self.amount * (12 if self.unit == "y" else 1))

    def start(self, as_of: dt.date) -> dt.date:
        """The first day of the window that ends at ``as_of``."""
        if self.unit == "d":
            return as_of - dt.timedelta(days=self.amount)
        return add_months(as_of, -self.amount * (12 if self.unit == "y" else 1))

    def days_hint(self, as_of: dt.date) -> int:
        """The window's length in days, counted back from ``as_of``."""
        return (as_of - self.start(as_of)).days

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


def _window(v: Any) -> Window | None:
    if v is None or isinstance(v, Window):
        return v
    return Window.parse(v)


class CategoryRule(_Strict):
    """Freshness rule of one column category."""

    label: str
    window: Window | None = None
    warn_lead_days: int = Field(default=0, ge=0)
    veto_group: Literal["news", "top_notice", "should_update"] | None = None
    veto_top_level_only: bool = False

    _w = field_validator("window", mode="before")(classmethod(lambda cls, v: _window(v)))


class NamePattern(_Strict):
    """Column names (regular expressions) that mean a category."""

    category: str
    patterns: list[str]

    @field_validator("category")
    @classmethod
    def _cat(cls, v: str) -> str:
        if v not in CATEGORIES:
            raise ValueError(f"unknown category {v!r}; one of {', '.join(CATEGORIES)}")
        return v

    @field_validator("patterns")
    @classmethod
    def _regex(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"bad regular expression {p!r}: {exc}") from exc
        return v


class RuleDef(_Strict):
    """One indicator of the catalogue, as the official text names it.

    ``points`` is deducted per occurrence and ``cap`` bounds the indicator's total; ``applies_to``
    limits the rule to some unit kinds (empty = every unit); ``not_after`` names rules under which an
    object already counted is not deducted again under this one (no double counting); ``part`` says
    whether the indicator belongs to the website or the new-media part of a unit's score.
    """

    indicator: str
    text: str = ""
    severity: Severity
    object: ObjectType
    enabled: bool = True
    points: float = Field(default=0.0, ge=0)
    cap: float | None = Field(default=None, ge=0)
    window: Window | None = None
    warn_lead_days: int | None = Field(default=None, ge=0)
    thresholds: dict[str, float] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    """Non-numeric settings of a rule's check (lists of words and the like), documented beside the rule."""
    applies_to: list[UnitKind] = Field(default_factory=list)
    not_after: list[str] = Field(default_factory=list)
    part: Literal["site", "account"] | None = None

    _w = field_validator("window", mode="before")(classmethod(lambda cls, v: _window(v)))

    @property
    def score_part(self) -> str:
        """``site`` or ``account``: which part of a unit's score the indicator belongs to."""
        return self.part or ("account" if self.object == "account" else "site")

    def applies(self, unit_kind: str) -> bool:
        """Whether the rule is judged for a unit of this kind."""
        return not self.applies_to or unit_kind in self.applies_to


def _month_day(v: Any) -> tuple[int, int]:
    if isinstance(v, (tuple, list)) and len(v) == 2:
        month, day = int(v[0]), int(v[1])
    else:
        m = _MONTH_DAY_RE.match(str(v).strip())
        if not m:
            raise ValueError(f"not a month-day (use MM-DD, e.g. 11-30): {v!r}")
        month, day = int(m.group(1)), int(m.group(2))
    try:
        dt.date(2020, month, day)  # a leap year: 02-29 is allowed
    except ValueError:
        raise ValueError(f"not a day of the year: {v!r}") from None
    return month, day


class YearWindow(_Strict):
    """The default monitoring period of any year, as month-days (``01-01`` to ``11-30``)."""

    start: tuple[int, int] = (1, 1)
    end: tuple[int, int] = (11, 30)

    _md = field_validator("start", "end", mode="before")(classmethod(lambda cls, v: _month_day(v)))

    @field_serializer("start", "end")
    def _as_text(self, v: tuple[int, int]) -> str:
        return f"{v[0]:02d}-{v[1]:02d}"

    def for_year(self, year: int) -> tuple[dt.date, dt.date]:
        """The period's first and last day in ``year``."""
        def day(md: tuple[int, int]) -> dt.date:
            last = calendar.monthrange(year, md[0])[1]
            return dt.date(year, md[0], min(md[1], last))

        return day(self.start), day(self.end)


class ScoringConfig(_Strict):
    """How the year-end score of a unit is made (every number here is county-settable)."""

    base: float = Field(default=100.0, gt=0)
    pass_line: float = Field(default=60.0, ge=0)
    veto_score: dict[Literal["site", "account"], float] = Field(
        default_factory=lambda: {"site": 0.0, "account": 59.0}
    )
    weights: dict[Literal["site", "account"], float] | None = None
    monitoring: YearWindow = Field(default_factory=YearWindow)
    appeal_working_days: int = Field(default=3, ge=1, le=30)

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        if set(v) != {"site", "account"}:
            raise ValueError("weights need both site and account (e.g. {site: 30, account: 70})")
        if any(w < 0 for w in v.values()) or sum(v.values()) <= 0:
            raise ValueError("weights must be non-negative and not both zero")
        return v

    @model_validator(mode="after")
    def _veto_below_pass(self) -> ScoringConfig:
        for part, score in self.veto_score.items():
            if not 0 <= score < self.pass_line:
                raise ValueError(
                    f"veto_score.{part} = {score} must be at least 0 and below pass_line {self.pass_line}"
                    " (a veto fails the object)"
                )
        if self.pass_line > self.base:
            raise ValueError(f"pass_line {self.pass_line} is above base {self.base}")
        return self


class Catalogue(_Strict):
    """The effective rules catalogue (defaults merged with the county's overrides)."""

    version: int = 1
    categories: dict[str, CategoryRule]
    category_names: list[NamePattern]
    rules: dict[str, RuleDef]
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)

    @field_validator("categories")
    @classmethod
    def _known(cls, v: dict[str, CategoryRule]) -> dict[str, CategoryRule]:
        unknown = sorted(set(v) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown categories {unknown}; allowed: {', '.join(CATEGORIES)}")
        return v

    @model_validator(mode="after")
    def _references(self) -> Catalogue:
        for rid, rule in self.rules.items():
            for other in rule.not_after:
                if other not in self.rules:
                    raise ValueError(f"rules.{rid}.not_after names an unknown rule {other!r}")
                if other == rid:
                    raise ValueError(f"rules.{rid}.not_after names the rule itself")
        return self

    @model_validator(mode="after")
    def _compiled(self) -> Catalogue:
        self._patterns = [(np.category, re.compile(p)) for np in self.category_names for p in np.patterns]
        return self

    def category_for(self, column_name: str) -> str | None:
        """The category a column name implies (first matching pattern), or None."""
        name = re.sub(r"\s+", "", column_name)
        for category, rx in self._patterns:
            if rx.search(name):
                return category
        return None

    def rule(self, rule_id: str) -> RuleDef:
        """The rule with this id (KeyError names the id)."""
        try:
            return self.rules[rule_id]
        except KeyError:
            raise KeyError(f"rule {rule_id!r} is not in the catalogue") from None

    def enabled(self, rule_id: str) -> bool:
        """Whether the rule exists and is switched on."""
        r = self.rules.get(rule_id)
        return bool(r and r.enabled)
