"""The assessment editor: named controls, Tab order, autosave, conditions, next unanswered, review."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.domain.assessment import QuestionKind, Template, answer_field
from caseclient.services.assessments import AssessmentService
from caseclient.ui.announce import Announcement
from caseclient.ui.assessments.editor import AssessmentEditor
from tests.ui.assessments.answers import complete_answers
from tests.ui.assessments.conftest import CASE_TITLE, OpenEditor
from tests.ui.conftest import OFFSCREEN_ONLY, PASSPHRASE

pytestmark = OFFSCREEN_ONLY


def _stored(assessments: AssessmentService, editor: AssessmentEditor, question_id: str) -> object:
    return assessments.get(editor.assessment_id).fields.get(answer_field(question_id))


def test_every_control_is_named_with_its_question_and_help(open_editor: OpenEditor,
                                                            template: Template) -> None:
    editor = open_editor()
    assert len(editor.controls) == sum(len(s.questions) for s in template.sections)
    assert list(editor.section_pages) == [template.sections[0].id], "only the page on screen is built"
    controls = {question.id: editor.controls[question.id] for _, question in template.questions()}
    assert len(editor.section_pages) == len(template.sections), "asking for a control builds its page"
    buddies = {label.buddy() for label in editor.findChildren(QLabel) if label.buddy() is not None}
    for section, question in template.questions():
        control = controls[question.id]
        need = "required" if question.mandatory else "optional"
        assert control.input.accessibleName() == f"{question.text}, {need}"
        assert control.input in buddies
        assert need in control.label.text()
        if question.help:
            assert control.input.accessibleDescription().startswith(question.help)
        expected = {QuestionKind.LONG_TEXT: QPlainTextEdit, QuestionKind.TEXT: QLineEdit,
                    QuestionKind.DATE: QLineEdit}.get(question.kind, QComboBox)
        assert isinstance(control.input, expected), (section.id, question.id)
        if isinstance(control.input, QPlainTextEdit):
            assert control.input.tabChangesFocus()
    date = editor.controls["s1.offence_date"].input
    assert "24/11/2026" in date.accessibleDescription()


def test_tab_goes_from_the_section_list_through_the_page_to_the_commands(
        qtbot: QtBot, open_editor: OpenEditor, template: Template) -> None:
    editor = open_editor()
    first = template.sections[0]
    expected: list[QWidget] = [editor.section_list]
    expected += [editor.controls[q.id].input for q in first.questions]
    expected += [editor.next_button, editor.sign_button, editor.export_button, editor.close_button]
    visited: list[QWidget] = []
    for _ in expected:
        widget = QApplication.focusWidget()
        assert widget is not None
        visited.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert [w.accessibleName() for w in visited] == [w.accessibleName() for w in expected]
    assert QApplication.focusWidget() is editor.section_list, "Tab wraps round: no trap"


def test_arrows_in_the_section_list_turn_the_pages_and_enter_goes_in(
        qtbot: QtBot, open_editor: OpenEditor, template: Template) -> None:
    editor = open_editor()
    qtbot.keyClick(editor.section_list, Qt.Key.Key_Down)
    assert editor.pages.currentWidget() is editor.section_pages[template.sections[1].id]
    assert editor.section_list.hasFocus()
    qtbot.keyClick(editor.section_list, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is editor.controls[template.sections[1].questions[0].id].input


def test_typing_is_saved_after_a_pause_and_choices_by_keyboard(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService,
        heard: list[Announcement]) -> None:
    editor = open_editor()
    offence = editor.controls["s1.current_offence"].input
    offence.setFocus()
    qtbot.keyClicks(offence, "Burglary of a dwelling at night.")
    qtbot.waitUntil(lambda: _stored(assessments, editor, "s1.current_offence")
                    == "Burglary of a dwelling at night.")
    assert offence.hasFocus(), "autosave never moves the cursor"
    assert editor.state_label.text() == "Status: Open: being written. Saved on this laptop."

    editor.focus_question("s3.q1")
    score = editor.controls["s3.q1"].input
    qtbot.keyClick(score, Qt.Key.Key_2)             # "2 – significant problems"
    qtbot.waitUntil(lambda: _stored(assessments, editor, "s3.q1") == 2)
    item = editor.section_model.item(2)
    assert item.text() == "3. Accommodation: In progress (1 of 7), score 4 of 10, a need"
    spoken = item.data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("3. Accommodation: In progress, 1 of 7 answered, 6 required answers missing. "
                             "Weighted score 4 of 10, threshold 2: a criminogenic need")


def test_focus_out_saves_at_once_and_a_bad_date_says_how_to_write_it(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService) -> None:
    editor = open_editor()
    editor.focus_question("s1.offence_date")
    date = editor.controls["s1.offence_date"].input
    qtbot.keyClicks(date, "1/11/26")
    qtbot.keyClick(date, Qt.Key.Key_Tab)            # focus-out saves at once
    assert _stored(assessments, editor, "s1.offence_date") == "2026-11-01"
    editor.focus_question("s1.offence_date")
    date.clear()
    qtbot.keyClicks(date, "31/11/2026")
    qtbot.keyClick(date, Qt.Key.Key_Tab)
    error = editor.controls["s1.offence_date"].error
    assert error.message.startswith("Date as day/month/year")
    assert date.accessibleDescription().startswith("Error: Date as day/month/year")
    assert _stored(assessments, editor, "s1.offence_date") == "2026-11-01"   # the old value stands


def test_closing_saves_and_reopening_shows_every_word_even_after_a_lock(
        qtbot: QtBot, open_editor: OpenEditor, services: AppServices,
        assessments: AssessmentService) -> None:
    editor = open_editor()
    assessment_id = editor.assessment_id
    long_answer = "The offence followed weeks of drinking. " * 40
    box = editor.controls["s1.current_offence"].input
    assert isinstance(box, QPlainTextEdit)
    box.setFocus()
    box.setPlainText(long_answer)                   # a pasted answer
    editor.focus_question("s1.notes")
    qtbot.keyClicks(editor.controls["s1.notes"].input, "Typed just before closing")
    qtbot.keyClick(editor, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert _stored(assessments, editor, "s1.notes") == "Typed just before closing"

    services.session.lock()
    services.session.unlock(PASSPHRASE)
    again = open_editor(assessment_id)
    shown = again.controls["s1.current_offence"].input
    assert isinstance(shown, QPlainTextEdit) and shown.toPlainText() == long_answer
    notes = again.controls["s1.notes"].input
    assert isinstance(notes, QPlainTextEdit) and notes.toPlainText() == "Typed just before closing"


def test_locking_flushes_what_is_typed_and_closes_the_editor(
        qtbot: QtBot, open_editor: OpenEditor, services: AppServices,
        assessments: AssessmentService) -> None:
    editor = open_editor()
    assessment_id = editor.assessment_id
    editor.focus_question("s1.notes")
    qtbot.keyClicks(editor.controls["s1.notes"].input, "Words typed just before the lock")
    services.session.lock()
    qtbot.waitUntil(lambda: not editor.isVisible())
    services.session.unlock(PASSPHRASE)
    stored = assessments.get(assessment_id).fields[answer_field("s1.notes")]
    assert stored == "Words typed just before the lock"


def test_conditional_questions_and_sections_follow_the_answers(
        qtbot: QtBot, open_editor: OpenEditor, template: Template) -> None:
    editor = open_editor()
    rows = [s.id for s in template.sections]
    analysis = rows.index("r2")
    assert editor.section_list.isRowHidden(analysis)
    assert editor.controls["s8.q1"].isHidden()
    editor.focus_question("s8.ever_used")
    qtbot.keyClick(editor.controls["s8.ever_used"].input, Qt.Key.Key_Down)    # Yes
    assert not editor.controls["s8.q1"].isHidden()
    editor.focus_question("r1.current_harm")
    qtbot.keyClick(editor.controls["r1.current_harm"].input, Qt.Key.Key_Down)  # Yes: risk indicated
    assert not editor.section_list.isRowHidden(analysis)
    qtbot.keyClick(editor.controls["r1.current_harm"].input, Qt.Key.Key_Down)  # No
    assert editor.section_list.isRowHidden(analysis)


def test_next_unanswered_goes_to_the_right_question(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService,
        template: Template) -> None:
    editor = open_editor()
    answers = complete_answers(template)
    keep = {k: v for k, v in answers.items() if k not in ("s1.offence_date", "s4.q2", "r3.who")}
    assessments.save_answers(editor.assessment_id, keep)
    editor.refresh_state()
    for expected in ("s1.offence_date", "s4.q2", "r3.who", "s1.offence_date"):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
        assert QApplication.focusWidget() is editor.controls[expected].input, expected
        section = template.section_of(expected)
        assert section is not None and editor.pages.currentWidget() is editor.section_pages[section.id]


def test_copied_answers_are_marked_in_words_and_confirmed_one_by_one(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService, services: AppServices,
        template: Template, case_ids: dict[str, str], heard: list[Announcement]) -> None:
    first = assessments.start(case_ids["ann"]).view.assessment_id
    assessments.save_answers(first, complete_answers(template))
    services.session.store.records.save("assessment", first, {      # as if countersigned
        "status": "locked", "countersigned_at": "2026-06-01T10:00:00Z"})
    editor = open_editor()
    control = editor.controls["s3.q1"]
    assert control.review.isVisibleTo(editor.controls["s3.q1"]) and "copied" in control.label.text()
    assert editor.section_model.item(2).text().endswith(", to review")
    assert "copied answers to review" in editor.section_model.item(2).data(Qt.ItemDataRole.AccessibleTextRole)
    editor.focus_question("s3.q1")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is control.confirm_button
    assert control.confirm_button.accessibleName() == f"Confirm copied answer: {control.question.text}"
    qtbot.keyClick(control.confirm_button, Qt.Key.Key_Space)
    assert "s3.q1" not in assessments.get(editor.assessment_id).overview.review_marks
    assert control.review.isHidden() and heard[-1].text == "Answer confirmed."
    editor.focus_question("s3.q2")                         # changing an answer confirms it too
    qtbot.keyClick(editor.controls["s3.q2"].input, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: "s3.q2" not in assessments.get(editor.assessment_id).overview.review_marks)
    assert editor.windowTitle() == f"{template.title} — {CASE_TITLE}"


def test_pages_are_built_when_first_needed_and_show_the_saved_state(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService,
        template: Template) -> None:
    editor = open_editor()
    assessments.save_answers(editor.assessment_id, {"s5.q1": 2, "s5.evidence": "Rent arrears since May.",
                                                    "s13.physical_health": "no"})
    again = open_editor(editor.assessment_id)
    pages = again.section_pages
    assert "s1" in pages and "s5" not in pages and "s13" not in pages
    row = [s.id for s in template.sections].index("s5")
    assert again.section_model.item(row).text() == "5. Financial management and income: In progress " \
                                                     "(2 of 6), score 2 of 6, a need"   # from the store

    qtbot.keyClick(again.section_list, Qt.Key.Key_End)      # the last section: built when shown
    assert template.sections[-1].id in pages and "s5" not in pages
    again.section_list.setCurrentIndex(again.section_model.index(row, 0))
    assert again.pages.currentWidget() is pages["s5"]
    box = again.controls["s5.evidence"].input
    assert isinstance(box, QPlainTextEdit) and box.toPlainText() == "Rent arrears since May."
    score = again.controls["s5.q1"].input
    assert isinstance(score, QComboBox) and score.currentText() == "2 – significant problems"
    assert pages["s5"].score.text().startswith("Score: weighted score 2 of 6")

    # Tab order as if every page were built: list, this page's inputs, then the commands.
    expected: list[QWidget] = [again.section_list]
    expected += [again.controls[q.id].input for q in template.section("s5").questions]  # type: ignore[union-attr]
    expected += [again.next_button]
    again.section_list.setFocus()
    visited: list[QWidget] = []
    for _ in expected:
        widget = QApplication.focusWidget()
        assert widget is not None
        visited.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert visited == expected

    assert "s13" not in pages
    assert again.controls["s13.health_details"].isHidden(), "conditions hold on a page built later"


def test_next_unanswered_reaches_a_section_opened_by_what_is_typed_and_builds_it(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService,
        template: Template) -> None:
    editor = open_editor()
    answers = complete_answers(template)          # screening all "no": no full analysis
    assessments.save_answers(editor.assessment_id, answers)
    again = open_editor(editor.assessment_id)
    analysis = [s.id for s in template.sections].index("r2")
    assert again.section_list.isRowHidden(analysis) and "r2" not in again.section_pages
    again.focus_question("r1.custody_hostel")     # the screening's last question
    combo = again.controls["r1.custody_hostel"].input
    qtbot.keyClick(combo, Qt.Key.Key_Up)          # "no" → "yes": risk indicated, not saved yet
    assert not again.section_list.isRowHidden(analysis)
    qtbot.keyClick(combo, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is again.controls["r2.current"].input
    assert again.pages.currentWidget() is again.section_pages["r2"]


def test_a_signed_assessment_builds_every_later_page_read_only(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService,
        template: Template) -> None:
    editor = open_editor()
    assessments.save_answers(editor.assessment_id, complete_answers(template))
    assert assessments.sign(editor.assessment_id).ok
    signed = open_editor(editor.assessment_id)
    assert "s9" not in signed.section_pages
    box = signed.controls["s9.evidence"].input
    assert isinstance(box, QPlainTextEdit) and box.isReadOnly()
    assert box.toPlainText() == "Answer to " + template.question("s9.evidence").text  # type: ignore[union-attr]
