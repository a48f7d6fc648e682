"""The caseload screen: search as you type above a sortable table; Enter opens a case.

Search runs a moment after typing pauses (FTS over names, CRNs and notes, through
CaseloadService.search); the count of cases found is shown and announced politely.
Down arrow in the search field moves into the table; Enter there opens the
highlighted case, as Enter in the table does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseclient.services.caseload import CaseloadService, CaseSummary
from caseclient.ui.announce import Announcer
from caseclient.ui.caseload.model import CASE_ID_ROLE, SORT_ROLE, CaseloadModel
from caseclient.ui.forms import buddy_label

SEARCH_PAUSE_MS = 150
ROWS_A_TURN = 40     # an empty table filled after a sync: rows added per turn of the event loop
CLEAR_NAME = "Clear the search"


@dataclass(frozen=True)
class _Pending:
    """Cases read for the table, not yet (all) shown."""

    text: str                   # the search they answer ("" for all cases)
    cases: list[CaseSummary]
    generation: int             # the model's, when read or last added to: stale once it moves
    done: int = 0               # how many of them the table already has


def _name_clear_button(field: QLineEdit) -> None:
    """Qt's clear button inside a line edit has no text: a screen reader heard only "button"."""
    clear = field.findChild(QAction, "_q_qlineeditclearaction")
    if clear is not None:
        clear.setText(CLEAR_NAME)
        clear.setToolTip(f"{CLEAR_NAME} and show every case")


class CaseloadScreen(QWidget):
    case_opened = Signal(str)     # case id

    def __init__(self, caseload: CaseloadService, announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._caseload = caseload
        self._announcer = announcer
        self.setAccessibleName("Caseload")
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        _name_clear_button(self.search)
        self.search.setPlaceholderText("Name, CRN or words in notes")
        search_label = buddy_label("Fi&nd a case", self.search, "Find a case",
                                   "Type a name, a CRN or words from contact notes. Down arrow "
                                   "moves to the list of cases.")
        self.model = CaseloadModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)      # Tab leaves the table; arrows move inside
        self.table.verticalHeader().setVisible(False)
        # Columns are fitted to their widest text after each reload and text-size change
        # (_fit_columns); ResizeToContents asked every cell again on every layout pass.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        table_label = buddy_label("&Cases", self.table, "Cases",
                                  "Arrow keys move between cases; Enter opens one. Click a column "
                                  "heading to sort.")
        self.count = QLabel()
        self.count.setObjectName("caseCount")
        self.table.activated.connect(self._open_index)
        self.search.textChanged.connect(self._search_soon)
        self.search.installEventFilter(self)
        self.table.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_PAUSE_MS)
        self._timer.timeout.connect(self.refresh)
        self._shown: tuple[str, tuple[object, ...]] | None = None    # what refresh() last read
        self._pending: _Pending | None = None          # read, not yet (all) shown
        self._fitted: list[list[str]] | None = None     # the texts the columns were fitted to
        self._reading = False        # the summaries are being worked out off this thread
        self._fill = QTimer(self)
        self._fill.setSingleShot(True)
        self._fill.setInterval(0)
        self._fill.timeout.connect(self._show_pending)

        layout = QVBoxLayout(self)
        layout.addWidget(search_label)
        layout.addWidget(self.search)
        layout.addWidget(self.count)
        layout.addWidget(table_label)
        layout.addWidget(self.table, 1)
        QWidget.setTabOrder(self.search, self.table)

    # ---- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload from the store: all cases, or those matching the search text."""
        read = self._read()
        self._show(read.text, read.cases)

    def _read(self) -> _Pending:
        self._timer.stop()
        self._fill.stop()
        self._pending = None
        self._reading = False
        text = self.search.text().strip()
        self._shown = (text, self._caseload.state())
        cases = self._caseload.search(text) if text else self._caseload.cases()
        return _Pending(text, cases, self.model.generation)

    def _show_pending(self) -> None:
        """Show what a sync's read brought. An empty table given many cases (a laptop's first
        sync) gets them :data:`ROWS_A_TURN` at a time, a turn of the event loop each: 150 rows
        filled at once held the UI thread ~20 ms (1,050 cells at ~9 µs), its longest turn of
        the sync. The count, the columns' widths and the highlighted row follow the last rows."""
        pending = self._take_pending()
        if pending is None:
            return
        cases, done = pending.cases, pending.done
        if (done or not self.model.rowCount()) and len(cases) - done > ROWS_A_TURN:
            if done:
                self.model.add_cases(cases[done:done + ROWS_A_TURN])
            else:
                self.model.set_cases(cases[:ROWS_A_TURN])
            self._pending = replace(pending, generation=self.model.generation, done=done + ROWS_A_TURN)
            self._fill.start()
            return
        if done:
            self.model.add_cases(cases[done:])
        self._show(pending.text, cases)

    def _take_pending(self) -> _Pending | None:
        """The cases waiting to be shown, unless the table was emptied or reloaded since they
        were read (a lock, a search); none wait after this."""
        pending, self._pending = self._pending, None
        if pending is None or pending.generation != self.model.generation:
            return None
        return pending

    def _show(self, text: str, cases: list[CaseSummary]) -> None:
        current = self.table.currentIndex()
        kept = current.siblingAtColumn(0).data(CASE_ID_ROLE) if current.isValid() else None
        self.model.set_cases(cases)
        kept_row = self.model.row_of(kept) if isinstance(kept, str) else None
        if kept_row is not None:           # the highlighted case stays highlighted
            self.table.setCurrentIndex(
                self.proxy.mapFromSource(self.model.index(kept_row, current.column())))
        self._fit_columns()
        total = len(cases)
        plural = "case" if total == 1 else "cases"
        words = f"{total} {plural} found for “{text}”" if text else f"{total} {plural}"
        if self.count.text() != words:
            self.count.setText(words)
            if text:
                self._announcer.polite(self.count, words)
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.proxy.index(0, 0))

    def _fit_columns(self, *, again: bool = False) -> None:
        """Each column as wide as its widest cell or its heading, as ResizeToContents makes it,
        measuring each distinct text once and asking the view for one cell a column; nothing
        to do when the texts are those last fitted (unless ``again``: a new font)."""
        texts = [self.model.display_texts(column) for column in range(self.model.columnCount())]
        if texts == self._fitted and not again:
            return
        self._fitted = texts
        header = self.table.horizontalHeader()
        metrics = QFontMetrics(self.table.font())
        grid = 1 if self.table.showGrid() else 0
        for column in range(self.model.columnCount()):
            widest, width = -1, -1
            measured: dict[str, int] = {}
            for row, text in enumerate(texts[column]):
                advance = measured.get(text)
                if advance is None:
                    advance = measured[text] = metrics.horizontalAdvance(text)
                if advance > width:
                    widest, width = row, advance
            size = header.sectionSizeHint(column)
            if widest >= 0:
                cell = self.proxy.mapFromSource(self.model.index(widest, column))
                size = max(size, self.table.sizeHintForIndex(cell).width() + grid)
            header.resizeSection(column, size)

    def refresh_if_changed(self) -> None:
        """:meth:`refresh`, unless nothing was committed since the last one (same search,
        same minute): a sync that changed nothing costs one query, not a reload.

        Called after a sync, this has the summaries worked out on the caseload's reader
        thread, then reads them (sorted, or searched) and fills the table in the next turn
        of the event loop, then it paints in another. Worked out here, the summaries held
        the UI thread for ~150 ms after a first sync; read, filled and painted in one
        turn, ~80–130 ms on a loaded machine (docs/performance.md)."""
        if self._shown != (self.search.text().strip(), self._caseload.state()):
            self._reading = True
            self._caseload.refresh_soon(self._read_soon)

    def _read_soon(self) -> None:
        if self._reading:            # not if a reload came first (a search, a key) or a lock
            self._pending = self._read()
            self._fill.start()

    def flush(self) -> None:
        """Fill the table now with cases read for it, if any are waiting or on their way
        (those are read here and now)."""
        if self._reading:
            self.refresh()
        elif self._fill.isActive():
            self._fill.stop()
            pending = self._take_pending()
            if pending is not None:
                self._show(pending.text, pending.cases)          # every row, now

    def clear(self) -> None:
        """The session locked: no case stays on screen, the search is emptied, and nothing
        read or searched for earlier is shown later (clearing the search would start the
        search timer, whose reload would then read a closed store)."""
        self.search.clear()
        self._timer.stop()
        self._fill.stop()
        self._pending = None
        self._reading = False
        self._shown = None
        self.model.set_cases([])

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def shown_case_ids(self) -> list[str]:
        return [str(self.proxy.index(row, 0).data(CASE_ID_ROLE)) for row in range(self.proxy.rowCount())]

    # ---- events ----------------------------------------------------------------------------
    def _search_soon(self) -> None:
        self._timer.start()

    def _open_index(self, index: object) -> None:
        case_id = self.table.currentIndex().siblingAtColumn(0).data(CASE_ID_ROLE)
        if isinstance(case_id, str):
            self.case_opened.emit(case_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_columns(again=True)   # the text size setting: the same texts, wider
            return False
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            self.flush()
            if event.key() == Qt.Key.Key_Down and self.proxy.rowCount():
                if self._timer.isActive():
                    self.refresh()
                self.table.setFocus(Qt.FocusReason.TabFocusReason)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():
                    self.refresh()
                if self.proxy.rowCount():
                    self._open_index(self.table.currentIndex())
                return True
        return super().eventFilter(watched, event)
