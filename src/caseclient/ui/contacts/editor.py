"""The contact editor window: no Save button, because every pause in typing saves.

Each change restarts the autosave timer; the record is committed through
``ContactService.save_draft`` once typing pauses, on focus-out, on close, and
when the session is about to lock (then the window closes: nothing is lost and
nothing case-related stays on screen). The record's state is shown in words and
announced politely when it changes. Finish validates, shows each error beside
its field, moves focus to the first and announces the list. Closing never asks.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from caseclient.domain.records import RecordState
from caseclient.domain.reference import ReferenceData
from caseclient.errors import KnownError
from caseclient.services.contacts import ContactService, ContactView
from caseclient.services.session import SessionService
from caseclient.ui.announce import Announcer
from caseclient.ui.contacts.autosave import Autosave
from caseclient.ui.contacts.form import FIELDS, ContactForm, focus
from caseclient.ui.forms import name


class ContactEditor(QMainWindow):
    """A main window, not a bare QWidget: Qt gives a top-level QWidget the role "filler", so a
    screen reader did not hear the editor as a window (found through AT-SPI); this is a "frame",
    as the assessment editor is."""

    editor_did_close = Signal(str)     # contact id

    def __init__(self, contacts: ContactService, session: SessionService, reference: ReferenceData,
                 view: ContactView, *, case_title: str, announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._contacts = contacts
        self._session = session
        self._announcer = announcer
        self.contact_id = view.contact.id
        self.case_id = view.contact.case_id
        self._state = view.state
        self._format_problems: dict[str, str] = {}
        self._sent: dict[str, object] = dict(view.contact.to_fields())   # what the store holds
        self._closing = False
        self.setWindowTitle(f"Contact — {case_title}")
        self.setAccessibleName(f"Contact for {case_title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        self.state_label = QLabel()
        self.state_label.setObjectName("recordState")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setObjectName("problemSummary")
        self.problems.setVisible(False)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setVisible(False)
        self.banner = QLabel()                   # a known error while saving, e.g. disk full
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.form = ContactForm(reference)
        self.finish_button = QPushButton("&Finish")
        name(self.finish_button, "Finish",
             "Check the contact is complete and queue it to be sent to the central system.")
        self.close_button = QPushButton("&Close")
        name(self.close_button, "Close", "Close this contact. Everything is already saved.")
        self.finish_button.clicked.connect(self.finish)
        self.close_button.clicked.connect(self.close)
        for sequence in (QKeySequence("Ctrl+W"), QKeySequence("Escape")):
            QShortcut(sequence, self, self.close)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        for widget in (self.state_label, self.banner, self.problems, self.warnings, self.form):
            body_layout.addWidget(widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.finish_button)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        body_layout.addLayout(buttons)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(body)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCentralWidget(self.scroll_area)
        QWidget.setTabOrder(self.form.notes, self.finish_button)
        QWidget.setTabOrder(self.finish_button, self.close_button)
        for button in (self.finish_button, self.close_button):
            button.installEventFilter(self)      # scrolled into view when Tab reaches them (2.4.11)

        self.autosave = Autosave(self._commit, parent=self)
        self._load(view)
        self._watch_fields()
        session.session_will_lock.connect(self.autosave.flush)
        session.session_did_lock.connect(self._locked)

    # ---- loading and watching --------------------------------------------------------------
    def _load(self, view: ContactView) -> None:
        for widget in self.form.field_widgets():
            widget.blockSignals(True)
        try:
            # ``view`` is read from the store, so a ticked box here has been saved.
            self.form.load(view.contact, sensitive_saved=view.contact.sensitive)
        finally:
            for widget in self.form.field_widgets():
                widget.blockSignals(False)
        self._show_state(view.state, announce=False)

    def _watch_fields(self) -> None:
        for widget in self.form.field_widgets():
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self.autosave.poke)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self.autosave.poke)
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(self.autosave.poke)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.autosave.poke)
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.autosave.flush()
        elif event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self.scroll_area.ensureWidgetVisible(watched)
        return super().eventFilter(watched, event)

    # ---- saving ----------------------------------------------------------------------------
    def _commit(self) -> None:
        values, problems = self.form.values()
        # Only what changed: an untouched empty field is not re-sent (and not "required" yet).
        changes = {k: v for k, v in values.items() if self._sent.get(k) != v}
        try:
            saved = self._contacts.save_draft(self.contact_id, changes)
        except KnownError as exc:
            self.banner.setText(exc.plain())
            self.banner.setVisible(True)
            self._announcer.assertive(self.banner, exc.plain())
            self.autosave.retry_later()
            return
        if self.banner.isVisibleTo(self):
            self.banner.setVisible(False)
            self._announcer.polite(self.state_label, "Saved again.")
        errors = {**problems, **{e.field: e.message for e in saved.errors}}
        self._sent.update({k: v for k, v in changes.items() if k not in errors})
        self._format_problems = errors
        self.form.show_errors(errors)
        if "sensitive" in errors:
            self.form.sensitive.blockSignals(True)
            self.form.sensitive.setChecked(True)
            self.form.sensitive.blockSignals(False)
        if values.get("sensitive") is True and "sensitive" not in errors:
            self.form.lock_sensitive(True)
        self._show_state(saved.state)

    def _show_state(self, state: RecordState, *, announce: bool = True) -> None:
        self.state_label.setText(f"Status: {state.words}")
        self.state_label.setAccessibleDescription("Where this contact stands. Every change is saved "
                                                  "on this laptop as you type.")
        if state is not self._state and announce:
            self._announcer.polite(self.state_label, state.words)
        self._state = state

    @property
    def state(self) -> RecordState:
        return self._state

    def refresh_state(self) -> None:
        """Re-read where the record stands (after a sync: Sent or Needs attention)."""
        if self._session.unlocked:
            self._show_state(self._contacts.get(self.contact_id).state)

    # ---- finishing -------------------------------------------------------------------------
    def finish(self) -> None:
        self.autosave.flush()
        if self.banner.isVisibleTo(self):
            focus(self.finish_button)
            return
        # Problems with what is on screen but not saved (a half-typed date) come first, so the
        # record is never finished with a value the officer has already changed.
        errors = dict(self._format_problems)
        validation = self._contacts.validate(self.contact_id)
        for error in validation.errors:
            errors.setdefault(error.field, error.message)
        result = self._contacts.finish(self.contact_id) if not errors else None
        self.form.show_errors(errors)
        warnings = " ".join(w.message for w in validation.warnings)
        self.warnings.setText(warnings)
        self.warnings.setVisible(bool(warnings))
        if errors:
            count = len(errors)
            summary = f"{count} thing{'s' if count != 1 else ''} to put right before finishing: " + \
                " ".join(errors[f] for f in sorted(errors, key=self._field_order))
            self.problems.setText(summary)
            self.problems.setVisible(True)
            first = self.form.first_error_field(errors)
            if first is not None:
                focus(self.form.widget_for(first))
            self._announcer.assertive(self.problems, summary)
            return
        assert result is not None
        self.problems.setVisible(False)
        self._show_state(result.view.state, announce=False)
        done = f"Finished. {result.view.state.words}: it will be sent at the next sync."
        self._announcer.polite(self.state_label, f"{done} {warnings}".strip())

    @staticmethod
    def _field_order(field: str) -> int:
        return FIELDS.index(field) if field in FIELDS else len(FIELDS)

    # ---- closing ---------------------------------------------------------------------------
    def _locked(self) -> None:
        self.autosave.cancel()       # flushed on session_will_lock; the store is closed now
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._session.unlocked:
            self.autosave.flush()
            if self.autosave.pending:       # the save failed (e.g. disk full): keep the words on screen
                event.ignore()
                self._announcer.assertive(self.banner, "Not closed, so nothing is lost: "
                                                       + self.banner.text())
                return
        if not self._closing:
            self._closing = True
            self._session.session_will_lock.disconnect(self.autosave.flush)
            self._session.session_did_lock.disconnect(self._locked)
            self.editor_did_close.emit(self.contact_id)
        event.accept()
