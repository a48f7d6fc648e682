"""Assessments reached from the real main window (real services, real SQLCipher store), by keyboard.

File → New assessment (Ctrl+Shift+N) on the open case starts one; every pause in typing
saves it; Alt+S signs after the summary and confirmation; once the store knows an SPO
is signed in on this laptop, a sync's refresh offers Countersign and Alt+C locks it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.domain.assessment import QuestionKind, locked_overall_risk
from caseclient.domain.records import Grade, Officer
from caseclient.domain.schema import AssessmentStatus
from caseclient.services.assessments import GRADE_UNKNOWN
from caseclient.ui.announce import Announcement
from caseclient.ui.assessments.dialogs import CountersignDialog, SignDialog
from caseclient.ui.assessments.editor import AssessmentEditor
from caseclient.ui.main_window import MainWindow
from tests.ui.assessments.answers import complete_answers
from tests.ui.conftest import OFFSCREEN_ONLY, open_window

pytestmark = OFFSCREEN_ONLY
PO = Officer("PO1", "Pat Officer", Grade.PO, "North")
SPO = Officer("SPO1", "Lee Senior", Grade.SPO, "North")
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def _press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
           ) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key, modifier)


def _only_editor(window: MainWindow) -> AssessmentEditor:
    windows = window.case_view.assessment_windows
    assert windows is not None
    [editor] = windows.editors.values()
    return editor


def _register_rows(window: MainWindow) -> list[tuple[str, ...]]:
    registers = window.case_view.registers
    return [registers.cells(i) for i in range(registers.rowCount())]


def _answer_by_keyboard(qtbot: QtBot, editor: AssessmentEditor) -> None:
    widget = QApplication.focusWidget()
    question_id = editor.current_question()
    assert widget is not None and question_id is not None
    question = editor.template.question(question_id)
    assert question is not None
    if isinstance(widget, QComboBox):
        qtbot.keyClick(widget, Qt.Key.Key_Down)        # the first answer after "Not answered"
    elif question.kind is QuestionKind.DATE:
        qtbot.keyClicks(widget, "01/11/2026")
    elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
        qtbot.keyClicks(widget, "Seen twice.")


def _start_from_the_case(qtbot: QtBot, services: AppServices, case_id: str,
                         heard: list[Announcement]) -> tuple[MainWindow, AssessmentEditor]:
    window = open_window(qtbot, services, heard)
    window.open_case(case_id)
    qtbot.waitUntil(window.case_view.register_table.hasFocus)
    _press(qtbot, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    editor = _only_editor(window)
    qtbot.waitExposed(editor)
    qtbot.waitUntil(editor.section_list.hasFocus)
    return window, editor


def test_new_assessment_needs_an_open_case(qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
                                           heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    assert window.new_assessment_action.isEnabled()
    assert window.new_assessment_action.shortcut().toString() == "Ctrl+Shift+N"
    window.new_assessment_action.trigger()
    assert heard[-1].text == "Open a case first, then start a new assessment."
    assert services.assessments.for_case(case_ids["ann"]) == []


def test_started_answered_autosaved_signed_then_countersigned_by_an_spo_from_the_main_window(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    services.session.store.set_officer(PO)
    window, editor = _start_from_the_case(qtbot, services, case_ids["ann"], heard)
    assert any(a.text == "Assessment started." for a in heard)
    assert window.case_view.assessments.rowCount() == 1       # listed on the case at once

    for _ in range(400):
        _press(qtbot, Qt.Key.Key_J, CTRL)
        if heard[-1].text == "Every question shown has an answer.":
            break
        _answer_by_keyboard(qtbot, editor)
    else:
        raise AssertionError("Ctrl+J never ran out of unanswered questions")
    # Autosaved on its own (no Save, no flush): the store has every answer needed to sign.
    qtbot.waitUntil(lambda: services.assessments.get(editor.assessment_id).overview.problems == (),
                    timeout=2000)

    _press(qtbot, Qt.Key.Key_S, ALT)
    qtbot.waitUntil(lambda: editor.dialog is not None)
    dialog = editor.dialog
    assert isinstance(dialog, SignDialog) and dialog.confirm_box is not None
    qtbot.waitUntil(lambda: dialog.summary is not None and dialog.summary.hasFocus())
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_Space, Qt.Key.Key_Tab):
        _press(qtbot, key)
    before = len(heard)
    _press(qtbot, Qt.Key.Key_Space)
    view = services.assessments.get(editor.assessment_id)
    assert view.status is AssessmentStatus.SIGNED and view.fields["signed_by"] == "PO1"
    # Said once: the case view's refresh (the service's change signal) does not say the new
    # status as well, in the middle of the editor's own step.
    assert [a.text for a in heard[before:]] == [
        "Signed. It will be sent at the next sync for a senior probation officer to countersign."]
    assert not editor.countersign_button.isVisibleTo(editor)

    # The SPO signs in on this laptop; after the sync the open editor offers Countersign.
    services.session.store.set_officer(SPO)
    window.records_did_change()
    assert editor.countersign_button.isVisibleTo(editor)
    registers_before = _register_rows(window)
    qtbot.waitUntil(editor.isActiveWindow)
    qtbot.keyClick(editor, Qt.Key.Key_C, ALT)
    qtbot.waitUntil(lambda: editor.dialog is not None)
    countersign = editor.dialog
    assert isinstance(countersign, CountersignDialog)
    qtbot.waitUntil(countersign.summary.hasFocus)
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_Space, Qt.Key.Key_Tab):
        _press(qtbot, key)
    before = len(heard)
    _press(qtbot, Qt.Key.Key_Space)
    view = services.assessments.get(editor.assessment_id)
    assert view.status is AssessmentStatus.LOCKED and view.fields["countersigned_by"] == "SPO1"
    assert [a.text[:25] for a in heard[before:]] == ["Countersigned and locked."]
    # Before any sync the case shows the new level on the locked assessment; its register
    # keeps the old level until the central system's, set with the lock, arrives.
    row = window.case_view.assessments.cells(0)
    assert any("Locked" in cell for cell in row)
    level = locked_overall_risk(view.fields)
    assert level is not None and level.words in row
    assert _register_rows(window) == registers_before


def test_an_assessment_opens_from_the_case_list_and_an_unknown_grade_is_explained(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    assessments = services.assessments
    store = services.session.store
    store.set_officer(SPO)
    started = assessments.start(case_ids["ann"], copy_from_last=False).view
    assessments.save_answers(started.assessment_id, complete_answers(started.template))
    assert assessments.sign(started.assessment_id).ok
    store.set_officer_code("SPO1")          # a profile from before grades were kept
    window = open_window(qtbot, services, heard)
    window.open_case(case_ids["ann"])
    table = window.case_view.assessment_table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    table.setCurrentIndex(window.case_view.assessments.index(0, 0))
    _press(qtbot, Qt.Key.Key_Return)
    editor = _only_editor(window)
    qtbot.waitUntil(editor.section_list.hasFocus)
    assert GRADE_UNKNOWN in editor.notice.text()
    assert not editor.countersign_button.isVisibleTo(editor)
    assert window.open_assessment(started.assessment_id) is editor          # raised, not a second one
    assert editor.windowTitle() == "Risk and needs assessment — Ann Example (X123456)"
