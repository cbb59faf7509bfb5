"""Reports: year-end scoring, the deduction workbook, CSV/JSON exports and the public notice (公示)."""

from reports.scoring import FindingView, Scoresheet, UnitInfo, UnitScore, score_units
from reports.workdays import CalendarRangeError, add_working_days, is_workday

__all__ = [
    "CalendarRangeError",
    "FindingView",
    "Scoresheet",
    "UnitInfo",
    "UnitScore",
    "add_working_days",
    "is_workday",
    "score_units",
]
