"""The Jinja2 environment of notices and digests: autoescaped HTML, sanitized text, Chinese date filters."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
)

__all__ = ["clean_text", "environment", "md_escape", "oneline", "render"]

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MD_FULLWIDTH = str.maketrans({
    "[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "*": "＊", "_": "＿", "`": "｀",
    "#": "＃", "|": "｜", "~": "～", "!": "！", "\\": "＼", "&": "＆",
})


def clean_text(value: Any) -> Any:
    """Strings from the sites made safe to write anywhere: no lone surrogates, no control or bidi characters."""
    if not isinstance(value, str):
        return value
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        value = value.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL_RE.sub("", value)


def oneline(value: Any, length: int = 200) -> str:
    """One line of at most ``length`` characters (page titles can be anything)."""
    text = " ".join(str(clean_text(value if value is not None else "")).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def md_escape(value: Any, length: int = 200) -> str:
    """Text for a robot's markdown: one line; markdown syntax and HTML tags become full-width characters."""
    return oneline(value, length).translate(_MD_FULLWIDTH)


def _cn_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.year}年{value.month}月{value.day}日"


def _autoescape(name: str | None) -> bool:
    """HTML templates are escaped; ``*.txt.j2`` and ``*.md.j2`` are not (they use oneline/md filters)."""
    if name is None:
        return True
    return not (name.endswith(".txt.j2") or name.endswith(".md.j2") or name.endswith(".txt"))


@lru_cache(maxsize=8)
def environment(override_dir: str | None = None) -> Environment:
    """Templates from ``override_dir`` first (a county's own), then the bundled ones."""
    loaders: list[Any] = []
    if override_dir:
        loaders.append(FileSystemLoader(str(Path(override_dir))))
    loaders.append(PackageLoader("notifier", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=clean_text,
    )
    env.filters["cn_date"] = _cn_date
    env.filters["oneline"] = oneline
    env.filters["md"] = md_escape
    return env


def render(template: str, data: dict[str, Any], override_dir: str | None = None) -> str:
    """Render one template with ``data``."""
    return environment(override_dir).get_template(template).render(**data)
