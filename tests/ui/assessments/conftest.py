"""Assessment editors on the real composition root's session and encrypted store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.domain.assessment import Template
from caseclient.domain.records import Grade, Officer
from caseclient.services.assessments import AssessmentService
from caseclient.ui.announce import Announcement, Announcer
from caseclient.ui.assessments.editor import AssessmentEditor

PO = Officer("PO1", "Pat Officer", Grade.PO, "Team A")
SPO = Officer("SPO1", "Lee Senior", Grade.SPO, "Team A")
CASE_TITLE = "Ann Example (X123456)"


class Desk:
    """Who is at the keyboard; tests hand the laptop from one officer to another."""

    def __init__(self) -> None:
        self.officer = PO

    def __call__(self) -> Officer:
        return self.officer


@pytest.fixture
def desk() -> Desk:
    return Desk()


@pytest.fixture
def assessments(services: AppServices, desk: Desk) -> AssessmentService:
    return AssessmentService.for_session(services.session, services.clock, officer=desk)


@pytest.fixture
def template(assessments: AssessmentService) -> Template:
    found = assessments.registry.latest()
    assert found is not None
    return found


@pytest.fixture
def announcer(heard: list[Announcement]) -> Announcer:
    made = Announcer()
    made.did_announce.connect(heard.append)
    return made


OpenEditor = Callable[..., AssessmentEditor]


@pytest.fixture
def open_editor(qtbot: QtBot, services: AppServices, assessments: AssessmentService,
                announcer: Announcer, case_ids: dict[str, str]) -> OpenEditor:
    def opener(assessment_id: str | None = None) -> AssessmentEditor:
        if assessment_id is None:
            assessment_id = assessments.start(case_ids["ann"]).view.assessment_id
        editor = AssessmentEditor(assessments, services.session, assessments.get(assessment_id),
                                  case_title=CASE_TITLE, announcer=announcer)
        editor.resize(1000, 700)
        editor.show()
        qtbot.waitExposed(editor)
        editor.activateWindow()
        qtbot.waitUntil(editor.isActiveWindow)
        editor.section_list.setFocus()
        qtbot.waitUntil(editor.section_list.hasFocus)
        return editor
    return opener
