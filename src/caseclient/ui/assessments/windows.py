"""The open assessment editors: one window per assessment, raised if already open."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from caseclient.errors import KnownError
from caseclient.services.assessments import AssessmentService, AssessmentView
from caseclient.services.session import SessionService
from caseclient.ui.announce import Announcer
from caseclient.ui.assessments.editor import AssessmentEditor


class AssessmentWindows(QObject):
    def __init__(self, assessments: AssessmentService, session: SessionService, announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._assessments = assessments
        self._session = session
        self._announcer = announcer
        self._parent = parent
        self.editors: dict[str, AssessmentEditor] = {}

    def open(self, assessment_id: str, case_title: str, *,
             view: AssessmentView | None = None) -> AssessmentEditor | None:
        """``view``: the record just read by the caller, so it is not decrypted and scored twice."""
        editor = self.editors.get(assessment_id)
        if editor is None:
            try:
                if view is None or view.assessment_id != assessment_id:
                    view = self._assessments.get(assessment_id)
            except KnownError as exc:
                self._announcer.assertive(self._parent or self, exc.plain())
                return None
            editor = AssessmentEditor(self._assessments, self._session, view, case_title=case_title,
                                      announcer=self._announcer)
            editor.editor_did_close.connect(self._closed)
            self.editors[assessment_id] = editor
            if self._parent is not None:
                window = self._parent.window()
                editor.resize(window.width(), window.height())
            editor.show()
        else:
            editor.raise_()
        editor.activateWindow()
        editor.section_list.setFocus(Qt.FocusReason.OtherFocusReason)
        return editor

    def start(self, case_id: str, case_title: str) -> AssessmentEditor | None:
        """Start a new assessment on the case and open it, saying what was copied and replaced."""
        try:
            started = self._assessments.start(case_id)
        except KnownError as exc:
            self._announcer.assertive(self._parent or self, exc.plain())
            return None
        editor = self.open(started.view.assessment_id, case_title)
        copied = len(started.view.overview.review_marks)
        words = ["Assessment started."]
        if copied:
            words.append(f"{copied} answers copied from the last locked assessment, each to review.")
        if started.superseded:
            words.append("The unfinished older assessment was closed as superseded.")
        if editor is not None:
            self._announcer.polite(editor.state_label, " ".join(words))
        return editor

    def refresh(self) -> None:
        """After a sync: every open editor re-reads its record."""
        for editor in list(self.editors.values()):
            editor.refresh_state()

    def _closed(self, assessment_id: str) -> None:
        self.editors.pop(assessment_id, None)
