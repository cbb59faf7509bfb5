"""Precision and recall of the content checks on the YAML cases (tests/content/cases.yaml): every leak and every
wording error planted is found (recall >= 0.98), and nothing else is (precision 1.0)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from checks.privacy import find_privacy
from checks.wording import WordLists, find_wording_errors
from config.content import content_lists
from config.schema import ContentConfig

DATA = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))
CASES = DATA["cases"]
AS_OF = dt.date(2021, 11, 30)


@pytest.fixture(scope="module")
def lists() -> WordLists:
    data = content_lists(ContentConfig.model_validate({"leaders": DATA["county_leaders"]}), Path("."))
    return WordLists.build(data["leaders"], data["titles"], data["expressions"])


def _found(case: dict, lists: WordLists) -> set[str]:
    got = {f"{h.kind} {h.masked}" for h in find_privacy(case["text"], as_of=AS_OF, header_words=case.get("title", ""))}
    got |= {f"{h.kind} {h.found}" for h in find_wording_errors(case["text"], lists)}
    return got


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict, lists: WordLists) -> None:
    want = set(case.get("privacy", [])) | set(case.get("errors", []))
    assert _found(case, lists) == want


def test_precision_and_recall(lists: WordLists) -> None:
    tp = fp = fn = 0
    for case in CASES:
        want = set(case.get("privacy", [])) | set(case.get("errors", []))
        got = _found(case, lists)
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    assert tp + fn >= 30, "too few planted problems to measure recall"
    assert sum(1 for c in CASES if not c.get("privacy") and not c.get("errors")) >= 15, "too few traps"
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision == 1.0, f"precision {precision:.3f} ({fp} false positives)"
    assert recall >= 0.98, f"recall {recall:.3f} ({fn} missed)"
