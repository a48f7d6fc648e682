"""Needs attention for an assessment: a real conflict on two answers (the officer's laptop and the
central system), settled in the chooser by keyboard. Each answer is named by its section and
question, worded as the editor words it (free text in full), and edited from the same list;
the resolution is queued, reaches the central system, and the assessment editor shows it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QPlainTextEdit
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.domain.assessment import answer_field
from caseclient.storage.outbox import MutationState
from caseclient.ui.announce import Announcement, Announcer
from caseclient.ui.assessments.editor import AssessmentEditor
from caseclient.ui.attention.chooser import ConflictChooser
from caseclient.ui.main_window import MainWindow
from tests.helpers.central import Central
from tests.ui.audit import duplicate_mnemonics, problems
from tests.ui.conftest import OFFSCREEN_ONLY, WAIT_MS, sync_and_wait

pytestmark = OFFSCREEN_ONLY
SCORE = "3. Accommodation: The accommodation is unsuitable"
OFFENCE = "1. Offending information: Describe the current offence or offences"
MINE_TEXT = "Entered a neighbour's flat at night.\nTook a laptop and a bank card.\n" + "More. " * 40
THEIRS_TEXT = "Burglary of a dwelling; the court's summary.\nSecond paragraph from the office."


def _press(qtbot: QtBot, key: Qt.Key) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key)


def _conflicted_assessment(qtbot: QtBot, services: AppServices, central: Central) -> str:
    """Sent once; then the office changes two answers while this laptop changes the same two."""
    assessments = services.assessments
    assessment_id = assessments.start(central.case_id, copy_from_last=False).view.assessment_id
    assert not assessments.save_answers(assessment_id, {"s3.q2": 0, "s1.current_offence": "Draft"}).errors
    sync_and_wait(qtbot, services)
    central.edit("assessment", assessment_id,
                 **{answer_field("s3.q2"): 1, answer_field("s1.current_offence"): THEIRS_TEXT})
    assert not assessments.save_answers(assessment_id, {"s3.q2": 2, "s1.current_offence": MINE_TEXT}).errors
    with qtbot.waitSignal(services.sync.attention_changed, timeout=WAIT_MS) as counted:
        services.sync.sync_now()
    assert counted.args == [1]
    return assessment_id


def test_an_assessment_conflict_is_named_by_its_questions_and_settled_by_keyboard(
        qtbot: QtBot, window: MainWindow, app_services: AppServices, central: Central,
        heard: list[Announcement]) -> None:
    services = app_services
    assessment_id = _conflicted_assessment(qtbot, services, central)

    window.activateWindow()
    control_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_A, control_shift)
    screen = window.attention_screen
    assert screen.table.hasFocus()
    _press(qtbot, Qt.Key.Key_Return)
    chooser = screen.dialog
    assert isinstance(chooser, ConflictChooser)
    qtbot.waitUntil(chooser.isActiveWindow)
    assert problems(chooser) == [] and duplicate_mnemonics(chooser) == []

    # each row is the question (with its section), never the wire name
    assert [f.row.label for f in chooser.fields] == [OFFENCE, SCORE]
    score, offence = chooser.field(answer_field("s3.q2")), chooser.field(answer_field("s1.current_offence"))
    assert score.title() == SCORE and score.accessibleName() == SCORE
    assert score.theirs.accessibleName() == f"Keep theirs for {SCORE}"
    assert all("answer." not in w.accessibleName() for w in chooser.findChildren(type(chooser.fields[0]))
               for w in (w, w.mine_view, w.theirs_view, w.mine, w.theirs, w.edit, w.editor))
    # choices in words, free text in full (multi-line)
    assert (score.mine_view.text(), score.theirs_view.text()) == ("2 – significant problems",
                                                                  "1 – some problems")
    assert isinstance(offence.mine_view, QPlainTextEdit) and isinstance(offence.theirs_view, QPlainTextEdit)
    assert (offence.mine_view.toPlainText(), offence.theirs_view.toPlainText()) == (MINE_TEXT, THEIRS_TEXT)
    # a scored answer is edited by choosing from the same words, starting at mine
    assert isinstance(score.editor, QComboBox)
    assert [score.editor.itemText(i) for i in range(score.editor.count())] == [
        "0 – no problems", "1 – some problems", "2 – significant problems"]
    assert score.editor.currentText() == "2 – significant problems"

    # Tab: yours, theirs, the choice, for each answer in turn, then Settle
    assert offence.mine_view.hasFocus()
    walked = []
    for _ in range(7):
        focused = QApplication.focusWidget()
        assert focused is not None
        walked.append(focused.accessibleName())
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert walked == [f"{OFFENCE}, yours", f"{OFFENCE}, theirs", f"Keep mine for {OFFENCE}",
                      f"{SCORE}, yours", f"{SCORE}, theirs", f"Keep mine for {SCORE}", "Settle"]

    # theirs for the offence; for the score, Edit and choose "0" from the list by keyboard
    offence.mine.setFocus()
    _press(qtbot, Qt.Key.Key_Right)
    _press(qtbot, Qt.Key.Key_Space)
    assert offence.chosen == "theirs"
    score.mine.setFocus()
    _press(qtbot, Qt.Key.Key_Right)
    _press(qtbot, Qt.Key.Key_Right)
    _press(qtbot, Qt.Key.Key_Space)
    assert score.chosen == "edited" and score.editor.isEnabled()
    _press(qtbot, Qt.Key.Key_Tab)
    assert score.editor.hasFocus()
    _press(qtbot, Qt.Key.Key_Home)
    assert score.editor.currentText() == "0 – no problems"
    with qtbot.waitSignal(services.sync.attention_changed, timeout=WAIT_MS) as cleared:
        chooser.resolve_button.click()
    assert cleared.args == [0]
    assert any(a.text.startswith("Settled Assessment") and f"{SCORE} edited" in a.text for a in heard)

    # the resolution is queued, naming the conflict it settles
    mutations = services.session.store.records.mutations("assessment", assessment_id)
    [queued] = [m for m in mutations if m.state is MutationState.PENDING]
    assert queued.resolves is not None
    assert queued.fields == {answer_field("s1.current_offence"): THEIRS_TEXT, answer_field("s3.q2"): 0}

    sync_and_wait(qtbot, services)
    sent = central.fields(assessment_id)
    assert sent is not None
    assert (sent[answer_field("s3.q2")], sent[answer_field("s1.current_offence")]) == (0, THEIRS_TEXT)

    # the assessment editor shows the settled answers
    editor = AssessmentEditor(services.assessments, services.session, services.assessments.get(assessment_id),
                              case_title="Alex Example", announcer=Announcer())
    try:
        assert editor.control("s3.q2").value() == (0, None)
        assert editor.control("s1.current_offence").value() == (THEIRS_TEXT, None)
    finally:
        editor.close()
        editor.deleteLater()
