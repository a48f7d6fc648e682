"""Widget audit over every generated page and dialog; the PDF export; the case view's list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.domain.assessment import Template
from caseclient.services.assessments import AssessmentService
from caseclient.services.case_detail import CaseDetailService
from caseclient.ui.announce import Announcement, Announcer
from caseclient.ui.assessments.dialogs import CountersignDialog, ReturnDialog, SignDialog
from caseclient.ui.assessments.document import assessment_html
from caseclient.ui.cases.view import CaseView
from tests.ui.assessments.answers import complete_answers
from tests.ui.assessments.conftest import CASE_TITLE, SPO, Desk, OpenEditor
from tests.ui.audit import duplicate_mnemonics, focusable, problems
from tests.ui.conftest import OFFSCREEN_ONLY

pytestmark = OFFSCREEN_ONLY


def _audited(root: QWidget) -> None:
    assert focusable(root), "a screen with nothing to reach by keyboard"
    assert problems(root) == []
    assert duplicate_mnemonics(root) == []


def test_every_generated_page_passes_the_widget_audit(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService, services: AppServices,
        template: Template, case_ids: dict[str, str]) -> None:
    first = assessments.start(case_ids["ann"]).view.assessment_id
    answers = complete_answers(template)
    answers["r1.current_harm"] = "yes"                     # opens the full analysis too
    assessments.save_answers(first, answers)
    services.session.store.records.save("assessment", first, {
        "status": "locked", "countersigned_at": "2026-06-01T10:00:00Z"})
    editor = open_editor()                                   # copied answers: Confirm buttons shown
    for row, section in enumerate(template.sections):
        editor.section_list.setCurrentIndex(editor.section_model.index(row, 0))
        assert editor.pages.currentWidget() is editor.section_pages[section.id]
        _audited(editor)


def test_signing_dialogs_pass_the_widget_audit(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService, template: Template,
        desk: Desk) -> None:
    editor = open_editor()
    listing = editor.request_sign()                         # nothing answered: every problem listed
    assert isinstance(listing, SignDialog) and len(listing.problem_buttons) > 50
    _audited(listing)
    listing.reject()
    assessments.save_answers(editor.assessment_id, complete_answers(template))
    summary = editor.request_sign()
    assert isinstance(summary, SignDialog) and summary.summary is not None
    _audited(summary)
    summary.reject()
    assert assessments.sign(editor.assessment_id).ok
    desk.officer = SPO
    editor.refresh_state()
    _audited(editor)
    countersign = editor.request_countersign()
    assert isinstance(countersign, CountersignDialog)
    _audited(countersign)
    countersign.reject()
    returning = editor.request_return()
    assert isinstance(returning, ReturnDialog)
    _audited(returning)
    returning.reject()


def test_pdf_export_has_every_section_answer_score_and_signature(
        qtbot: QtBot, open_editor: OpenEditor, assessments: AssessmentService, template: Template,
        desk: Desk, tmp_path: Path, heard: list[Announcement]) -> None:
    editor = open_editor()
    answers = complete_answers(template, risk="MEDIUM")
    answers["s3.evidence"] = "Lives with <mother> & sister.\nMoving in March."
    assessments.save_answers(editor.assessment_id, answers)
    assert assessments.sign(editor.assessment_id).ok
    desk.officer = SPO
    assert assessments.countersign(editor.assessment_id).ok
    view = assessments.get(editor.assessment_id)

    html = assessment_html(view, CASE_TITLE)
    assert f"{template.title}: {CASE_TITLE}" in html
    assert f"Template {template.template_id}, version {template.version}." in html
    assert "Status: Locked: countersigned." in html
    assert "<td>PO1</td>" in html and "<td>SPO1</td>" in html
    assert "Lives with &lt;mother&gt; &amp; sister.<br>Moving in March." in html
    assert "Overall risk of serious harm: Medium." in html
    assert "OGRS3" in html and "not calculated" in html
    for section in template.sections:
        assert f"Section {section.heading}" in html
    assert "Objective 1: what should change?" in html            # the sentence plan
    assert "Full analysis" in html and "Not needed." in html     # screening said no

    target = tmp_path / "assessment.pdf"
    assert editor.export_pdf(target) == target
    assert target.read_bytes().startswith(b"%PDF-")
    assert heard[-1].text == "Exported to assessment.pdf."
    assert editor.export_pdf(tmp_path / "no such folder" / "a.pdf") is None
    assert heard[-1].assertive and "could not be written" in heard[-1].text


def test_the_case_view_lists_starts_and_opens_assessments(
        qtbot: QtBot, services: AppServices, assessments: AssessmentService,
        case_ids: dict[str, str], heard: list[Announcement]) -> None:
    announcer = Announcer()
    announcer.did_announce.connect(heard.append)
    detail = CaseDetailService.for_session(services.session, services.clock, services.caseload.reference)
    view = CaseView(detail, services.caseload, services.contacts, clock=services.clock,
                    announcer=announcer, assessments=assessments, session=services.session)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.show_case(case_ids["ann"])
    _audited(view)
    assert view.assessments.rowCount() == 0
    qtbot.keyClick(view.start_assessment_button, Qt.Key.Key_Space)
    windows = view.assessment_windows
    assert windows is not None and len(windows.editors) == 1
    editor = next(iter(windows.editors.values()))
    assert editor.case_title == "Ann Example (X123456)"
    assert heard[-1].text == "Assessment started."
    assert view.assessments.rowCount() == 1
    assert view.assessments.cells(0)[2] == "Open: being written"
    editor.close()
    assert windows.editors == {}
    view.assessment_table.setFocus()
    view.assessment_table.setCurrentIndex(view.assessments.index(0, 0))
    qtbot.keyClick(view.assessment_table, Qt.Key.Key_Return)
    assert list(windows.editors) == [editor.assessment_id]
    reopened = windows.editors[editor.assessment_id]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is reopened.section_list)
    reopened.close()


def test_without_the_assessment_service_the_case_view_is_as_before(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str]) -> None:
    detail = CaseDetailService.for_session(services.session, services.clock, services.caseload.reference)
    view = CaseView(detail, services.caseload, services.contacts, clock=services.clock,
                    announcer=Announcer())
    qtbot.addWidget(view)
    view.show()
    view.show_case(case_ids["ann"])
    assert view.assessment_windows is None
    assert not view.assessment_table.isVisibleTo(view)
    assert not view.start_assessment_button.isVisibleTo(view)
