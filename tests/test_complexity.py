"""No function of the packages or the benchmarks is above radon's grade D (cyclomatic complexity over 30): rooms
of a size to live in."""

from __future__ import annotations

from radon.complexity import cc_rank, cc_visit

from tests.conftest import PACKAGES, python_sources

WORST_ALLOWED = "D"


def too_complex(source: str, name: str) -> list[str]:
    """The functions and methods of ``source`` graded worse than D, as ``name:line function grade(complexity)``."""
    found = []
    for b in cc_visit(source):  # every function, every method, and the classes (graded by their methods)
        grade = cc_rank(b.complexity)
        if grade > WORST_ALLOWED and not hasattr(b, "methods"):
            found.append(f"{name}:{b.lineno} {b.fullname} {grade}({b.complexity})")
    return found


def test_the_grader_flags_a_tangled_function_and_method() -> None:
    def body(indent: str) -> str:
        return "".join(f"{indent}if x == {i}:\n{indent}    return {i}\n" for i in range(40))

    source = f"def tangled(x):\n{body('    ')}\nclass C:\n    def m(self, x):\n{body('        ')}"
    assert too_complex(source, "t.py") == ["t.py:1 tangled F(41)", "t.py:84 C.m F(41)"]
    assert too_complex("def plain(x):\n    return x\n", "p.py") == []


def test_no_function_of_the_packages_is_above_grade_d() -> None:
    found = [f for name, source in python_sources((*PACKAGES, "benchmarks")) for f in too_complex(source, name)]
    assert found == [], "split these functions (radon grade E/F):\n" + "\n".join(found)
