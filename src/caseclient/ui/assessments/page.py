"""One section of the template as one page: heading, help, its questions and its score.

The editor makes a section's page the first time it is needed (shown, or one of its
questions reached by "next unanswered", a signing problem or a test): opening a long
assessment then builds one page, not every section's ~150 controls.

The page scrolls; the editor keeps the focused question in view (WCAG 2.4.11).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from caseclient.domain.assessment import Section
from caseclient.ui.assessments.controls import QuestionControl


class SectionPage(QScrollArea):
    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName(f"Section {section.heading}")
        body = QWidget()
        self.setWidget(body)      # before the questions go in: no reparenting of a whole tree later
        layout = QVBoxLayout(body)
        self.heading = QLabel(f"<h2>Section {section.heading}</h2>", body)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        if section.help:
            intro = QLabel(section.help, body)
            intro.setWordWrap(True)
            layout.addWidget(intro)
        self.controls: dict[str, QuestionControl] = {}
        for question in section.questions:
            control = QuestionControl(question, body)
            self.controls[question.id] = control
            layout.addWidget(control)
        self.score = QLabel(body)
        self.score.setWordWrap(True)
        self.score.setObjectName("sectionScore")
        self.score.setVisible(False)
        layout.addWidget(self.score)
        layout.addStretch(1)

    def show_score(self, words: str) -> None:
        self.score.setText(f"Score: {words}." if words else "")
        self.score.setVisible(bool(words))

    def first_input(self) -> QWidget | None:
        shown = [c for c in self.controls.values() if not c.isHidden()]
        return shown[0].input if shown else None
