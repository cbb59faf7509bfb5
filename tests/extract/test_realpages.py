"""The newest date read right on real list pages saved from real government sites (tests/extract/realpages/),
never worse than the naive "largest date on the page" reader on any CMS family."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.extract.realpages_eval import CORPUS, by_family, evaluate, load_cases

CASES = load_cases()
SCORES = evaluate(CASES)


def test_the_corpus_holds_real_pages_unchanged_with_where_each_came_from():
    assert len(CASES) >= 6
    for c in CASES:
        body = (CORPUS / c.file).read_bytes()
        assert hashlib.sha256(body).hexdigest() == c.meta["sha256"], f"{c.file} was changed"
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", c.meta["repo"]) and c.meta["path"], c.file
        assert re.fullmatch(r"[0-9a-f]{40}", c.meta["commit"]), c.file
    assert len({c.meta["sha256"] for c in CASES}) == len(CASES)


def test_newest_date_accuracy_on_real_pages():
    wrong = [f"{s.case.file} ({s.case.cms}): read {s.ours}, true {s.case.newest}, naive {s.naive}"
             for s in SCORES if not s.right]
    accuracy = 1 - len(wrong) / len(SCORES)
    assert accuracy >= 0.99, "\n".join(wrong)


@pytest.mark.parametrize("family", sorted({c.cms for c in CASES}))
def test_never_below_the_naive_reader_on_a_cms_family(family):
    pages, right, naive = by_family(SCORES)[family]
    assert right >= naive, f"{family}: {right}/{pages} right, the naive reader {naive}/{pages}"


def test_a_wrong_read_is_never_a_sure_one():
    sure_and_wrong = [s.case.file for s in SCORES if not s.right and s.confidence == "high"]
    assert sure_and_wrong == []
