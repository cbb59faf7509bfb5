"""The word lists of the content checks as plain data: the bundled national lists plus the county's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from config.errors import ConfigError
from config.schema import ContentConfig

__all__ = ["BUNDLED_DIR", "content_lists"]

BUNDLED_DIR = Path(__file__).parent / "content"


def _read(path: Path, key: str) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict) or key not in data:
        raise ConfigError(str(path), key, "required key is missing")
    return data


def content_lists(content: ContentConfig, base_dir: Path) -> dict[str, Any]:
    """{leaders: [{name, titles}], titles: {national, local}, expressions: [{wrong, right, except}]}: the bundled
    (or the county's replacement) files, then the county's own leaders and expressions from its config."""
    leaders_file = base_dir / content.national_leaders if content.national_leaders else BUNDLED_DIR / "leaders.yaml"
    expr_file = base_dir / content.expressions_file if content.expressions_file else BUNDLED_DIR / "expressions.yaml"
    national = _read(leaders_file, "leaders")
    exprs = _read(expr_file, "expressions")
    for i, e in enumerate(exprs["expressions"] or []):
        if not isinstance(e, dict) or not e.get("wrong") or not e.get("right"):
            raise ConfigError(str(expr_file), f"expressions[{i}]", "needs wrong: and right:")
    for i, p in enumerate(national["leaders"] or []):
        if not isinstance(p, dict) or not p.get("name") or not p.get("titles"):
            raise ConfigError(str(leaders_file), f"leaders[{i}]", "needs name: and titles:")
    titles = national.get("titles") or {}
    return {
        "leaders": [*national["leaders"], *({"name": p.name, "titles": p.titles} for p in content.leaders)],
        "titles": {"national": list(titles.get("national") or []), "local": list(titles.get("local") or [])},
        "expressions": [*exprs["expressions"],
                        *({"wrong": e.wrong, "right": e.right, "except": e.except_} for e in content.expressions)],
    }
