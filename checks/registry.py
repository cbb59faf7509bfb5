"""Registry of check functions by the rule ids they decide."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable

from checks.base import CheckInput, Outcome
from config.catalogue import Catalogue

__all__ = ["CHECKS", "CheckFn", "check", "describe_checks", "run_checks"]

CheckFn = Callable[[CheckInput, Catalogue], Iterable[Outcome]]
#: check function -> the rule ids it decides
CHECKS: dict[CheckFn, tuple[str, ...]] = {}


def check(*rule_ids: str) -> Callable[[CheckFn], CheckFn]:
    """Register a pure check function deciding the given rule ids; its docstring is its help."""

    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[fn] = rule_ids
        return fn

    return deco


def describe_checks() -> dict[str, tuple[str, str]]:
    """Rule id -> (the check function deciding it, as ``module.name``, and its docstring): the checks' own help."""
    return {rule: (f"{fn.__module__}.{fn.__name__}", inspect.getdoc(fn) or "")
            for fn, rule_ids in CHECKS.items() for rule in rule_ids}


def run_checks(inp: CheckInput, catalogue: Catalogue, rules: Iterable[str] | None = None) -> list[Outcome]:
    """Run every registered check whose rules are enabled (and selected); outcomes of disabled rules, and of
    rules that do not apply to the unit's kind, are dropped."""
    wanted = set(rules) if rules is not None else None
    out: list[Outcome] = []
    for fn, rule_ids in CHECKS.items():
        active = [r for r in rule_ids if catalogue.enabled(r) and (wanted is None or r in wanted)]
        if not active:
            continue
        for o in fn(inp, catalogue):
            if o.rule not in active:
                continue
            unit = inp.units.get(o.unit_id)
            if unit is not None and not catalogue.rules[o.rule].applies(unit.kind):
                continue  # the rule is not judged for this kind of unit (catalogue ``applies_to``)
            out.append(o)
    return out
