"""Layers point down: the lower packages never import the app shell, nor a package above them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: each lower layer and the layers it may import, bottom first (govwatch/, the app shell, and web/, the
#: workbench, may import them all)
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "checks": {"config"},
    "storage": {"config", "checks"},
    "crawler": {"config", "checks", "storage"},
    "notifier": {"config", "checks", "storage"},
    "reports": {"config", "checks", "storage", "notifier"},
}
PACKAGES = set(ALLOWED) | {"govwatch", "web"}


def imported_packages(path: Path) -> dict[str, int]:
    """The project packages a module imports (anywhere in it, functions included), with a line of each."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.partition(".")[0]
            if top in PACKAGES:
                found.setdefault(top, node.lineno)
    return found


def violations(root: Path) -> list[str]:
    """Every import of a layer that its place in ALLOWED does not permit, as ``file:line imports pkg``."""
    out = []
    for layer, allowed in ALLOWED.items():
        for path in sorted((root / layer).rglob("*.py")):
            for pkg, line in imported_packages(path).items():
                if pkg != layer and pkg not in allowed:
                    out.append(f"{path.relative_to(root)}:{line} imports {pkg}")
    return out


def test_allowed_directions_form_an_order() -> None:
    # no two layers may import each other, directly or through a third
    def below(layer: str, seen: frozenset[str] = frozenset()) -> set[str]:
        assert layer not in seen, f"cycle through {layer}"
        return set().union(*({d} | below(d, seen | {layer}) for d in ALLOWED[layer])) if ALLOWED[layer] else set()

    for layer in ALLOWED:
        assert layer not in below(layer)
        assert "govwatch" not in below(layer)


def test_lower_layers_import_only_layers_below_them() -> None:
    assert violations(ROOT) == []


def test_the_app_shell_keeps_no_import_cycle_between_pipeline_and_linkstage() -> None:
    linkstage = imported_modules(ROOT / "govwatch" / "linkstage.py")
    assert "govwatch.pipeline" not in linkstage


def imported_modules(path: Path) -> set[str]:
    mods: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            mods.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            mods.add(node.module)
            mods.update(f"{node.module}.{alias.name}" for alias in node.names)
    return mods


@pytest.mark.parametrize(("layer", "source", "bad"), [
    ("storage", "from govwatch.errors import UsageError\n", "govwatch"),
    ("checks", "def f():\n    from reports.workbook import write_workbook\n", "reports"),
    ("crawler", "import notifier.render\n", "notifier"),
    ("notifier", "from web.app import create_app\n", "web"),
])
def test_a_wrong_way_import_is_caught(tmp_path: Path, layer: str, source: str, bad: str) -> None:
    for name in ALLOWED:
        (tmp_path / name).mkdir()
    (tmp_path / layer / "mod.py").write_text(source, encoding="utf-8")
    assert violations(tmp_path) == [f"{layer}/mod.py:{source.count(chr(10), 0, source.index(bad)) + 1} imports {bad}"]
