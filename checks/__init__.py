"""Checks: pure functions of stored observations, the rules catalogue and the monitoring time point."""

import importlib
import pkgutil

from checks.base import (
    USABLE_STATUSES,
    AccountObs,
    AccountView,
    CheckInput,
    ColumnView,
    Outcome,
    PageObs,
    ProbeObs,
    SiteView,
    UnitView,
)
from checks.registry import CHECKS, check, describe_checks, run_checks

# Every module of this package registers its checks on import.
for _mod in pkgutil.iter_modules(__path__):
    if _mod.name not in {"base", "registry"}:
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = [
    "CHECKS",
    "USABLE_STATUSES",
    "AccountObs",
    "AccountView",
    "CheckInput",
    "ColumnView",
    "Outcome",
    "PageObs",
    "ProbeObs",
    "SiteView",
    "UnitView",
    "check",
    "describe_checks",
    "run_checks",
]
