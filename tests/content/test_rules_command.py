"""`govwatch rules` names the check implementing each rule; a rule without one is never shown as enabled."""

from __future__ import annotations

import json

from checks import CHECKS
from checks.privacy import leaked_personal_data
from govwatch.cli import main


def _rules(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["rules", *args]) == 0
    return capsys.readouterr().out


def test_content_rules_name_their_checks(capsys):
    data = json.loads(_rules(capsys, "--format", "json"))
    assert data["checks"]["content.privacy"]["function"] == "checks.privacy.leaked_personal_data"
    assert data["checks"]["content.error"]["function"] == "checks.wording.wording_errors"
    assert all(r["enabled"] for r in data["rules"].values())


def test_a_rule_without_a_check_is_not_shown_enabled(capsys, monkeypatch):
    monkeypatch.delitem(CHECKS, leaked_personal_data)
    data = json.loads(_rules(capsys, "--format", "json"))
    assert "content.privacy" not in data["checks"] and data["rules"]["content.privacy"]["enabled"] is False
    row = next(line for line in _rules(capsys).splitlines() if "content.privac" in line)
    assert "否（无" in row
