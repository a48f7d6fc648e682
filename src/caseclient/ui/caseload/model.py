"""The caseload table model: one row per case, words for screen readers, keys for sorting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from caseclient.domain.records import RiskLevel
from caseclient.services.caseload import CaseSummary
from caseclient.ui.formats import uk_datetime

COLUMNS = ("Name", "CRN", "Tier", "Risk level", "Next appointment", "Needs an outcome", "Unsent")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 2
_RISK_ORDER = {level: rank for rank, level in enumerate(RiskLevel)}

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


_SPOKEN = Qt.ItemDataRole.AccessibleTextRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FIRST_FIGURE = COLUMNS.index("Needs an outcome")    # the figures are right-aligned
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_SORT = int(SORT_ROLE)
_CASE_ID = int(CASE_ID_ROLE)
_SPOKEN_INT = int(_SPOKEN)
_ALIGNMENT_INT = int(_ALIGNMENT)


class CaseloadModel(QStandardItemModel):
    """The cells live in Qt's own item model, filled once per reload with every role the view,
    the sorting proxy and screen readers ask for: painting, sorting and accessibility then run
    in C++. A Python ``data()`` was asked ~3,400 times per reload of 150 cases, and the proxy
    called ``rowCount``/``columnCount`` in Python for every index it made (~2,800 each on
    the first paint). No ``data``/``rowCount``/``flags`` override here, on purpose.

    The accessible text is stored only where it differs from what the cell shows: Qt's
    accessible table cell reads ``AccessibleTextRole`` and falls back to ``DisplayRole``."""

    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        for column, heading in enumerate(COLUMNS):
            item = QStandardItem(heading)
            item.setData(heading, _SPOKEN)
            self.setHorizontalHeaderItem(column, item)
        # Cells are made by the model from this prototype, never in Python: a QStandardItem made
        # in Python and handed over stays wrapped (kept by the model's wrapper) after the model
        # deletes it on the next reload, and PySide then hands that stale wrapper out for a new
        # object at the same address.
        prototype = QStandardItem()
        prototype.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
        self.setItemPrototype(prototype)
        self._rows: list[_Row] = []
        self._row_of: dict[str, int] = {}
        self.generation = 0       # moves on each set_cases: a fill read earlier is then stale

    def set_cases(self, cases: Sequence[CaseSummary]) -> None:
        """Show ``cases``, in this order.

        The same cases in the same order (a sync that changed a few of them, the same search
        again) are updated in place: only the rows whose summary changed are filled again, and
        the view keeps its current cell, selection and scroll position, as a screen reader
        keeps its place. Anything else is one reset. A row whose summary did not change is
        not worked out again."""
        made = {row.case: row for row in self._rows}
        rows = [made.get(case) or _row(case) for case in cases]
        if rows and [row.case.case_id for row in rows] == [row.case.case_id for row in self._rows]:
            self._update(rows)
        else:
            self._reset(rows)
        self._rows = rows
        self.generation += 1

    def add_cases(self, cases: Sequence[CaseSummary]) -> None:
        """Rows for ``cases`` (none of them shown yet) after the rows shown: inserted empty (the
        proxy and the view hear of them once), filled with signals blocked, then announced as
        changed once (the proxy sorts them in). A first sync's 150 cases are shown this way a
        few dozen at a time, each in its own turn of the event loop (CaseloadScreen)."""
        if not cases:
            return
        rows = [_row(case) for case in cases]
        first, last = len(self._rows), len(self._rows) + len(rows) - 1
        self.insertRows(first, len(rows))
        blocked = self.blockSignals(True)
        try:
            for number, row in enumerate(rows, start=first):
                self._fill(number, row)
                self.setHeaderData(number, Qt.Orientation.Vertical, row.case.name)
        finally:
            self.blockSignals(blocked)
        self._rows = self._rows + rows
        self._row_of.update((row.case.case_id, number) for number, row in enumerate(rows, start=first))
        self.generation += 1
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Vertical, first, last)

    def _reset(self, rows: list[_Row]) -> None:
        self.beginResetModel()
        # One reset for the proxy and the view, not an insertion signal per row and cell.
        blocked = self.blockSignals(True)
        try:
            self.setRowCount(0)
            self.setRowCount(len(rows))
            for number, row in enumerate(rows):
                self._fill(number, row)
            self.setVerticalHeaderLabels([row.case.name for row in rows])
        finally:
            self.blockSignals(blocked)
        self._row_of = {row.case.case_id: number for number, row in enumerate(rows)}
        self.endResetModel()

    def _update(self, rows: list[_Row]) -> None:
        """The rows that changed, filled again with one signal for them all (the proxy then
        sorts once), each cell's old roles cleared first (a tooltip the new row lacks)."""
        changed = [number for number, (old, new) in enumerate(zip(self._rows, rows, strict=True))
                   if old is not new]
        if not changed:
            return
        renamed = [number for number in changed if self._rows[number].case.name != rows[number].case.name]
        blocked = self.blockSignals(True)
        try:
            for number in changed:
                for column in range(len(COLUMNS)):
                    self.clearItemData(self.index(number, column))
                self._fill(number, rows[number])
            for number in renamed:
                self.setHeaderData(number, Qt.Orientation.Vertical, rows[number].case.name)
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], len(COLUMNS) - 1))
        if renamed:
            self.headerDataChanged.emit(Qt.Orientation.Vertical, renamed[0], renamed[-1])

    def _fill(self, number: int, row: _Row) -> None:
        """Row ``number``'s cells, one call a cell; the model makes each from its prototype."""
        for column, text in enumerate(row.display):
            roles: dict[int, Any] = {_DISPLAY: text, _SORT: row.sort[column]}
            if row.spoken[column] != text:
                roles[_SPOKEN_INT] = row.spoken[column]
            if column >= _FIRST_FIGURE:
                roles[_ALIGNMENT_INT] = _RIGHT
            if column == 0:
                roles[_CASE_ID] = row.case.case_id
                if row.tooltip is not None:
                    roles[_TOOLTIP] = row.tooltip
            self.setItemData(self.index(number, column), roles)

    def case_at(self, row: int) -> CaseSummary:
        return self._rows[row].case

    def row_of(self, case_id: str) -> int | None:
        """The source row showing case ``case_id``, if it is shown."""
        return self._row_of.get(case_id)

    def display_texts(self, column: int) -> list[str]:
        """What column ``column`` shows, row by row (to size the column without asking Qt)."""
        return [row.display[column] for row in self._rows]
