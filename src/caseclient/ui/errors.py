"""The two kinds of failure, as the officer sees them.

A :class:`KnownError` is shown in plain words with what to do next; what the
officer typed stays in its window. Anything else is a bug: a crash dialog says so
without case data (only the exception's type and where it happened — never its
message, which may quote a record), and the store is consistent because every
save is one transaction.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from caseclient.errors import KnownError
from caseclient.ui.reflow import fit_to_screen

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def known_error_box(parent: QWidget | None, error: KnownError, title: str = "Caseclient") -> QMessageBox:
    """A window-modal message (``open``, not ``exec``: no nested event loop in an excepthook)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, error.message, QMessageBox.StandardButton.Ok,
                      parent)
    box.setInformativeText(error.advice)
    box.setAccessibleName(title)
    box.setAccessibleDescription(error.plain())
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def crash_report(kind: type[BaseException], tb: TracebackType | None) -> str:
    """Type and stack of a bug, without the exception's message (it may hold case data)."""
    frames = traceback.extract_tb(tb)
    lines = [f"{kind.__module__}.{kind.__qualname__}"]
    lines += [f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]
    return "\n".join(lines)


class CrashDialog(QDialog):
    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Caseclient hit a problem")
        self.setAccessibleName("Caseclient hit a problem")
        intro = QLabel("Caseclient hit a problem it did not expect. Everything you typed up to now "
                       "is saved on this laptop. You can carry on, or close Caseclient and start it "
                       "again. If it happens again, send the details below to IT support: they hold "
                       "no case information.")
        intro.setWordWrap(True)
        details_label = QLabel("&Details for IT support")
        self.details = QPlainTextEdit(report)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Details for IT support")
        self.details.setTabChangesFocus(True)
        details_label.setBuddy(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(details_label)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)                   # its words whole with large text on a small screen
        super().showEvent(event)


class ErrorPresenter:
    """Installed as ``sys.excepthook`` while the app runs; ``parent`` gives dialogs an owner."""

    def __init__(self, parent: Callable[[], QWidget | None]) -> None:
        self._parent = parent
        self._previous: ExceptHook | None = None
        self.last_dialog: QDialog | None = None

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook = self._previous
            self._previous = None

    def __call__(self, kind: type[BaseException], error: BaseException,
                 tb: TracebackType | None) -> None:
        if isinstance(error, KnownError):
            log.info("known error shown: %s", type(error).__name__)
            self.last_dialog = known_error_box(self._parent(), error)
            return
        report = crash_report(kind, tb)
        log.error("unexpected error\n%s", report)
        dialog = CrashDialog(report, self._parent())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.last_dialog = dialog
