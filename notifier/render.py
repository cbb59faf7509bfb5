"""The Jinja2 environment of notices and digests: autoescaped, Chinese date filters."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

__all__ = ["environment", "render"]


def _cn_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月{value.day}日"


@lru_cache(maxsize=8)
def environment(override_dir: str | None = None) -> Environment:
    """Templates from ``override_dir`` first (a county's own), then the bundled ones."""
    loaders: list[Any] = []
    if override_dir:
        loaders.append(FileSystemLoader(str(Path(override_dir))))
    loaders.append(PackageLoader("notifier", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "htm"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = _cn_date
    return env


def render(template: str, data: dict[str, Any], override_dir: str | None = None) -> str:
    """Render one template with ``data``."""
    return environment(override_dir).get_template(template).render(**data)
