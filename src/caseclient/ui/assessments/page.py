"""One section of the template as one page: heading, help, its questions and its score.

A page starts empty and makes its questions in :meth:`SectionPage.build`, which the
editor calls the first time the page is needed (shown, or one of its questions
reached by "next unanswered", a signing problem or a test): opening a long
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
        self.controls: dict[str, QuestionControl] = {}
        self.score: QLabel | None = None
        self._score_words = ""

    @property
    def built(self) -> bool:
        return self.score is not None

    def build(self) -> dict[str, QuestionControl]:
        """Make the heading, help, questions and score (once); the new controls by question id."""
        if self.score is not None:
            return {}
        body = QWidget()
        self.setWidget(body)      # before the questions go in: no reparenting of a whole tree later
        layout = QVBoxLayout(body)
        heading = QLabel(f"<h2>Section {self.section.heading}</h2>", body)
        heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(heading)
        if self.section.help:
            intro = QLabel(self.section.help, body)
            intro.setWordWrap(True)
            layout.addWidget(intro)
        for question in self.section.questions:
            control = QuestionControl(question, body)
            self.controls[question.id] = control
            layout.addWidget(control)
        score = QLabel(body)
        score.setWordWrap(True)
        score.setObjectName("sectionScore")
        layout.addWidget(score)
        layout.addStretch(1)
        self.score = score
        self.show_score(self._score_words)
        return self.controls

    def show_score(self, words: str) -> None:
        """Kept for an unbuilt page, which shows it when built."""
        self._score_words = words
        if self.score is not None:
            self.score.setText(f"Score: {words}." if words else "")
            self.score.setVisible(bool(words))

    def first_input(self) -> QWidget | None:
        shown = [c for c in self.controls.values() if not c.isHidden()]
        return shown[0].input if shown else None
