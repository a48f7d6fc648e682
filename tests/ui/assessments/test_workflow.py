"""Signing, countersigning, returning and reopening from the editor, by keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.domain.assessment import QuestionKind, Template, answer_field
from caseclient.domain.schema import AssessmentStatus
from caseclient.services.assessments import AssessmentService
from caseclient.ui.announce import Announcement
from caseclient.ui.assessments.dialogs import CountersignDialog, ReturnDialog, SignDialog
from caseclient.ui.assessments.editor import AssessmentEditor
from tests.ui.assessments.answers import complete_answers
from tests.ui.assessments.conftest import SPO, Desk, OpenEditor
from tests.ui.conftest import OFFSCREEN_ONLY

pytestmark = OFFSCREEN_ONLY


def _press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
           ) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key, modifier)


def _answer_by_keyboard(qtbot: QtBot, editor: AssessmentEditor) -> None:
    """Type an answer into the focused question, as an officer would."""
    widget = QApplication.focusWidget()
    question_id = editor.current_question()
    assert widget is not None and question_id is not None
    kind = editor.template.question(question_id).kind  # type: ignore[union-attr]
    if isinstance(widget, QComboBox):
        qtbot.keyClick(widget, Qt.Key.Key_Down)        # the first answer after "Not answered"
    elif kind is QuestionKind.DATE:
        qtbot.keyClicks(widget, "01/11/2026")
    elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
        qtbot.keyClicks(widget, "Seen twice.")


def _sign_dialog(qtbot: QtBot, editor: AssessmentEditor) -> SignDialog:
    qtbot.waitUntil(lambda: editor.dialog is not None)     # a mnemonic clicks after a short flash
    dialog = editor.dialog
    assert isinstance(dialog, SignDialog)
    return dialog


def test_a_whole_assessment_by_keyboard_alone_then_signed(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService,
        heard: list[Announcement]) -> None:
    editor = open_editor()
    for _ in range(400):
        _press(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
        if heard and heard[-1].text == "Every question shown has an answer.":
            break
        _answer_by_keyboard(qtbot, editor)
    else:
        raise AssertionError("Ctrl+J never ran out of unanswered questions")
    assert assessments.get(editor.assessment_id).overview.problems == ()

    _press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    dialog = _sign_dialog(qtbot, editor)
    assert dialog.summary is not None and dialog.confirm_box is not None
    qtbot.waitUntil(dialog.summary.hasFocus)
    summary = dialog.summary.toPlainText()
    assert "Overall risk of serious harm: Low." in summary and "OGRS3" in summary
    assert not dialog.sign_button.isEnabled()
    _press(qtbot, Qt.Key.Key_Tab)
    assert dialog.confirm_box.hasFocus()
    _press(qtbot, Qt.Key.Key_Space)
    _press(qtbot, Qt.Key.Key_Tab)
    assert dialog.sign_button.hasFocus() and dialog.sign_button.isEnabled()
    before = len(heard)
    _press(qtbot, Qt.Key.Key_Space)

    view = assessments.get(editor.assessment_id)
    assert view.status is AssessmentStatus.SIGNED and view.fields["signed_by"] == "PO1"
    assert editor.state_label.text().startswith("Status: Signed: waiting for a senior probation officer")
    assert [a.text for a in heard[before:]] == [       # said once, not also as the new status
        "Signed. It will be sent at the next sync for a senior probation officer to countersign."]
    assert not editor.sign_button.isVisibleTo(editor)
    assert "signed and waiting" in editor.notice.text()


def test_signing_lists_every_problem_and_each_goes_to_its_question(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService, template: Template,
        heard: list[Announcement]) -> None:
    editor = open_editor()
    answers = complete_answers(template)
    del answers["s4.q3"], answers["sp.obj1.objective"]
    assessments.save_answers(editor.assessment_id, answers)
    editor.refresh_state()
    editor.focus_question("s1.offence_date")
    date = editor.controls["s1.offence_date"].input
    assert isinstance(date, QLineEdit)
    date.selectAll()
    qtbot.keyClicks(date, "32/01/2026")                 # on screen, not a date: listed first
    dialog = editor.request_sign()
    assert isinstance(dialog, SignDialog) and dialog.summary is None
    assert list(dialog.problem_buttons) == ["s1.offence_date", "s4.q3", "sp.obj1.objective"]
    assert heard[-1].assertive and heard[-1].text.startswith("3 answers need attention")
    first = dialog.problem_buttons["s1.offence_date"]
    qtbot.waitUntil(first.hasFocus)
    button = dialog.problem_buttons["s4.q3"]
    assert button.accessibleDescription().endswith("this question needs an answer.")
    _press(qtbot, Qt.Key.Key_Tab)
    assert button.hasFocus()
    _press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: editor.dialog is None)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.controls["s4.q3"].input)
    assert editor.pages.currentWidget() is editor.section_pages["s4"]
    assert assessments.get(editor.assessment_id).status is AssessmentStatus.OPEN


def _signed_editor(open_editor: OpenEditor, assessments: AssessmentService, template: Template,
                   case_id: str, risk: str = "HIGH") -> str:
    assessment_id = assessments.start(case_id).view.assessment_id
    assessments.save_answers(assessment_id, complete_answers(template, risk=risk))
    assert assessments.sign(assessment_id).ok
    return assessment_id


def test_an_spo_countersigns_which_locks_it_and_says_the_register_follows(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService, template: Template,
        desk: Desk, case_ids: dict[str, str], services: AppServices,
        heard: list[Announcement]) -> None:
    assessment_id = _signed_editor(open_editor, assessments, template, case_ids["ann"])
    editor = open_editor(assessment_id)
    assert not editor.countersign_button.isVisibleTo(editor)     # the assessor cannot
    desk.officer = SPO
    editor.refresh_state()
    assert editor.countersign_button.isVisibleTo(editor) and editor.return_button.isVisibleTo(editor)
    qtbot.keyClick(editor, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: editor.dialog is not None)
    dialog = editor.dialog
    assert isinstance(dialog, CountersignDialog)
    assert "Signed by PO1" in dialog.intro.text()
    dialog.confirm_box.setChecked(True)
    before = len(heard)
    qtbot.keyClick(dialog.countersign_button, Qt.Key.Key_Space)
    view = assessments.get(assessment_id)
    assert view.status is AssessmentStatus.LOCKED and view.fields["countersigned_by"] == "SPO1"
    assert [a.text for a in heard[before:]] == [       # said once, not also as the new status
        "Countersigned and locked. The central system sets the case's risk of serious harm "
        "register to High when it receives this."]
    rosh = [r for r in services.session.store.records.all("register", case_id=case_ids["ann"])
            if r.fields["register_type"] == "RRSH"]
    assert [r.fields["level"] for r in rosh] == ["VERY_HIGH"]      # until the sync brings it
    assert services.session.store.records.mutations("register", rosh[0].id) == []
    assert not any(b.isVisibleTo(editor) for b in (editor.sign_button, editor.countersign_button,
                                                    editor.return_button, editor.reopen_button))


def test_locked_answers_stay_readable_and_never_change(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService, template: Template,
        desk: Desk, case_ids: dict[str, str], heard: list[Announcement]) -> None:
    assessment_id = _signed_editor(open_editor, assessments, template, case_ids["ann"])
    desk.officer = SPO
    assert assessments.countersign(assessment_id).ok
    editor = open_editor(assessment_id)
    combo = editor.controls["s3.q1"].input
    box = editor.controls["s3.evidence"].input
    assert isinstance(combo, QComboBox) and isinstance(box, QPlainTextEdit)
    assert box.isReadOnly() and combo.isEnabled()
    editor.focus_question("s3.q1")
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "1 – some problems"     # sprang back
    assert heard[-1].assertive and "locked" in heard[-1].text
    editor.focus_question("s3.evidence")
    qtbot.keyClicks(box, "extra")
    editor.close()
    stored = assessments.get(assessment_id).fields
    assert stored[answer_field("s3.q1")] == 1
    assert stored[answer_field("s3.evidence")] == complete_answers(template)["s3.evidence"]


def test_return_needs_comments_then_the_assessor_reopens(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService, template: Template,
        desk: Desk, case_ids: dict[str, str], heard: list[Announcement]) -> None:
    assessment_id = _signed_editor(open_editor, assessments, template, case_ids["ann"])
    desk.officer = SPO
    editor = open_editor(assessment_id)
    dialog = editor.request_return()
    assert isinstance(dialog, ReturnDialog)
    qtbot.waitUntil(dialog.comments.hasFocus)
    qtbot.keyClick(dialog.return_button, Qt.Key.Key_Space)
    assert dialog.error.message == "Say what needs to change before returning the assessment."
    assert dialog.comments.hasFocus() and heard[-1].assertive
    qtbot.keyClicks(dialog.comments, "Say more about the drinking.")
    before = len(heard)
    qtbot.keyClick(dialog.return_button, Qt.Key.Key_Space)
    assert assessments.get(assessment_id).status is AssessmentStatus.RETURNED
    assert [a.text for a in heard[before:]] == ["Returned to the assessor with your comments."]

    desk.officer = Desk().officer
    editor.refresh_state()
    assert "Comments from the senior probation officer: Say more about the drinking." in editor.notice.text()
    assert editor.reopen_button.isVisibleTo(editor)
    qtbot.waitUntil(editor.isActiveWindow)
    qtbot.keyClick(editor, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: assessments.get(assessment_id).status is AssessmentStatus.OPEN)
    assert editor.sign_button.isVisibleTo(editor) and heard[-1].text.startswith("Reopened.")
    editor.focus_question("s9.evidence")
    qtbot.keyClick(editor.controls["s9.evidence"].input, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.controls["s9.evidence"].input, " Drinks daily.")
    editor.close()
    assert str(assessments.get(assessment_id).fields[answer_field("s9.evidence")]).endswith("Drinks daily.")
