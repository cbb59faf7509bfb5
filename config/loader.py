"""Loading of the YAML configuration and rules catalogue, with errors that name file, path and problem."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
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
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
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


#: a configuration or rules file larger than this is refused before it is parsed
MAX_FILE_BYTES = 4 * 1024 * 1024
#: at most this many aliases (``*name``) in one file: anchors may share a block, never multiply it
MAX_ALIASES = 100
#: at most this many values once every alias is expanded (a "billion laughs" file has ~10^9)
MAX_NODES = 200_000
#: at most this deep a nesting of mappings and lists
MAX_DEPTH = 64


class _TooBig(Exception):
    """The file's YAML would expand past a limit (aliases, nesting or values); the message says which."""


class _Loader(yaml.SafeLoader):
    """The safe YAML loader; an impossible date (``2021-13-01``) stays text, for the schema to report at its line.

    It counts aliases and nesting while composing, so that a file of nested aliases ("billion laughs") or of
    thousands of brackets is refused before anything is built from it.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _TooBig(f"more than {MAX_ALIASES} aliases (*name)")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooBig(f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, AttributeError):  # AttributeError: ``!!timestamp`` on text that is no date at all
            return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

#: the line (1-based) of every mapping value and list item of a file, by its path inside it
Lines = dict[tuple[Any, ...], int]
_MAX_INDEXED = 200_000


def _index_lines(node: yaml.Node | None, where: dict[tuple[int, int], tuple[Any, ...]] | None = None) -> Lines:
    lines: Lines = {}
    todo: list[tuple[tuple[Any, ...], yaml.Node]] = [((), node)] if node is not None else []
    while todo and len(lines) < _MAX_INDEXED:
        loc, cur = todo.pop()
        lines[loc] = cur.start_mark.line + 1
        if where is not None:
            where.setdefault((cur.start_mark.line, cur.start_mark.column), loc)
        if isinstance(cur, yaml.MappingNode):
            for key, value in cur.value:
                if isinstance(key, yaml.ScalarNode):
                    todo.append(((*loc, key.value), value))
                    lines.setdefault((*loc, key.value), key.start_mark.line + 1)
        elif isinstance(cur, yaml.SequenceNode):
            todo.extend(((*loc, i), item) for i, item in enumerate(cur.value))
    return lines


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document has once every alias is expanded (shared nodes counted at every use)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    todo: list[tuple[yaml.Node, bool]] = [(root, False)]
    while todo:
        node, done = todo.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_NODES:
                raise _TooBig(f"more than {MAX_NODES} values once its aliases are expanded")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _TooBig("an alias refers to the block that contains it (recursive alias)")
        on_path.add(key)
        todo.append((node, True))
        todo.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _line_of(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    """The line of ``loc``, or of its nearest ancestor in the file (a missing key: the mapping that lacks it)."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None


def _read_yaml_lines(path: Path) -> tuple[Any, Lines]:
    """The data of a YAML file and the line of each of its values; ConfigError when it cannot be read."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ConfigError(str(path), "", f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; refused")
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(str(path), "", "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except IsADirectoryError:
        raise ConfigError(str(path), "", "is a directory, not a file") from None
    except ValueError:  # a NUL in the name (``rules: "a\0b"``)
        raise ConfigError(repr(str(path))[1:-1], "", "not a usable file name") from None
    except OSError as exc:
        raise ConfigError(str(path), "", exc.strerror or str(exc)) from None
    if "\x00" in text:
        raise ConfigError(str(path), "", "not a text file (it contains NUL characters)")
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses a control character at once
        raise ConfigError(str(path), "", f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    where: dict[tuple[int, int], tuple[Any, ...]] = {}
    try:
        node = loader.get_single_node()
        if node is not None:
            _expanded_size(node)
        lines = _index_lines(node, where)
        return (loader.construct_document(node) if node is not None else None), lines
    except _TooBig as exc:
        raise ConfigError(str(path), "", f"refused: {exc}") from None
    except yaml.constructor.ConstructorError as exc:  # the text is YAML, a value is not (an impossible date)
        mark = exc.problem_mark
        loc = where.get((mark.line, mark.column), ()) if mark else ()
        raise ConfigError(str(path), format_loc(loc), str(exc.problem), line=mark.line + 1 if mark else None) from None
    except (ValueError, TypeError, AttributeError, OverflowError, RecursionError) as exc:  # a tag on a bad value
        raise ConfigError(str(path), "", f"invalid YAML: a value cannot be read ({type(exc).__name__}: "
                                         f"{str(exc)[:200]})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(str(path), at, f"invalid YAML: {problem}") from None
    finally:
        loader.dispose()


def _expand_env(node: Any, file: str, lines: Lines, loc: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, dict):
        return {k: _expand_env(v, file, lines, (*loc, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand_env(v, file, lines, (*loc, i)) for i, v in enumerate(node)]
    if isinstance(node, str) and "${" in node:

        def sub(m: re.Match[str]) -> str:
            value = os.environ.get(m.group(1))
            if value is None:
                if m.group(2) is not None:
                    return m.group(2)
                raise ConfigError(file, format_loc(loc), f"environment variable {m.group(1)} is not set",
                                  line=_line_of(lines, loc))
            return value

        return _ENV_RE.sub(sub, node)
    return node


def _problem(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        return "unknown key"
    if err.get("type") == "missing":
        return "required key is missing"
    if str(err.get("type", "")).startswith("literal_error"):
        return f"{msg} (got {err.get('input')!r})"
    return msg


def _config_error(file: str, problems: list[tuple[tuple[Any, ...], str]], lines: Lines | None = None) -> ConfigError:
    """One ConfigError listing every (location, problem) of a file, each with its line when known."""
    listed = [(_line_of(lines or {}, loc), format_loc(loc), problem) for loc, problem in problems]
    first, *more = listed
    return ConfigError(file, first[1], first[2], line=first[0], more=tuple(more))


def _validation_error(exc: ValidationError, file: str, lines: Lines | None = None) -> ConfigError:
    return _config_error(file, [(tuple(err.get("loc", ())), _problem(err)) for err in exc.errors()], lines)


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
    data, lines = _read_yaml_lines(base_path)
    file = str(base_path)
    if override:
        opath = Path(override)
        if not opath.is_absolute() and relative_to is not None:
            opath = relative_to / opath
        extra, lines = _read_yaml_lines(opath)
        if extra is None:
            extra = {}
        if not isinstance(extra, dict):
            raise ConfigError(str(opath), "", "a rules file must be a mapping")
        unknown = [((key,), "unknown key") for key in extra if key not in data]
        unknown += [((key, name), f"unknown {key[:-1] if key == 'rules' else 'category'}")
                    for key in ("rules", "categories") if key in data for name in extra.get(key) or {}
                    if name not in data[key]]
        if unknown:
            raise _config_error(str(opath), unknown, lines)
        data = _deep_merge(data, extra)
        file = str(opath)
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, file, lines) from None


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


def parse_config(data: Any, file: str, *, base_dir: Path | None = None, lines: Lines | None = None) -> LoadedConfig:
    """Validate already-parsed YAML data; ``file`` (and the line of each value, when given) is named in errors."""
    if not isinstance(data, dict):
        raise ConfigError(file, "", "the configuration must be a mapping (county:, units: ...)")
    data = _expand_env(data, file, lines or {})
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, file, lines) from None
    seen: dict[str, int] = {}
    duplicates: list[tuple[tuple[Any, ...], str]] = []
    for i, unit in enumerate(cfg.units):
        if unit.id in seen:
            duplicates.append((("units", i, "id"), f"duplicate unit id {unit.id!r} (also units[{seen[unit.id]}])"))
        seen.setdefault(unit.id, i)
    if duplicates:
        raise _config_error(file, duplicates, lines)
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
    data, lines = _read_yaml_lines(p)
    return parse_config(data, str(p), base_dir=p.resolve().parent, lines=lines)
