"""Loading of the YAML configuration and rules catalogue, with errors that name file, path and problem."""

from __future__ import annotations

import copy
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config.catalogue import Catalogue
from config.errors import ConfigError
from config.schema import Config

__all__ = [
    "BUNDLED_RULES",
    "BUNDLED_SAMPLE",
    "LoadedConfig",
    "bundled_path",
    "format_loc",
    "load_catalogue",
    "load_config",
    "parse_config",
]

_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def bundled_path(name: str) -> Path:
    """Path of a data file shipped in the ``config`` package."""
    return Path(str(resources.files("config").joinpath(name)))


BUNDLED_RULES = "rules.yaml"
BUNDLED_SAMPLE = "sample.yaml"


def format_loc(loc: tuple[Any, ...] | list[Any]) -> str:
    """``('units', 3, 'sites', 0, 'url')`` -> ``units[3].sites[0].url``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(str(path), "", "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(str(path), "", exc.strerror or str(exc)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(str(path), where, f"invalid YAML: {problem}") from None


def _expand_env(node: Any, file: str, loc: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, dict):
        return {k: _expand_env(v, file, (*loc, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand_env(v, file, (*loc, i)) for i, v in enumerate(node)]
    if isinstance(node, str) and "${" in node:

        def sub(m: re.Match[str]) -> str:
            value = os.environ.get(m.group(1))
            if value is None:
                if m.group(2) is not None:
                    return m.group(2)
                raise ConfigError(file, format_loc(loc), f"environment variable {m.group(1)} is not set")
            return value

        return _ENV_RE.sub(sub, node)
    return node


def _first_error(exc: ValidationError, file: str) -> ConfigError:
    errors = exc.errors()
    err = errors[0]
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        msg = "unknown key"
    elif err.get("type") == "missing":
        msg = "required key is missing"
    elif err.get("type", "").startswith("literal_error"):
        msg = f"{msg} (got {err.get('input')!r})"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return ConfigError(file, format_loc(err.get("loc", ())), msg + more)


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            out[k] = _deep_merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(override)


def load_catalogue(override: str | Path | None = None, *, relative_to: Path | None = None) -> Catalogue:
    """The bundled rules catalogue, merged with a county override file when given."""
    base_path = bundled_path(BUNDLED_RULES)
    data = _read_yaml(base_path)
    file = str(base_path)
    if override:
        opath = Path(override)
        if not opath.is_absolute() and relative_to is not None:
            opath = relative_to / opath
        extra = _read_yaml(opath)
        if extra is None:
            extra = {}
        if not isinstance(extra, dict):
            raise ConfigError(str(opath), "", "a rules file must be a mapping")
        for key in extra:
            if key not in data:
                raise ConfigError(str(opath), str(key), "unknown key")
        for key in ("rules", "categories"):
            for name in extra.get(key) or {}:
                if name not in data[key]:
                    raise ConfigError(str(opath), f"{key}.{name}", f"unknown {key[:-1] if key == 'rules' else 'category'}")
        data = _deep_merge(data, extra)
        file = str(opath)
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, file) from None


class LoadedConfig:
    """A validated configuration together with its catalogue and the file it came from."""

    def __init__(self, config: Config, catalogue: Catalogue, path: Path | None) -> None:
        self.config = config
        self.catalogue = catalogue
        self.path = path

    @property
    def base_dir(self) -> Path:
        """Directory that relative paths in the config are resolved against."""
        return self.path.parent if self.path else Path.cwd()


def parse_config(data: Any, file: str, *, base_dir: Path | None = None) -> LoadedConfig:
    """Validate already-parsed YAML data; ``file`` is named in errors."""
    if not isinstance(data, dict):
        raise ConfigError(file, "", "the configuration must be a mapping (county:, units: ...)")
    data = _expand_env(data, file)
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, file) from None
    seen: dict[str, int] = {}
    for i, unit in enumerate(cfg.units):
        if unit.id in seen:
            raise ConfigError(file, f"units[{i}].id", f"duplicate unit id {unit.id!r} (also units[{seen[unit.id]}])")
        seen[unit.id] = i
    catalogue = load_catalogue(cfg.rules, relative_to=base_dir)
    for unit in cfg.units:
        for site in unit.sites:
            for col in site.columns:
                if col.category is None:
                    col.category = catalogue.category_for(col.name) or "exempt"  # type: ignore[assignment]
    path = Path(file) if base_dir is not None else None
    return LoadedConfig(cfg, catalogue, path)


def load_config(path: str | Path) -> LoadedConfig:
    """Read, expand and validate a configuration file; raises ConfigError naming file and path."""
    p = Path(path)
    data = _read_yaml(p)
    return parse_config(data, str(p), base_dir=p.resolve().parent)
