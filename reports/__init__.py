"""Reports: year-end scoring, the deduction workbook, CSV/JSON exports and the public notice (公示)."""

from reports.scoring import FindingView, Scoresheet, UnitInfo, UnitScore, score_units

__all__ = ["FindingView", "Scoresheet", "UnitInfo", "UnitScore", "score_units"]
