"""A refused change: the central system's reason, what was sent, and Dismiss or Export.

The officer reads the reason (a focusable, read-only text a screen reader reads in
full), re-enters the work where it belongs or exports it, then dismisses the item.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from caseclient.errors import KnownError
from caseclient.services.attention import AttentionItem, AttentionService
from caseclient.ui.announce import Announcer
from caseclient.ui.forms import name
from caseclient.ui.reflow import FlowLayout, ScrollPage, fit_to_screen
from caseclient.ui.tables import Row, RowsModel, word_table


class RejectionDialog(QDialog):
    export_requested = Signal()

    def __init__(self, attention: AttentionService, item: AttentionItem, announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._attention = attention
        self._announcer = announcer
        self.item = item
        self.setWindowTitle("A change was refused")
        self.setAccessibleName("A change was refused")
        title = QLabel(f"<h2>{item.title.replace('&', '&amp;').replace('<', '&lt;')}</h2>")
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setWordWrap(True)
        self.reason = QPlainTextEdit(item.happened)
        self.reason.setReadOnly(True)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(self.reason.fontMetrics().lineSpacing() * 5)
        reason_label = QLabel("&Reason given by the central system")
        reason_label.setWordWrap(True)
        reason_label.setBuddy(self.reason)
        name(self.reason, "Reason given by the central system")
        self.model = RowsModel(("Field", "What you sent"), empty_text="(empty)")
        self.model.set_rows([Row(row.name, (row.label, row.mine_text)) for row in item.fields])
        self.table = word_table(self.model)
        sent_label = QLabel("What you &sent")
        sent_label.setWordWrap(True)
        sent_label.setBuddy(self.table)
        name(self.table, "What you sent")
        self.dismiss_button = QPushButton("I have &dealt with it")
        name(self.dismiss_button, "I have dealt with it", "Remove it from Needs attention.")
        self.export_button = QPushButton("E&xport…")
        name(self.export_button, "Export", "Write the record to an encrypted file or a PDF first.")
        self.close_button = QPushButton("Close")
        name(self.close_button, "Close")
        self.dismiss_button.clicked.connect(self.dismiss)
        self.export_button.clicked.connect(self._export)
        self.close_button.clicked.connect(self.reject)
        buttons = FlowLayout()                           # onto more rows when narrow
        for button in (self.dismiss_button, self.export_button, self.close_button):
            buttons.add(button)
        body = QWidget()                 # large text on a small screen scrolls, following the focus
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (title, reason_label, self.reason, sent_label, self.table):
            column.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(ScrollPage(body), 1)
        layout.addLayout(buttons)
        chain: list[QWidget] = [self.reason, self.table, self.dismiss_button, self.export_button,
                                self.close_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)
        super().showEvent(event)
        self.activateWindow()
        self.reason.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def dismiss(self) -> None:
        try:
            self._attention.dismiss(self.item)
        except KnownError as exc:
            self._announcer.assertive(self, exc.plain())
            return
        self._announcer.polite(self.parentWidget() or self,
                               f"{self.item.title}: removed from Needs attention.")
        self.accept()

    def _export(self) -> None:
        self.reject()
        self.export_requested.emit()
