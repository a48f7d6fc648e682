"""Export a record to a file: encrypted with a passphrase (the default), or a PDF.

The last resort when a conflict or refusal cannot be settled here: the officer
keeps their version safely and passes it on. The encrypted file needs the
passphrase chosen here to open; a PDF can be read by anyone who has it, and says so.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from caseclient.errors import KnownError
from caseclient.services.attention import AttentionItem, AttentionService
from caseclient.services.export import ExportService
from caseclient.ui.announce import Announcer
from caseclient.ui.attention.document import record_html
from caseclient.ui.diary.document import write_pdf
from caseclient.ui.forms import ErrorLabel, buddy_label, name
from caseclient.ui.reflow import ScrollPage, fit_to_screen

ENCRYPTED_SUFFIX = ".caseclient-export"


class ExportDialog(QDialog):
    def __init__(self, export: ExportService, attention: AttentionService, item: AttentionItem,
                 announcer: Announcer, *, folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._export = export
        self._attention = attention
        self._announcer = announcer
        self.item = item
        self.written: Path | None = None
        self.setWindowTitle("Export a record")
        self.setAccessibleName("Export a record")
        intro = QLabel(f"Write {item.title} to a file, to keep your version safe or pass it on.")
        intro.setWordWrap(True)
        kind = QGroupBox("Kind of file")
        kind.setAccessibleName("Kind of file")
        self.encrypted = QRadioButton("&Encrypted file, opened with a passphrase")
        self.pdf = QRadioButton("P&DF, readable by anyone who has the file")
        name(self.encrypted, "Encrypted file, opened with a passphrase")
        name(self.pdf, "PDF, readable by anyone who has the file")
        self.encrypted.setChecked(True)
        kinds = QVBoxLayout(kind)
        kinds.addWidget(self.encrypted)
        kinds.addWidget(self.pdf)
        start = (folder or Path.home()) / f"record-{item.record_id[:8]}{ENCRYPTED_SUFFIX}"
        self.path = QLineEdit(str(start))
        self.browse = QPushButton("&Browse…")
        name(self.browse, "Browse", "Choose the folder and file name.")
        self.browse.clicked.connect(self._browse)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.path_error = ErrorLabel(self.path)
        self.passphrase_error = ErrorLabel(self.passphrase, "At least 10 characters.")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)   # field under its label when narrow
        form.addRow(buddy_label("&File", self.path, "File"), path_row)
        form.addRow(self.path_error)
        form.addRow(buddy_label("&Passphrase for the file", self.passphrase, "Passphrase for the file",
                                "At least 10 characters. Give it to whoever opens the file separately."),
                    self.passphrase)
        form.addRow(buddy_label("Type it &again", self.again, "Passphrase again"), self.again)
        form.addRow(self.passphrase_error)
        self.pdf.toggled.connect(self._kind_changed)
        self.export_button = QPushButton("E&xport")
        self.export_button.setDefault(True)
        name(self.export_button, "Export")
        self.cancel_button = QPushButton("Cancel")
        name(self.cancel_button, "Cancel")
        self.export_button.clicked.connect(self.try_export)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        body = QWidget()                 # large text on a small screen scrolls, following the focus
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(intro)
        column.addWidget(kind)
        column.addLayout(form)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(ScrollPage(body), 1)
        layout.addLayout(buttons)
        chain: list[QWidget] = [self.encrypted, self.pdf, self.path, self.browse, self.passphrase, self.again,
                                self.export_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)
        super().showEvent(event)
        self.activateWindow()
        chosen = self.pdf if self.pdf.isChecked() else self.encrypted
        chosen.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _kind_changed(self, pdf: bool) -> None:
        for field in (self.passphrase, self.again):
            field.setEnabled(not pdf)
        current = Path(self.path.text())
        suffix = ".pdf" if pdf else ENCRYPTED_SUFFIX
        stem = current.name.removesuffix(ENCRYPTED_SUFFIX).removesuffix(".pdf")
        self.path.setText(str(current.with_name(stem + suffix)))

    def _browse(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if chosen:
            self.path.setText(chosen)

    def try_export(self) -> None:
        self.path_error.clear_error()
        self.passphrase_error.clear_error()
        text = self.path.text().strip()
        if not text:
            self._refuse(self.path, self.path_error, "Type where to write the file.")
            return
        path = Path(text).expanduser()
        if not path.parent.is_dir():
            self._refuse(self.path, self.path_error, "That folder does not exist. Choose another.")
            return
        try:
            if self.pdf.isChecked():
                record = self._export.record(self.item.record_type, self.item.record_id)
                fields = record["fields"]
                html = record_html(self.item, fields if isinstance(fields, dict) else {}, self._attention,
                                   str(record["exported_at"]))
                write_pdf(html, path, self.item.title)
            else:
                if self.passphrase.text() != self.again.text():
                    self._refuse(self.again, self.passphrase_error, "The two passphrases are different.")
                    return
                self._export.export_encrypted(self.item.record_type, self.item.record_id, path,
                                              self.passphrase.text())
        except KnownError as exc:
            field = self.path if "file" in exc.message.lower() and "passphrase" not in exc.message.lower() \
                else self.passphrase
            self._refuse(field, self.path_error if field is self.path else self.passphrase_error, exc.plain())
            return
        self.passphrase.clear()
        self.again.clear()
        self.written = path
        self._announcer.polite(self.parentWidget() or self, f"Exported to {path.name}.")
        self.accept()

    def _refuse(self, field: QLineEdit, label: ErrorLabel, message: str) -> None:
        label.show_error(message)
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        self._announcer.assertive(field, message)
