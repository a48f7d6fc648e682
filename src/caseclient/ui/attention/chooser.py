"""The per-field chooser: for each field in conflict, mine, theirs, or an edited value.

Every field is a group named with the field's label: my value and theirs side by
side (read-only, reachable by Tab so a screen reader reads them), a radio group
Mine / Theirs / Edit (arrows move within it), and an editor enabled by Edit.
Enter (or Ctrl+Enter inside a multi-line editor) resolves; a field left without a
choice, or an edited value that does not fit, is named, focused and announced.
The summary of what was chosen is announced when it is settled.

An assessment answer is named by its section and question text and worded as the
assessment editor words it; free text is shown in full, and an answer chosen from
a list is edited by choosing from the same list.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from caseclient.domain.assessment import QuestionKind
from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import FieldKind
from caseclient.errors import KnownError
from caseclient.services.attention import AttentionItem, AttentionService, Choice, Edited, FieldRow, Pick
from caseclient.ui.announce import Announcer
from caseclient.ui.assessments.words import choices as answer_choices
from caseclient.ui.forms import ErrorLabel, name
from caseclient.ui.reflow import FlowLayout, ScrollPage, fit_to_screen

Reader = QLineEdit | QPlainTextEdit


def _reader(text: str, long: bool, accessible_name: str) -> Reader:
    view: Reader
    if long:
        plain = QPlainTextEdit(text)
        plain.setTabChangesFocus(True)
        plain.setMaximumHeight(plain.fontMetrics().lineSpacing() * 8)
        view = plain
    else:
        view = QLineEdit(text)
        view.setCursorPosition(0)
    view.setReadOnly(True)
    name(view, accessible_name)
    return view


class FieldChoice(QGroupBox):
    """One field: my value, theirs, and the choice between them."""

    def __init__(self, row: FieldRow, edit_text: str, parent: QWidget | None = None) -> None:
        super().__init__(row.label, parent)
        self.row = row
        self.setAccessibleName(row.label)
        question = row.question
        long = row.kind is FieldKind.LONG_TEXT or (
            question is not None and question.kind is QuestionKind.LONG_TEXT)
        self.mine_view = _reader(row.mine_text, long, f"{row.label}, yours")
        self.theirs_view = _reader(row.theirs_text, long, f"{row.label}, theirs")
        mine_label = QLabel("Yours, on this laptop")
        mine_label.setBuddy(self.mine_view)
        theirs_label = QLabel("Theirs, on the central system")
        theirs_label.setBuddy(self.theirs_view)
        for label in (mine_label, theirs_label):     # side by side: each wraps when narrow
            label.setWordWrap(True)
        self.mine = QRadioButton("Keep mine")
        self.theirs = QRadioButton("Keep theirs")
        self.edit = QRadioButton("Edit")
        name(self.mine, f"Keep mine for {row.label}")
        name(self.theirs, f"Keep theirs for {row.label}")
        name(self.edit, f"Edit {row.label}", "Type a value that merges both.")
        self.group = QButtonGroup(self)
        for button in (self.mine, self.theirs, self.edit):
            self.group.addButton(button)
        self.editor: QLineEdit | QPlainTextEdit | QComboBox
        listed = answer_choices(question) if question is not None else []
        if listed:
            combo = QComboBox()
            for words, value in listed:
                combo.addItem(words, value)
            at = next((i for i, (_w, v) in enumerate(listed)
                       if v == row.mine and type(v) is type(row.mine)), 0)
            combo.setCurrentIndex(at)
            self.editor = combo
        elif long:
            editor = QPlainTextEdit(edit_text)
            editor.setTabChangesFocus(True)
            self.editor = editor
        else:
            self.editor = QLineEdit(edit_text)
        name(self.editor, f"Edited {row.label}", "Used when Edit is chosen.")
        self.editor.setEnabled(False)
        self.edit.toggled.connect(self.editor.setEnabled)
        self.error = ErrorLabel(self.editor, "Used when Edit is chosen.")
        choices = FlowLayout()                           # onto more rows when narrow
        for button in (self.mine, self.theirs, self.edit):
            choices.add(button)
        grid = QGridLayout(self)
        grid.addWidget(mine_label, 0, 0)
        grid.addWidget(theirs_label, 0, 1)
        grid.addWidget(self.mine_view, 1, 0)
        grid.addWidget(self.theirs_view, 1, 1)
        grid.addLayout(choices, 2, 0, 1, 2)
        grid.addWidget(self.editor, 3, 0, 1, 2)
        grid.addWidget(self.error, 4, 0, 1, 2)
        QWidget.setTabOrder(self.mine_view, self.theirs_view)
        QWidget.setTabOrder(self.theirs_view, self.mine)
        QWidget.setTabOrder(self.mine, self.theirs)
        QWidget.setTabOrder(self.theirs, self.edit)
        QWidget.setTabOrder(self.edit, self.editor)

    @property
    def chosen(self) -> str | None:
        for word, button in (("mine", self.mine), ("theirs", self.theirs), ("edited", self.edit)):
            if button.isChecked():
                return word
        return None

    def typed(self) -> str:
        if isinstance(self.editor, QComboBox):
            return self.editor.currentText()
        return self.editor.toPlainText() if isinstance(self.editor, QPlainTextEdit) else self.editor.text()

    def picked(self) -> tuple[bool, JSONValue]:
        """(True, value) when the edited answer is chosen from a list, else (False, None)."""
        if isinstance(self.editor, QComboBox):
            value: JSONValue = self.editor.currentData()
            return True, value
        return False, None

    @property
    def first_focus(self) -> QWidget:
        return self.mine_view


class ConflictChooser(QDialog):
    def __init__(self, attention: AttentionService, item: AttentionItem, announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._attention = attention
        self._announcer = announcer
        self.item = item
        self.setWindowTitle("Settle a conflict")
        self.setAccessibleName("Settle a conflict")
        title = QLabel(f"<h2>{_escape(item.title)}</h2>")
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setWordWrap(True)
        happened = QLabel(item.summary())
        happened.setWordWrap(True)
        help_text = QLabel("For each field keep yours, keep theirs, or edit a value that merges both. "
                           "Press Enter to settle it; it is sent at the next sync.")
        help_text.setWordWrap(True)
        body = QWidget()
        rows = QVBoxLayout(body)
        for widget in (title, happened, help_text):
            rows.addWidget(widget)
        self.keep_deleted: QRadioButton | None = None
        self.restore: QRadioButton | None = None
        source = item.source
        if getattr(source, "deleted_by_me", False):
            box = QGroupBox("The record")
            box.setAccessibleName("The record")
            self.keep_deleted = QRadioButton("Keep it deleted")
            self.restore = QRadioButton("Keep it, with their change")
            fate = FlowLayout(box)
            fate.add(self.keep_deleted)
            fate.add(self.restore)
            rows.addWidget(box)
        elif getattr(source, "deleted_by_server", False):
            gone = QLabel("The central system has deleted this record. Settling accepts the deletion; "
                          "export your version first if you need to keep it.")
            gone.setWordWrap(True)
            rows.addWidget(gone)
        self.fields = [FieldChoice(row, attention.edit_text(row)) for row in item.fields]
        for field in self.fields:
            rows.addWidget(field)
        rows.addStretch(1)
        scroll = ScrollPage(body)        # words and fields: large text on a small screen scrolls
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.resolve_button = QPushButton("&Settle")
        self.resolve_button.setDefault(True)
        name(self.resolve_button, "Settle", "Keep the chosen values (Enter, or Ctrl+Enter in a text box).")
        self.cancel_button = QPushButton("Cancel")
        name(self.cancel_button, "Cancel")
        self.resolve_button.clicked.connect(self.try_resolve)
        self.cancel_button.clicked.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.try_resolve)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        chain: list[QWidget] = []
        if self.keep_deleted is not None and self.restore is not None:
            chain += [self.keep_deleted, self.restore]
        for field in self.fields:
            chain += [field.mine_view, field.theirs_view, field.mine, field.theirs, field.edit, field.editor]
        chain += [self.resolve_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._first = chain[0]
        count = len(self.fields)
        announcer.polite(self, f"Conflict on {item.title}. {count} field{'s' if count != 1 else ''} "
                               "differ. For each, keep mine, keep theirs, or edit.")

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)
        super().showEvent(event)
        self.activateWindow()
        self._first.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def field(self, name: str) -> FieldChoice:
        return next(f for f in self.fields if f.row.name == name)

    def choices(self) -> dict[str, Choice] | None:
        """The officer's choices, or None after showing the first problem."""
        self._show_problem("")
        chosen: dict[str, Choice] = {}
        for field in self.fields:
            field.error.clear_error()
            if field.chosen is None:
                self._show_problem(f"Choose mine, theirs or edit for {field.row.label}.", field.mine)
                return None
            if field.chosen == "mine":
                chosen[field.row.name] = Pick.MINE
            elif field.chosen == "theirs":
                chosen[field.row.name] = Pick.THEIRS
            else:
                try:
                    listed, value = field.picked()
                    value = self._attention.check_edit(field.row, value) if listed else \
                        self._attention.parse_edit(self.item.record_type, field.row, field.typed())
                except KnownError as exc:
                    field.error.show_error(exc.plain())
                    self._show_problem(exc.plain(), field.editor)
                    return None
                chosen[field.row.name] = Edited(value)
        return chosen

    def _keep_deleted(self) -> bool | None:
        source = self.item.source
        if getattr(source, "deleted_by_server", False):
            return True
        if self.keep_deleted is None or self.restore is None:
            return None
        if not (self.keep_deleted.isChecked() or self.restore.isChecked()):
            return None
        return self.keep_deleted.isChecked()

    def try_resolve(self) -> None:
        chosen = self.choices()
        if chosen is None:
            return
        keep_deleted = self._keep_deleted()
        if self.keep_deleted is not None and keep_deleted is None:
            self._show_problem("Choose whether the record stays deleted.", self.keep_deleted)
            return
        try:
            self._attention.resolve(self.item, chosen, keep_deleted=keep_deleted)
        except KnownError as exc:
            self._show_problem(exc.plain(), self.resolve_button)
            return
        self._announcer.polite(self.parentWidget() or self, self.summary())
        self.accept()

    def summary(self) -> str:
        parts = [f"{f.row.label} {'yours' if f.chosen == 'mine' else f.chosen}" for f in self.fields]
        return f"Settled {self.item.title}: {', '.join(parts) or 'as chosen'}. It is sent at the next sync."

    def _show_problem(self, message: str, focus: QWidget | None = None) -> None:
        self.problem.setText(message)
        self.problem.setVisible(bool(message))
        if message and focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
            self._announcer.assertive(focus, message)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
