"""Read-only tables of words: one model and one view set-up used by every list.

A screen reader reads each cell with its column header, so headers exist in both
orientations; Tab leaves the table (arrows move inside), Enter activates a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[str, ...]
    spoken: tuple[str, ...] = ()      # per-cell words for screen readers, when display is terse


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], empty_text: str = "None") -> None:
        super().__init__()
        self._headers = tuple(headers)
        self._rows: list[Row] = []
        self.empty_text = empty_text

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_keys(self) -> list[str]:
        return [row.key for row in self._rows]

    def cells(self, row: int) -> tuple[str, ...]:
        return self._rows[row].cells

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return self._rows[section].cells[0] if 0 <= section < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.cells[index.column()] or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if row.spoken and row.spoken[index.column()]:
                return row.spoken[index.column()]
            return row.cells[index.column()] or self.empty_text
        return None


def word_table(model: RowsModel, parent: QWidget | None = None) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
    return table


def current_key(table: QTableView) -> str | None:
    key = table.currentIndex().siblingAtColumn(0).data(KEY_ROLE)
    return key if isinstance(key, str) else None
