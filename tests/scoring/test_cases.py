"""The data-driven scoring cases (tests/scoring/cases/*.yaml): observations in, findings and points out."""

from __future__ import annotations

import pytest

from checks import CHECKS
from config.loader import load_catalogue
from tests.scoring.casekit import build_input, catalogue_for, findings_of, load_cases, score_case

CASES = load_cases()


def _key(f) -> tuple:
    return (f.rule, f.unit_id, f.target, f.severity, round(f.points, 4))


def _expected_key(e: dict, case: dict) -> tuple:
    return (e["rule"], e["unit"], e["target"], e["severity"], round(float(e.get("points", 0.0)), 4))


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_case(case_id, case, tmp_path):
    catalogue = catalogue_for(case, tmp_path)
    inp, infos = build_input(case, catalogue)
    findings = findings_of(case, inp, catalogue)
    expect = case["expect"]
    if "findings" in expect:
        judged = [f for f in findings if f.id.count("|")]  # the ones the checks produced
        got = sorted(_key(f) for f in judged)
        want = sorted(_expected_key(e, case) for e in expect["findings"])
        assert got == want, f"{case_id}: findings differ"
    for e in expect.get("evidence", []):
        f = next(f for f in findings if f.rule == e["rule"] and f.target == e["target"])
        for k, v in e["has"].items():
            value = f.evidence.get(k)
            if isinstance(v, list) and value and isinstance(value[0], dict):
                value = [x.get("url") for x in value]
            assert value == v, f"{case_id}: evidence {k} of {e['rule']} {e['target']}"
    sheet = score_case(case, findings, infos, catalogue, inp.as_of)
    for unit_id, want in (expect.get("scores") or {}).items():
        got = sheet.unit(unit_id)
        if "score" in want:
            assert got.score == pytest.approx(want["score"]), f"{case_id}: score of {unit_id}"
        if "veto" in want:
            assert got.veto is want["veto"], f"{case_id}: veto of {unit_id}"
        if "passed" in want:
            assert got.passed is want["passed"], f"{case_id}: passed of {unit_id}"
        if "deductions" in want:
            assert got.deductions == pytest.approx(want["deductions"]), f"{case_id}: deductions of {unit_id}"
        if "score_before_review" in want:
            assert got.score_before_review == pytest.approx(want["score_before_review"])
        if "counted" in want:
            assert sorted(ln.finding.id for ln in got.lines) == sorted(want["counted"]), f"{case_id}: counted lines"
        if "changes" in want:
            assert sorted(c.finding.id for c in got.changes) == sorted(want["changes"])
        for line in want.get("lines", []):
            ln = next(ln for ln in got.lines if ln.finding.rule == line["rule"] and ln.finding.target == line["target"])
            if "applied" in line:
                assert ln.applied == pytest.approx(line["applied"]), f"{case_id}: applied of {line}"
            if "note" in line:
                assert line["note"] in ln.note, f"{case_id}: note of {line}: {ln.note!r}"
            if "days_open" in line:
                assert ln.days_open == line["days_open"]


def test_every_rule_with_a_check_has_a_case():
    """Each catalogue rule decided by a registered check appears in the expected findings of some case."""
    catalogue = load_catalogue()
    checked = {r for rules in CHECKS.values() for r in rules if r in catalogue.rules}
    covered = {e["rule"] for _, case in CASES for e in case["expect"].get("findings", [])}
    missing = sorted(checked - covered)
    assert not missing, f"rules with a check but no case in tests/scoring/cases/: {missing}"
