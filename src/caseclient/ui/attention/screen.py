"""The "Needs attention" screen: conflicts and refusals in a table; Enter opens one.

Each row says which record, what happened, when, and who changed it on the
central system. Enter (or Open) brings up the per-field chooser for a conflict,
or the reason and Dismiss for a refusal; Export writes the record to a file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from caseclient.services.attention import AttentionItem, AttentionService
from caseclient.services.export import ExportService
from caseclient.ui.announce import Announcer
from caseclient.ui.attention.chooser import ConflictChooser
from caseclient.ui.attention.export_dialog import ExportDialog
from caseclient.ui.attention.rejection import RejectionDialog
from caseclient.ui.forms import buddy_label, name
from caseclient.ui.reflow import ScrollPage
from caseclient.ui.tables import Row, RowsModel, current_key, word_table

HEADERS = ("Record", "What happened", "When", "Changed by")


class AttentionScreen(QWidget):
    attention_did_change = Signal()

    def __init__(self, attention: AttentionService, export: ExportService, announcer: Announcer,
                 *, export_folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._attention = attention
        self._export = export
        self._announcer = announcer
        self._export_folder = export_folder
        self._items: dict[str, AttentionItem] = {}
        self.dialog: QDialog | None = None
        self.setAccessibleName("Needs attention")
        heading = QLabel("<h1>Needs attention</h1>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        intro = QLabel("Changes the central system could not take as they were. Open one to choose, "
                       "field by field, what to keep; or export the record to a file.")
        intro.setWordWrap(True)
        self.model = RowsModel(HEADERS, empty_text="Not known")
        self.table = word_table(self.model)
        self.table.activated.connect(lambda _index: self.open_current())
        table_label = buddy_label("Ite&ms needing attention", self.table, "Items needing attention",
                                  "Arrow keys move between items; Enter opens one.")
        self.empty = QLabel("Nothing needs your attention.")
        self.open_button = QPushButton("O&pen…")
        name(self.open_button, "Open", "Settle the highlighted item.")
        self.export_button = QPushButton("E&xport…")
        name(self.export_button, "Export", "Write the highlighted record to an encrypted file or a PDF.")
        self.open_button.clicked.connect(self.open_current)
        self.export_button.clicked.connect(self.export_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        body = QWidget()
        layout = QVBoxLayout(body)
        for widget in (heading, intro, table_label, self.table, self.empty):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        outer = QVBoxLayout(self)                  # scrolls when the text is large for the window
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(ScrollPage(body))
        QWidget.setTabOrder(self.table, self.open_button)
        QWidget.setTabOrder(self.open_button, self.export_button)

    # ---- contents --------------------------------------------------------------------------
    def refresh(self) -> None:
        chosen = current_key(self.table)
        items = self._attention.items()
        self._items = {item.key: item for item in items}
        self.model.set_rows([Row(item.key, (item.title, item.happened, item.when, item.who))
                             for item in items])
        keys = self.model.row_keys()
        row = keys.index(chosen) if chosen in keys else 0
        if keys:
            self.table.setCurrentIndex(self.model.index(row, 0))
        self.empty.setVisible(not keys)
        for button in (self.open_button, self.export_button):
            button.setEnabled(bool(keys))

    def clear(self) -> None:
        """On lock: nothing of the list or an open chooser stays on screen."""
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.reject()              # no longer current: closing it reads nothing
        self._items = {}
        self.model.set_rows([])

    def focus_list(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        count = len(self._items)
        words = "Nothing needs your attention." if not count else \
            f"{count} item{'s' if count != 1 else ''} need{'s' if count == 1 else ''} your attention."
        self._announcer.polite(self, words)

    def current_item(self) -> AttentionItem | None:
        key = current_key(self.table)
        return None if key is None else self._items.get(key)

    # ---- acting ----------------------------------------------------------------------------
    def open_current(self) -> QDialog | None:
        item = self.current_item()
        if item is None:
            return None
        dialog: QDialog
        if item.is_conflict:
            dialog = ConflictChooser(self._attention, item, self._announcer, parent=self)
        else:
            rejection = RejectionDialog(self._attention, item, self._announcer, parent=self)
            rejection.export_requested.connect(lambda: self._open_export(item))
            dialog = rejection
        return self._show(dialog)

    def export_current(self) -> QDialog | None:
        item = self.current_item()
        return None if item is None else self._open_export(item)

    def _open_export(self, item: AttentionItem) -> QDialog:
        return self._show(ExportDialog(self._export, self._attention, item, self._announcer,
                                       folder=self._export_folder, parent=self))

    def _show(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is not dialog:
            return
        self.dialog = None
        self.refresh()
        self.attention_did_change.emit()
        self.window().activateWindow()     # back from the dialog even where no window manager hands it back
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
