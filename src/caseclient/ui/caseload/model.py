"""The caseload table model: one row per case, words for screen readers, keys for sorting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Row:
    """One case's cells, worked out once per reload: a view asks each cell for ~8 roles on every
    layout and paint, and formatting on each ask (a strftime per date) made a reload of 150
    cases cost hundreds of ms on the UI thread."""

    case: CaseSummary
    display: tuple[str, ...]
    spoken: tuple[str, ...]
    sort: tuple[Any, ...]
    tooltip: str | None


def _row(case: CaseSummary) -> _Row:
    display = (case.name, case.crn, case.tier or "", _risk_words(case.risk_level),
               uk_datetime(case.next_appointment) or "None booked", str(case.needs_outcome),
               str(case.unsent))
    name = f"{case.name}, found in: {_plain_snippet(case.match)}" if case.match else case.name
    spoken = (name, *(text or "None" for text in display[1:5]),
              f"{case.needs_outcome} needing an outcome", f"{case.unsent} not yet sent")
    sort = (case.name.lower(), case.crn, case.tier or "",
            -1 if case.risk_level is None else _RISK_ORDER[case.risk_level],
            (case.next_appointment or dt.datetime.max).isoformat(), case.needs_outcome, case.unsent)
    tooltip = f"Found in: {_plain_snippet(case.match)}" if case.match else None
    return _Row(case, display, spoken, sort, tooltip)


_DISPLAY = Qt.ItemDataRole.DisplayRole
_SPOKEN = Qt.ItemDataRole.AccessibleTextRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ANSWERED = frozenset({_DISPLAY, _SPOKEN, _TOOLTIP, _ALIGNMENT, SORT_ROLE, CASE_ID_ROLE})


class CaseloadModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[_Row] = []

    def set_cases(self, cases: Sequence[CaseSummary]) -> None:
        rows = [_row(case) for case in cases]
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def case_at(self, row: int) -> CaseSummary:
        return self._rows[row].case

    def display_texts(self, column: int) -> list[str]:
        """What column ``column`` shows, row by row (to size the column without asking Qt)."""
        return [row.display[column] for row in self._rows]

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
            return self._rows[section].case.name
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED:          # most asks (font, colours, check state…): answer fast
            return None
        row_number, column = index.row(), index.column()
        if not 0 <= row_number < len(self._rows) or not 0 <= column < len(COLUMNS):
            return None                    # an invalid index has row -1
        row = self._rows[row_number]
        if role == _DISPLAY:
            return row.display[column]
        if role == SORT_ROLE:
            return row.sort[column]
        if role == _SPOKEN:
            return row.spoken[column]
        if role == CASE_ID_ROLE:
            return row.case.case_id
        if role == _ALIGNMENT:
            return _RIGHT if column >= 5 else None
        return row.tooltip if column == 0 else None
