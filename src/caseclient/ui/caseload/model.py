"""The caseload table model: one row per case, words for screen readers, keys for sorting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from caseclient.domain.records import RiskLevel
from caseclient.services.caseload import CaseSummary
from caseclient.ui.formats import uk_datetime

COLUMNS = ("Name", "CRN", "Tier", "Risk level", "Next appointment", "Needs an outcome", "Unsent")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 2
_RISK_ORDER = {level: rank for rank, level in enumerate(RiskLevel)}

Index = QModelIndex | QPersistentModelIndex


def _plain_snippet(snippet: str) -> str:
    """The search snippet without its match markers and line breaks, for reading aloud."""
    return " ".join(snippet.replace("[", "").replace("]", "").split())


def _risk_words(level: RiskLevel | None) -> str:
    return f"{level.words} RoSH" if level is not None else "Not recorded"


class CaseloadModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[CaseSummary] = []

    def set_cases(self, cases: Sequence[CaseSummary]) -> None:
        self.beginResetModel()
        self._rows = list(cases)
        self.endResetModel()

    def case_at(self, row: int) -> CaseSummary:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        if 0 <= section < len(self._rows):
            return self._rows[section].name
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        case = self._rows[index.row()]
        column = index.column()
        if role == CASE_ID_ROLE:
            return case.case_id
        if role == SORT_ROLE:
            return self._sort_key(case, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(case, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._spoken(case, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0 and case.match:
            return f"Found in: {_plain_snippet(case.match)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(case: CaseSummary, column: int) -> str:
        values = (case.name, case.crn, case.tier or "", _risk_words(case.risk_level),
                  uk_datetime(case.next_appointment) or "None booked", str(case.needs_outcome),
                  str(case.unsent))
        return values[column]

    def _spoken(self, case: CaseSummary, column: int) -> str:
        if column == 0:
            return f"{case.name}, found in: {_plain_snippet(case.match)}" if case.match else case.name
        if column == 5:
            return f"{case.needs_outcome} needing an outcome"
        if column == 6:
            return f"{case.unsent} not yet sent"
        return self._display(case, column) or "None"

    @staticmethod
    def _sort_key(case: CaseSummary, column: int) -> Any:
        if column == 0:
            return case.name.lower()
        if column == 1:
            return case.crn
        if column == 2:
            return case.tier or ""
        if column == 3:
            return -1 if case.risk_level is None else _RISK_ORDER[case.risk_level]
        if column == 4:
            return (case.next_appointment or dt.datetime.max).isoformat()
        return case.needs_outcome if column == 5 else case.unsent
