"""Signing, countersigning and returning: each checked by the officer before it is final.

Signing first lists whatever stops it (every missing, unfit or unreviewed answer,
each a button that goes to its question); when nothing does, it shows the summary
of scores, needs and risk and asks the officer to confirm (WCAG 3.3.4). An SPO
countersigns the same way, or returns the assessment with comments.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from caseclient.services.assessments import AssessmentView, WorkflowResult
from caseclient.ui.announce import Announcer
from caseclient.ui.assessments.words import stamp_words, summary_lines
from caseclient.ui.forms import ErrorLabel, buddy_label, name
from caseclient.ui.reflow import ScrollPage, fit_to_screen

SUMMARY_LINES = 6        # the summary keeps this many lines on screen when the dialog scrolls
SIGN_STATEMENT = ("I have checked the summary and the answers, and this assessment is complete "
                  "and accurate.")
COUNTERSIGN_STATEMENT = "I have reviewed this assessment and countersign it."


def summary_box(view: AssessmentView) -> QTextEdit:
    """Read-only text with a caret: a screen reader hears "read only text" and reads it by line.

    Not a QTextBrowser: Qt gives that the role of a static label (found through AT-SPI),
    and Orca then speaks only its name, never the summary itself.
    """
    box = QTextEdit()
    box.setReadOnly(True)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                | Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setHtml("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in summary_lines(view.overview))
                + "</ul>")
    box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    box.setTabChangesFocus(True)
    name(box, "Summary", "Scores, needs and risk of serious harm levels. Arrow keys read it line by line.")
    return box


def wrapping_button(text: str) -> QPushButton:
    """A push button whose words wrap onto more lines when narrow (a QPushButton's own text
    never does: a missing answer's button was 1,520 px wide at 200 % text on a 640 px screen).
    The words are a label inside it; clicks go through to the button. Name it with ``name``."""
    button = QPushButton()
    words = QLabel(text, button)
    words.setWordWrap(True)
    words.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    inside = QVBoxLayout(button)
    inside.addWidget(words)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    policy.setHeightForWidth(True)
    button.setSizePolicy(policy)
    return button


def _buttons(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


def _summary_and_confirmation(layout: QVBoxLayout, intro: QLabel, view: AssessmentView, *,
                              statement_text: str, box_text: str,
                              box_name: str) -> tuple[QTextEdit, QCheckBox]:
    """The intro, the summary, the statement and its check box, in one page that scrolls
    (following the focus) when large text meets a small screen. The statement is a label
    because words wrap there; a check box's text never does."""
    summary = summary_box(view)
    summary.setMinimumHeight(summary.fontMetrics().lineSpacing() * SUMMARY_LINES)
    statement = QLabel(statement_text)
    statement.setWordWrap(True)
    confirm_box = QCheckBox(box_text)
    name(confirm_box, box_name, statement_text)
    body = QWidget()
    column = QVBoxLayout(body)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(intro)
    column.addWidget(summary, 1)
    column.addWidget(statement)
    column.addWidget(confirm_box)
    layout.addWidget(ScrollPage(body), 1)
    return summary, confirm_box


class SignDialog(QDialog):
    jump_requested = Signal(str)     # question id
    confirmed = Signal()

    def __init__(self, view: AssessmentView, typing_problems: dict[str, str], announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign the assessment")
        self.setAccessibleName("Sign the assessment")
        layout = QVBoxLayout(self)
        template = view.template
        problems: list[tuple[str, str]] = []
        for question_id, message in typing_problems.items():
            section, question = template.section_of(question_id), template.question(question_id)
            if section is not None and question is not None:
                problems.append((question_id, f"Section {section.heading}, \u201c{question.text}\u201d: "
                                              f"{message}"))
        seen = {question_id for question_id, _ in problems}
        problems += [(p.question_id, p.message) for p in view.overview.problems
                     if p.question_id not in seen]
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.problem_buttons: dict[str, QPushButton] = {}
        self.summary: QTextEdit | None = None
        self.confirm_box: QCheckBox | None = None
        self.cancel_button = QPushButton("Canc&el")
        name(self.cancel_button, "Cancel", "Close without signing. Nothing changes.")
        self.cancel_button.clicked.connect(self.reject)
        if problems:
            self._list_problems(layout, problems)
            layout.addLayout(_buttons(self.cancel_button))
            first = next(iter(self.problem_buttons.values()))
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            announcer.assertive(self, self.intro.text())
            return
        self.intro.setText("Check the summary. Once signed, the assessment waits for a senior "
                           "probation officer; it can be changed again only if they return it.")
        self.summary, self.confirm_box = _summary_and_confirmation(
            layout, self.intro, view, statement_text=SIGN_STATEMENT, box_text="I &confirm this",
            box_name="I confirm this assessment is complete and accurate")
        self.sign_button = QPushButton("&Sign assessment")
        name(self.sign_button, "Sign assessment", "Available once you have ticked the confirmation.")
        self.sign_button.setEnabled(False)
        self.confirm_box.toggled.connect(self.sign_button.setEnabled)
        self.sign_button.clicked.connect(self._sign)
        layout.addLayout(_buttons(self.sign_button, self.cancel_button))
        QWidget.setTabOrder(self.summary, self.confirm_box)
        QWidget.setTabOrder(self.confirm_box, self.sign_button)
        QWidget.setTabOrder(self.sign_button, self.cancel_button)
        self.summary.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)
        super().showEvent(event)

    def _list_problems(self, layout: QVBoxLayout, problems: list[tuple[str, str]]) -> None:
        count = len(problems)
        self.intro.setText(f"{count} {'answer needs' if count == 1 else 'answers need'} attention "
                           "before this assessment can be signed. Choose one to go to its question.")
        layout.addWidget(self.intro)
        body = QWidget()
        column = QVBoxLayout(body)
        previous: QWidget | None = None
        for question_id, message in problems:
            if question_id in self.problem_buttons:
                continue
            button = wrapping_button(message.split(": ", 1)[0])
            name(button, message.split(": ", 1)[0], message)
            button.setToolTip(message)
            button.clicked.connect(lambda _checked=False, q=question_id: self._jump(q))
            column.addWidget(button)
            detail = QLabel(message.split(": ", 1)[-1])
            detail.setWordWrap(True)
            column.addWidget(detail)
            self.problem_buttons[question_id] = button
            if previous is not None:
                QWidget.setTabOrder(previous, button)
            previous = button
        column.addStretch(1)
        layout.addWidget(ScrollPage(body), 1)        # follows the focus from problem to problem

    def _jump(self, question_id: str) -> None:
        self.accept()
        self.jump_requested.emit(question_id)

    def _sign(self) -> None:
        self.accept()
        self.confirmed.emit()


class CountersignDialog(QDialog):
    confirmed = Signal()

    def __init__(self, view: AssessmentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Countersign the assessment")
        self.setAccessibleName("Countersign the assessment")
        layout = QVBoxLayout(self)
        signed_by = view.text("signed_by") or "the assessor"
        self.intro = QLabel(f"Signed by {signed_by} on {stamp_words(view.fields.get('signed_at'))}. "
                            "Countersigning locks the assessment for good and sets the case's risk "
                            "of serious harm register to its overall level.")
        self.intro.setWordWrap(True)
        self.summary, self.confirm_box = _summary_and_confirmation(
            layout, self.intro, view, statement_text=COUNTERSIGN_STATEMENT,
            box_text="I have &reviewed it", box_name="I have reviewed this assessment and countersign it")
        self.countersign_button = QPushButton("&Countersign and lock")
        name(self.countersign_button, "Countersign and lock",
             "Available once you have ticked the confirmation.")
        self.countersign_button.setEnabled(False)
        self.confirm_box.toggled.connect(self.countersign_button.setEnabled)
        self.countersign_button.clicked.connect(self._confirm)
        self.cancel_button = QPushButton("Canc&el")
        name(self.cancel_button, "Cancel", "Close without countersigning. Nothing changes.")
        self.cancel_button.clicked.connect(self.reject)
        layout.addLayout(_buttons(self.countersign_button, self.cancel_button))
        QWidget.setTabOrder(self.summary, self.confirm_box)
        QWidget.setTabOrder(self.confirm_box, self.countersign_button)
        QWidget.setTabOrder(self.countersign_button, self.cancel_button)
        self.summary.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)
        super().showEvent(event)

    def _confirm(self) -> None:
        self.accept()
        self.confirmed.emit()


class ReturnDialog(QDialog):
    returned = Signal()

    def __init__(self, send: Callable[[str], WorkflowResult], announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        """``send(comments)`` returns the assessment (the editor's, so it knows the outcome
        is its own to announce)."""
        super().__init__(parent)
        self._send = send
        self._announcer = announcer
        self.setWindowTitle("Return the assessment for changes")
        self.setAccessibleName("Return the assessment for changes")
        layout = QVBoxLayout(self)
        self.comments = QPlainTextEdit()
        self.comments.setTabChangesFocus(True)
        hint = "Say what needs to change. The assessor sees this when they reopen it."
        label = buddy_label("&Comments for the assessor (required)", self.comments,
                            "Comments for the assessor, required", hint)
        label.setWordWrap(True)
        self.error = ErrorLabel(self.comments, hint)
        self.return_button = QPushButton("&Return to the assessor")
        name(self.return_button, "Return to the assessor")
        self.return_button.clicked.connect(self._return)
        self.cancel_button = QPushButton("Canc&el")
        name(self.cancel_button, "Cancel", "Close without returning. Nothing changes.")
        self.cancel_button.clicked.connect(self.reject)
        for widget in (label, self.comments, self.error):
            layout.addWidget(widget)
        layout.addLayout(_buttons(self.return_button, self.cancel_button))
        QWidget.setTabOrder(self.comments, self.return_button)
        QWidget.setTabOrder(self.return_button, self.cancel_button)
        self.comments.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)
        super().showEvent(event)

    def _return(self) -> None:
        result = self._send(self.comments.toPlainText())
        if not result.ok:
            message = result.refusal or "Not returned."
            self.error.show_error(message)
            self.comments.setFocus(Qt.FocusReason.OtherFocusReason)
            self._announcer.assertive(self.error, message)
            return
        self.accept()
        self.returned.emit()
