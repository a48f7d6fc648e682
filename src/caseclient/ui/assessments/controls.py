"""One question on screen: its label, its input, its error, and its review mark.

Every input is named with the question text and whether it is required, and its
help is the accessible description. Choices (scores, yes/no, levels, options) are
combo boxes whose first item is "Not answered", so typing 0, 1 or 2 answers a
score; dates are typed in UK form; long answers get a large box where Tab moves on.
A read-only assessment keeps every answer focusable and readable, but a choice
changed there springs back (``refused`` says so) instead of being lost quietly.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseclient.domain.assessment import Question, QuestionKind
from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import parse_date
from caseclient.ui.assessments.words import NOT_ANSWERED, choices, question_label
from caseclient.ui.formats import DATE_HINT, parse_uk_date, uk_date
from caseclient.ui.forms import ErrorLabel

REVIEW_TEXT = "Copied from the last locked assessment: check it, then confirm it or change it."
LONG_TEXT_LINES = 10


class QuestionControl(QWidget):
    changed = Signal(str)              # question id: the officer changed the answer
    confirm_requested = Signal(str)    # question id: confirm a copied answer as it stands
    refused = Signal(str)              # question id: a change on a read-only assessment

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self._values: list[JSONValue] = []
        self._read_only = False
        self._shown_index = 0
        self.input = self._make_input(question)
        hint = question.help
        if question.kind is QuestionKind.DATE:
            hint = f"{hint} {DATE_HINT}".strip()
        self.hint = hint
        self.label = QLabel(question_label(question))
        self.label.setWordWrap(True)
        self.label.setBuddy(self.input)
        need = "required" if question.mandatory else "optional"
        self.input.setAccessibleName(f"{question.text}, {need}")
        if hint:
            self.input.setAccessibleDescription(hint)
        self.help = QLabel(question.help)
        self.help.setWordWrap(True)
        self.help.setObjectName("questionHelp")
        self.help.setVisible(bool(question.help))
        self.error = ErrorLabel(self.input, hint)
        self.review = QLabel(REVIEW_TEXT)
        self.review.setWordWrap(True)
        self.review.setObjectName("reviewMark")
        self.confirm_button = QPushButton("Confirm this answer")
        self.confirm_button.setAccessibleName(f"Confirm copied answer: {question.text}")
        self.confirm_button.setAccessibleDescription(REVIEW_TEXT)
        self.confirm_button.clicked.connect(lambda: self.confirm_requested.emit(question.id))
        review_row = QHBoxLayout()
        review_row.addWidget(self.review, 1)
        review_row.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        for widget in (self.label, self.help, self.input, self.error):
            layout.addWidget(widget)
        layout.addLayout(review_row)
        self.review.setVisible(False)
        self.confirm_button.setVisible(False)

    # ---- building --------------------------------------------------------------------------
    def _make_input(self, question: Question) -> QWidget:
        options = choices(question)
        if options:
            combo = QComboBox()
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            combo.addItems([NOT_ANSWERED, *(words for words, _value in options)])   # one insert
            self._values = [None, *(value for _words, value in options)]
            combo.currentIndexChanged.connect(self._combo_changed)
            combo.installEventFilter(self)
            return combo
        if question.kind is QuestionKind.LONG_TEXT:
            box = QPlainTextEdit()
            box.setTabChangesFocus(True)               # Tab moves on: no keyboard trap
            box.setMinimumHeight(box.fontMetrics().lineSpacing() * LONG_TEXT_LINES)
            box.textChanged.connect(lambda: self.changed.emit(self.question.id))
            return box
        line = QLineEdit()
        if question.kind is QuestionKind.DATE:
            line.setPlaceholderText("24/11/2026")
        line.textEdited.connect(lambda _text: self.changed.emit(self.question.id))
        return line

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A wheel over an unfocused choice scrolls the page; it never changes an answer.
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    def _combo_changed(self, index: int) -> None:
        combo = self.input
        assert isinstance(combo, QComboBox)
        if self._read_only:
            combo.blockSignals(True)
            combo.setCurrentIndex(self._shown_index)
            combo.blockSignals(False)
            self.refused.emit(self.question.id)
            return
        self._shown_index = index
        self.changed.emit(self.question.id)

    # ---- in and out ------------------------------------------------------------------------
    @property
    def is_choice(self) -> bool:
        return isinstance(self.input, QComboBox)

    def set_value(self, value: JSONValue) -> None:
        """Show a stored answer without counting it as a change."""
        self.input.blockSignals(True)
        try:
            if isinstance(self.input, QComboBox):
                index = next((i for i, v in enumerate(self._values)
                              if v == value and type(v) is type(value)), 0)
                self.input.setCurrentIndex(index)
                self._shown_index = index
            elif isinstance(self.input, QPlainTextEdit):
                text = value if isinstance(value, str) else ""
                if self.input.toPlainText() != text:
                    self.input.setPlainText(text)
            elif isinstance(self.input, QLineEdit):
                if self.question.kind is QuestionKind.DATE:
                    day = parse_date(value)
                    text = uk_date(day) if day else (value if isinstance(value, str) else "")
                else:
                    text = value if isinstance(value, str) else ""
                if self.input.text() != text:
                    self.input.setText(text)
        finally:
            self.input.blockSignals(False)

    def value(self) -> tuple[JSONValue, str | None]:
        """The answer on screen as a wire value, or a problem with how it is written."""
        if isinstance(self.input, QComboBox):
            return self._values[self.input.currentIndex()], None
        text = self.input.toPlainText() if isinstance(self.input, QPlainTextEdit) else (
            self.input.text() if isinstance(self.input, QLineEdit) else "")
        if not text.strip():
            return None, None
        if self.question.kind is QuestionKind.DATE:
            day = parse_uk_date(text)
            return (day.isoformat(), None) if day else (None, DATE_HINT)
        return text, None

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        if isinstance(self.input, (QLineEdit, QPlainTextEdit)):
            self.input.setReadOnly(read_only)
        self.confirm_button.setEnabled(not read_only)

    def set_review(self, marked: bool) -> None:
        if self.review.isHidden() != marked:
            return
        self.review.setVisible(marked)
        self.confirm_button.setVisible(marked)
        self.label.setText(question_label(self.question) + (" — copied, to review" if marked else ""))

    def show_error(self, message: str) -> None:
        self.error.show_error(message)

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    def inputs(self) -> list[QWidget]:
        """This question's focusable widgets, in Tab order."""
        return [self.input, self.confirm_button]
