"""The assessment editor window, generated from the assessment's own template version.

A section list (completion and scores in words) beside one page per section. No
Save button: every pause in typing commits the changed answers through
``AssessmentService.save_answers`` (≤ 250 ms, as the contact editor), and so do
focus-out, closing and the session about to lock. Conditional questions and
sections appear and disappear as answers change. Ctrl+J jumps to the next
unanswered question. Signing shows a summary and asks for confirmation first;
if answers are missing it lists each one as a button that goes to its question.

Only the section list and the page on screen are built when it opens; each other
page is built the first time it is needed (chosen in the list, or one of its
questions reached by Ctrl+J or a signing problem). The section list's completion
and scores come from the stored answers, so unbuilt pages are described rightly,
and ``controls`` builds a question's page when that question is asked for.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from caseclient.domain.assessment import (
    Action,
    Section,
    SectionKind,
    Visibility,
    next_unanswered,
    visibility,
)
from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import RecordState
from caseclient.domain.schema import AssessmentStatus
from caseclient.errors import KnownError
from caseclient.services.assessments import (
    AssessmentService,
    AssessmentView,
    WorkflowResult,
    status_words,
)
from caseclient.services.session import SessionService
from caseclient.ui.announce import Announcer
from caseclient.ui.assessments.controls import QuestionControl
from caseclient.ui.assessments.dialogs import CountersignDialog, ReturnDialog, SignDialog
from caseclient.ui.assessments.document import write_assessment_pdf
from caseclient.ui.assessments.page import SectionPage
from caseclient.ui.assessments.words import score_words, section_line, section_short
from caseclient.ui.contacts.autosave import Autosave
from caseclient.ui.forms import buddy_label, name
from caseclient.ui.reflow import FlowLayout, ScrollPage, WrappingList

PAGE_LINES = 10     # a section page keeps this many lines of text on screen when the window scrolls

Index = QModelIndex | QPersistentModelIndex


class QuestionControls(Mapping[str, QuestionControl]):
    """Every question's control by question id. Reading one builds its section's page if
    that page is not built yet (so iterating over all of them builds every page)."""

    def __init__(self, editor: AssessmentEditor) -> None:
        self._editor = editor

    def __getitem__(self, question_id: str) -> QuestionControl:
        return self._editor.control(question_id)

    def __contains__(self, question_id: object) -> bool:
        return isinstance(question_id, str) and self._editor.template.question(question_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (question.id for _section, question in self._editor.template.questions())

    def __len__(self) -> int:
        return sum(len(section.questions) for section in self._editor.template.sections)


class AssessmentEditor(QMainWindow):
    """A main window, not a bare QWidget: Qt gives a top-level QWidget the role "filler",
    so a screen reader did not hear it as a window (found through AT-SPI); this is a "frame"."""

    editor_did_close = Signal(str)     # assessment id

    def __init__(self, assessments: AssessmentService, session: SessionService, view: AssessmentView,
                 *, case_title: str, announcer: Announcer, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._assessments = assessments
        self._session = session
        self._announcer = announcer
        self._view = view
        self.case_title = case_title
        self.assessment_id = view.assessment_id
        self.template = view.template
        self._sent: dict[str, JSONValue] = dict(view.overview.answers)   # what the store holds
        self._dirty: set[str] = set()
        self._errors: dict[str, str] = {}
        self._closing = False
        self._state_words = ""
        self._acting = 0        # > 0 while this editor's own sign/countersign/return/reopen runs
        self.dialog: QDialog | None = None
        title = f"{self.template.title} — {case_title}"
        self.setWindowTitle(title)
        self.setAccessibleName(f"Assessment for {case_title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        self.heading = QLabel(f"<h1>{title}</h1>")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.state_label = QLabel()
        self.state_label.setObjectName("recordState")
        self.state_label.setWordWrap(True)
        self.notice = QLabel()           # why it cannot be changed now, the SPO's comments
        self.notice.setWordWrap(True)
        self.notice.setObjectName("assessmentNotice")
        self.banner = QLabel()           # a known error while saving, e.g. disk full
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)

        self.section_model = QStandardItemModel(self)
        self.section_list = WrappingList()      # wraps; never narrower than its longest word
        self.section_list.setModel(self.section_model)
        self.section_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.section_list.setTabKeyNavigation(False)
        sections_label = buddy_label("Sect&ions", self.section_list, "Sections",
                                     "Each section with how far it has got and its score. Arrows "
                                     "move between sections; Enter goes to the section's first question.")
        self.pages = QStackedWidget()
        self.pages.setAccessibleName("Section page")
        # As tall as the window leaves it, never under PAGE_LINES lines: the page scrolls, and
        # the window only when it is too small even for that (its own height hint, up to 24
        # lines, would otherwise make the window scroll first at 200 % text).
        self.pages.setMinimumHeight(self.fontMetrics().lineSpacing() * PAGE_LINES)
        policy = self.pages.sizePolicy()
        policy.setVerticalPolicy(QSizePolicy.Policy.Ignored)
        self.pages.setSizePolicy(policy)
        self.section_pages: dict[str, SectionPage] = {}   # the pages built so far
        self._built: dict[str, QuestionControl] = {}      # their controls
        self.controls = QuestionControls(self)
        self._shown: Visibility = view.overview.shown
        for section in self.template.sections:
            self.pages.addWidget(QWidget())     # a bare stand-in until the page is needed
            item = QStandardItem(section.heading)
            item.setEditable(False)
            self.section_model.appendRow(item)
        self.section_list.selectionModel().currentChanged.connect(self._section_chosen)
        self.section_list.activated.connect(self._section_entered)

        self.next_button = QPushButton("&Next unanswered")
        name(self.next_button, "Next unanswered question",
             "Go to the next question with no answer (Ctrl+J).")
        self.sign_button = QPushButton("&Sign…")
        name(self.sign_button, "Sign", "Check the summary and sign this assessment.")
        self.countersign_button = QPushButton("&Countersign…")
        name(self.countersign_button, "Countersign",
             "As a senior probation officer, countersign and lock this assessment.")
        self.return_button = QPushButton("&Return for changes…")
        name(self.return_button, "Return for changes",
             "Send this assessment back to the assessor with comments.")
        self.reopen_button = QPushButton("Re&open")
        name(self.reopen_button, "Reopen", "Reopen this returned assessment to make changes.")
        self.export_button = QPushButton("E&xport PDF…")
        name(self.export_button, "Export PDF", "Write the whole assessment to a PDF file.")
        self.close_button = QPushButton("C&lose")
        name(self.close_button, "Close", "Close this assessment. Everything is already saved.")
        self.next_button.clicked.connect(self.next_unanswered)
        self.sign_button.clicked.connect(self.request_sign)
        self.countersign_button.clicked.connect(self.request_countersign)
        self.return_button.clicked.connect(self.request_return)
        self.reopen_button.clicked.connect(self.reopen)
        self.export_button.clicked.connect(self._export_clicked)
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence("Ctrl+J"), self, self.next_unanswered)
        for sequence in (QKeySequence("Ctrl+W"), QKeySequence("Escape")):
            QShortcut(sequence, self, self.close)

        left = QVBoxLayout()
        left.addWidget(sections_label)
        left.addWidget(self.section_list)
        middle = QHBoxLayout()
        middle.addLayout(left, 1)
        middle.addWidget(self.pages, 3)
        self.buttons = [self.next_button, self.sign_button, self.countersign_button, self.return_button,
                        self.reopen_button, self.export_button, self.close_button]
        button_row = FlowLayout()                        # onto more rows when narrow
        for button in self.buttons:
            button_row.add(button)
        body = QWidget()
        outer = QVBoxLayout(body)
        for widget in (self.heading, self.state_label, self.notice, self.banner):
            outer.addWidget(widget)
        outer.addLayout(middle, 1)
        outer.addLayout(button_row)
        # Large text on a small screen (200 % text at QT_SCALE_FACTOR=2): the whole window
        # scrolls and follows the focus; the section page keeps its own scrolling inside it.
        self.setCentralWidget(ScrollPage(body))
        chain: list[QWidget] = [self.section_list, *self.buttons]     # each page's go in when built
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        self.autosave = Autosave(self._commit, parent=self)
        self._show(view, announce=False)
        self.section_list.setCurrentIndex(self.section_model.index(0, 0))     # builds the first page
        session.session_will_lock.connect(self.autosave.flush)
        session.session_did_lock.connect(self._locked)

    # ---- what is on screen -----------------------------------------------------------------
    @property
    def view(self) -> AssessmentView:
        return self._view

    def screen_answers(self) -> dict[str, JSONValue]:
        """Stored answers with what is typed on top (unreadable typing leaves the stored value)."""
        answers = dict(self._sent)
        for question_id in self._dirty:
            value, problem = self._built[question_id].value()
            if problem is None:
                answers[question_id] = value
        return answers

    # ---- building pages when first needed ------------------------------------------------
    def control(self, question_id: str) -> QuestionControl:
        """The question's control, its page built first if need be; KeyError if no such question."""
        control = self._built.get(question_id)
        if control is None:
            section = self.template.section_of(question_id)
            if section is None:
                raise KeyError(question_id)
            self.build_page(section.id)
            control = self._built[question_id]
        return control

    def build_page(self, section_id: str) -> SectionPage:
        """Build a section's page if it is not built yet, showing the editor's current state:
        the answers as saved (nothing can have been typed there yet), review marks, whether
        it can be changed, which questions are shown, and any error still standing."""
        built = self.section_pages.get(section_id)
        if built is not None:
            return built
        row = next(i for i, s in enumerate(self.template.sections) if s.id == section_id)
        section = self.template.sections[row]
        page = SectionPage(section, self.pages)       # made in place: no reparenting of its tree
        stand_in = self.pages.widget(row)
        current = self.pages.currentIndex()
        self.pages.insertWidget(row, page)
        if stand_in is not None:
            self.pages.removeWidget(stand_in)
            stand_in.deleteLater()
        if current == row:
            self.pages.setCurrentIndex(row)
        self.section_pages[section_id] = page
        page.show_score(self._score_words(section))
        made = page.controls
        marks = self._view.overview.review_marks
        read_only = self._view.read_only_reason is not None
        for question_id, control in made.items():
            self._built[question_id] = control
            control.changed.connect(self._answer_changed)
            control.confirm_requested.connect(self.confirm_copied)
            control.refused.connect(self._change_refused)
            control.input.installEventFilter(self)
            control.set_value(self._sent.get(question_id))
            control.set_review(question_id in marks)
            control.set_read_only(read_only)
            if question_id in self._errors:
                control.show_error(self._errors[question_id])
            if not self._shown.shows(control.question):
                control.setVisible(False)
        # Tab order as if every page were built: after the last input of the nearest earlier
        # built page (or the section list), so the page's inputs come before the commands.
        before: QWidget = self.section_list
        for earlier_section in self.template.sections[:row]:
            earlier = self.section_pages.get(earlier_section.id)
            if earlier is not None and earlier.controls:
                before = list(earlier.controls.values())[-1].inputs()[-1]
        chain = [before] + [w for control in made.values() for w in control.inputs()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        return page

    def _show(self, view: AssessmentView, *, announce: bool = True) -> None:
        self._view = view
        data = view.overview
        for row, section in enumerate(self.template.sections):
            line = section_line(section, data)
            item = self.section_model.item(row)
            item.setText(section_short(section, data))
            item.setData(line, Qt.ItemDataRole.AccessibleTextRole)
            item.setToolTip(line)
            page = self.section_pages.get(section.id)
            if page is not None:
                page.show_score(self._score_words(section))
        reason = view.read_only_reason
        for question_id, control in self._built.items():
            control.set_review(question_id in data.review_marks)
            control.set_read_only(reason is not None)
        notices = [reason] if reason else []
        if view.officer_notice and view.status is AssessmentStatus.SIGNED:
            notices.append(view.officer_notice)      # why Countersign is not offered here
        comments = view.text("return_comments")
        if comments and view.status is not None and view.status.value in ("returned", "open"):
            notices.append(f"Comments from the senior probation officer: {comments}")
        self.notice.setText(" ".join(notices))
        self.notice.setVisible(bool(notices))
        actions = view.actions
        self.sign_button.setVisible(Action.SIGN in actions)
        self.countersign_button.setVisible(Action.COUNTERSIGN in actions)
        self.return_button.setVisible(Action.RETURN in actions)
        self.reopen_button.setVisible(Action.REOPEN in actions)
        self._apply_visibility()
        words = f"{status_words(view.status)}. {view.state.words}."
        self.state_label.setText(f"Status: {words}")
        self.state_label.setAccessibleDescription(
            "Where this assessment stands. Every answer is saved on this laptop as you type.")
        if announce and words != self._state_words:
            self._announcer.polite(self.state_label, words)
        self._state_words = words

    def _score_words(self, section: Section) -> str:
        score = self._view.overview.scores.section(section.id)
        return score_words(score) if score and section.kind is SectionKind.NEEDS else ""

    def _apply_visibility(self) -> None:
        # Nothing typed waiting: the stored answers' visibility, worked out with the view, holds.
        shown = self._view.overview.shown if not self._dirty \
            else visibility(self.template, self.screen_answers())
        self._shown = shown
        for row, section in enumerate(self.template.sections):
            self.section_list.setRowHidden(row, not shown.shows_section(section))
        for control in self._built.values():
            if control.isHidden() == shown.shows(control.question):
                control.setVisible(shown.shows(control.question))

    @property
    def state(self) -> RecordState:
        return self._view.state

    # ---- navigation ------------------------------------------------------------------------
    def _section_chosen(self, current: Index, _previous: Index) -> None:
        if current.isValid():
            self.build_page(self.template.sections[current.row()].id)    # before it is shown
            self.pages.setCurrentIndex(current.row())

    def _section_entered(self, index: Index) -> None:
        self._section_chosen(index, index)
        first = self.build_page(self.template.sections[index.row()].id).first_input()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_question(self, question_id: str) -> None:
        """Show the question's section and put the cursor in its answer."""
        section = self.template.section_of(question_id)
        if section is None:
            return
        control = self.control(question_id)
        row = [s.id for s in self.template.sections].index(section.id)
        self.section_list.setCurrentIndex(self.section_model.index(row, 0))
        self.pages.setCurrentIndex(row)
        control.focus_input()
        self.build_page(section.id).ensureWidgetVisible(control)

    def current_question(self) -> str | None:
        focused = self.focusWidget()
        return next((qid for qid, c in self._built.items() if c.input is focused), None)

    def next_unanswered(self) -> None:
        found = next_unanswered(self.template, self.screen_answers(), self.current_question())
        if found is None:
            self._announcer.polite(self.state_label, "Every question shown has an answer.")
            return
        self.focus_question(found.question_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.autosave.flush()
        elif event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            page = self.pages.currentWidget()
            if isinstance(page, SectionPage) and page.isAncestorOf(watched):
                page.ensureWidgetVisible(watched)
        return super().eventFilter(watched, event)

    # ---- saving ----------------------------------------------------------------------------
    def _answer_changed(self, question_id: str) -> None:
        self._dirty.add(question_id)
        self.autosave.poke()
        if self._built[question_id].is_choice:
            self._apply_visibility()

    def _commit(self) -> None:
        changes: dict[str, JSONValue] = {}
        problems: dict[str, str] = {}
        for question_id in sorted(self._dirty):
            value, problem = self._built[question_id].value()
            if problem is not None:
                problems[question_id] = problem
            elif self._sent.get(question_id) != value:
                changes[question_id] = value
        try:
            saved = self._assessments.save_answers(self.assessment_id, changes)
        except KnownError as exc:
            self.banner.setText(exc.plain())
            self.banner.setVisible(True)
            self._announcer.assertive(self.banner, exc.plain())
            self.autosave.retry_later()
            return
        if self.banner.isVisibleTo(self):
            self.banner.setVisible(False)
            self._announcer.polite(self.state_label, "Saved again.")
        if saved.refusal is not None:
            self._announcer.assertive(self.notice, saved.refusal)
            self._show(self._assessments.get(self.assessment_id))
            return
        errors = {**problems, **{e.field: e.message for e in saved.errors}}
        self._sent.update({k: v for k, v in changes.items() if k not in errors})
        self._dirty = set(problems)
        for question_id in set(self._errors) | set(errors):
            if question_id in self._built:      # an unbuilt page shows its errors when built
                self._built[question_id].show_error(errors.get(question_id, ""))
        self._errors = errors
        self._show(self._assessments.get(self.assessment_id))

    def confirm_copied(self, question_id: str) -> None:
        self.autosave.flush()
        saved = self._assessments.confirm(self.assessment_id, question_id)
        if saved.refusal:
            self._announcer.assertive(self.notice, saved.refusal)
            return
        self._show(self._assessments.get(self.assessment_id))
        self._announcer.polite(self.state_label, "Answer confirmed.")
        self.control(question_id).focus_input()

    def _change_refused(self, _question_id: str) -> None:
        self._announcer.assertive(self.notice, self._view.read_only_reason or "This cannot be changed.")

    def refresh_state(self) -> None:
        """Re-read the record after a sync: new status, and answers changed elsewhere."""
        if not self._session.unlocked:
            return
        self.autosave.flush()
        view = self._assessments.get(self.assessment_id)
        for question_id, value in view.overview.answers.items():
            if question_id in self._built and question_id not in self._dirty \
                    and self._sent.get(question_id) != value:
                self._built[question_id].set_value(value)
        self._sent = dict(view.overview.answers)
        # The service's change signal brings this editor here in the middle of its own
        # workflow step: that step announces its outcome, so the new status is not said too.
        self._show(view, announce=not self._acting)

    # ---- workflow --------------------------------------------------------------------------
    def _ready(self) -> bool:
        """Flush first; a save that failed (disk full) stops any workflow step."""
        self.autosave.flush()
        return not self.banner.isVisibleTo(self)

    def request_sign(self) -> SignDialog | None:
        if not self._ready():
            return None
        view = self._assessments.get(self.assessment_id)
        dialog = SignDialog(view, {q: m for q, m in self._errors.items()}, self._announcer, self)
        dialog.jump_requested.connect(self._jump_to)
        dialog.confirmed.connect(self._sign)
        self._open_dialog(dialog)
        return dialog

    def _jump_to(self, question_id: str) -> None:
        # Its page is built before the window is asked to take focus back: built after that
        # request (offscreen, where nothing else re-activates), the editor never became active
        # again and the question never got the focus; built first, events go as before pages
        # were built when first needed.
        if question_id in self.controls:
            self.control(question_id)
        self.activateWindow()            # the dialog has closed: back to the editor, at the question
        self.focus_question(question_id)

    def _sign(self) -> None:
        with self._own_step():
            result = self._assessments.sign(self.assessment_id)
        self._show(result.view, announce=False)      # one announcement: the outcome's, below
        if not result.ok:
            self._announcer.assertive(self.notice, result.refusal or "Not signed.")
            self.request_sign()
            return
        self._announcer.polite(self.state_label, "Signed. It will be sent at the next sync for a "
                                                 "senior probation officer to countersign.")
        self.activateWindow()
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def request_countersign(self) -> CountersignDialog | None:
        if not self._ready():
            return None
        dialog = CountersignDialog(self._assessments.get(self.assessment_id), self)
        dialog.confirmed.connect(self._countersign)
        self._open_dialog(dialog)
        return dialog

    def _countersign(self) -> None:
        with self._own_step():
            result = self._assessments.countersign(self.assessment_id)
        self._show(result.view, announce=False)      # one announcement: the outcome's, below
        if not result.ok:
            self._announcer.assertive(self.notice, result.refusal or "Not countersigned.")
            return
        level = (f" The central system sets the case's risk of serious harm register to "
                 f"{result.register_level.words} when it receives this.") if result.register_level else ""
        self._announcer.polite(self.state_label, f"Countersigned and locked.{level}")
        self.activateWindow()
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def request_return(self) -> ReturnDialog | None:
        if not self._ready():
            return None
        dialog = ReturnDialog(self._return_for_changes, self._announcer, self)
        dialog.returned.connect(self._returned)
        self._open_dialog(dialog)
        return dialog

    def _return_for_changes(self, comments: str) -> WorkflowResult:
        with self._own_step():
            return self._assessments.return_for_changes(self.assessment_id, comments)

    @contextlib.contextmanager
    def _own_step(self) -> Iterator[None]:
        self._acting += 1
        try:
            yield
        finally:
            self._acting -= 1

    def _returned(self) -> None:
        self._show(self._assessments.get(self.assessment_id), announce=False)
        self._announcer.polite(self.state_label, "Returned to the assessor with your comments.")
        self.activateWindow()
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def reopen(self) -> None:
        with self._own_step():
            result = self._assessments.reopen(self.assessment_id)
        self._show(result.view, announce=False)
        if not result.ok:
            self._announcer.assertive(self.notice, result.refusal or "Not reopened.")
            return
        self._announcer.polite(self.state_label, "Reopened. Make the changes asked for, then sign again.")
        self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    # ---- export ----------------------------------------------------------------------------
    def _export_clicked(self) -> None:
        self.export_pdf()

    def export_pdf(self, path: Path | None = None) -> Path | None:
        if not self._ready():
            return None
        if path is None:
            suggested = f"Assessment {self._view.fields.get('started_on') or ''}.pdf".replace(" .", ".")
            chosen, _filter = QFileDialog.getSaveFileName(self, "Export the assessment to PDF",
                                                          suggested, "PDF files (*.pdf)")
            if not chosen:
                return None
            path = Path(chosen)
        try:
            write_assessment_pdf(self._assessments.get(self.assessment_id), self.case_title, path)
        except OSError:
            message = "The PDF could not be written there. Choose another folder."
            self._announcer.assertive(self.notice, message)
            return None
        self._announcer.polite(self.state_label, f"Exported to {path.name}.")
        return path

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
            if self.dialog is not None:
                self.dialog.close()
            self._session.session_will_lock.disconnect(self.autosave.flush)
            self._session.session_did_lock.disconnect(self._locked)
            self.editor_did_close.emit(self.assessment_id)
        event.accept()
