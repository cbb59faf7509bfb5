"""The files the code's docstrings and comments cite exist: a newcomer who follows ``see crawler/redirects.py`` finds
it. The design card and the rules of the domain live outside the repository and are cited as ``../shared/…``."""

from __future__ import annotations

import ast
import io
import re
import tokenize

from tests.conftest import PACKAGES, ROOT, python_sources

#: a path of a Python or Markdown file, as a word of its own (``crawler/status.py``, ``../shared/RULES.md``)
CITED = re.compile(r"(?<![\w/.-])((?:\.\./)?[\w.-]+(?:/[\w.-]+)*\.(?:py|md))\b")
OUTSIDE = "../shared/"
#: names of a kind of file, not of one file
GENERIC = {"__init__.py", "__main__.py", "conftest.py"}


def prose(source: str) -> list[tuple[int, str]]:
    """The comments and docstrings of a module, with their line."""
    found = [(t.start[0], t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline)
             if t.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                found.append((node.body[0].lineno if node.body else 1, doc))
    return found


def missing_citations(source: str, name: str) -> list[str]:
    """The cited files of ``source`` that are not in the repository (``../shared/`` ones aside)."""
    return [f"{name}:{line}: {path}" for line, text in prose(source) for path in CITED.findall(text)
            if not path.startswith(OUTSIDE) and path not in GENERIC and not (ROOT / path).is_file()]


def test_a_citation_of_a_file_that_is_not_there_is_found() -> None:
    source = '"""See crawler/status.py and crawler/statuses.py."""\n# the layout is in README.md, the rules in RULES.md\n'
    assert missing_citations(source, "m.py") == ["m.py:2: RULES.md", "m.py:1: crawler/statuses.py"]
    assert missing_citations('"""As ../shared/RULES.md says."""\n', "m.py") == []


def test_every_file_the_code_cites_exists() -> None:
    missing = [m for name, source in python_sources((*PACKAGES, "benchmarks", "tests"))
               for m in missing_citations(source, name)]
    assert missing == [], "cited but not in the repository (cite ../shared/ files as such):\n" + "\n".join(missing)
