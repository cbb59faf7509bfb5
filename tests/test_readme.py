"""README's layout table matches the tree: what it names exists, and it names every module and subpackage."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def layout_rows(text: str) -> dict[str, list[str]]:
    """The rows of the table under ``## Layout``: each package (``config/``) and the names its row gives."""
    section = text.split("\n## Layout", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            for package in re.findall(r"`([^`]+/)`", cells[0]):
                rows[package] = re.findall(r"`([^`]+)`", cells[1])
    return rows


def named_paths(package: str, names: list[str]) -> set[Path]:
    """The files and folders a row names (relative to its package unless the name starts with a package)."""
    out = set()
    for name in names:
        if not re.search(r"(\.\w+|/)$", name):
            continue  # not a path
        out.add(ROOT / name if name.split("/")[0] + "/" in _packages() else ROOT / package / name)
    return out


def _packages() -> set[str]:
    return {p.name + "/" for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")}


def parts_of(package: Path) -> set[Path]:
    """A package's modules and subpackages (``__init__.py`` aside)."""
    return {p for p in package.iterdir()
            if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()}


def test_the_layout_table_is_read() -> None:
    rows = layout_rows(README.read_text(encoding="utf-8"))
    assert {"config/", "checks/", "storage/", "crawler/", "notifier/", "reports/", "web/", "govwatch/"} <= set(rows)
    assert ROOT / "crawler" / "status.py" in named_paths("crawler/", rows["crawler/"])


def test_everything_the_layout_table_names_exists() -> None:
    rows = layout_rows(README.read_text(encoding="utf-8"))
    missing = [str(p.relative_to(ROOT)) for package, names in rows.items()
               for p in sorted(named_paths(package, names)) if not p.exists()]
    assert missing == [], f"README's layout names what is not in the tree: {missing}"


def test_the_layout_table_names_every_module_and_subpackage() -> None:
    rows = layout_rows(README.read_text(encoding="utf-8"))
    unnamed = []
    for package in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").is_file()):
        assert package.name + "/" in rows, f"README's layout has no row for {package.name}/"
        named = named_paths(package.name + "/", rows[package.name + "/"])
        unnamed += [str(p.relative_to(ROOT)) for p in sorted(parts_of(package)) if p not in named]
    assert unnamed == [], f"README's layout does not name: {unnamed}"
