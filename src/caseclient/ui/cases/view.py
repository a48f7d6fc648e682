"""The case view: who the person is, their risk flags first, then everything else.

Registers lead because an officer on a home visit must see them before anything
else; each carries its review state in words and the page says how old our copy
is (never silently stale). Enter on a contact opens it; Ctrl+N starts a new one.
Given the assessment service and the session, the view also lists the case's
assessments (Enter opens one in its editor window) and can start a new one.
The scroll area keeps the focused table in view (WCAG 2.4.11).
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseclient.services.assessments import AssessmentService
from caseclient.services.case_detail import CaseDetail, CaseDetailService
from caseclient.services.caseload import CaseloadService
from caseclient.services.clock import Clock
from caseclient.services.contacts import ContactSaved, ContactService
from caseclient.services.session import SessionService
from caseclient.ui.announce import Announcer
from caseclient.ui.assessments.windows import AssessmentWindows
from caseclient.ui.cases.rows import (
    APPOINTMENT_HEADERS,
    ASSESSMENT_HEADERS,
    CONTACT_HEADERS,
    EVENT_HEADERS,
    REGISTER_HEADERS,
    appointment_row,
    assessment_row,
    contact_row,
    event_row,
    register_row,
)
from caseclient.ui.formats import age_words, uk_date
from caseclient.ui.forms import buddy_label, name
from caseclient.ui.tables import RowsModel, current_key, word_table


def _heading(text: str, level: int = 2) -> QLabel:
    label = QLabel(f"<h{level}>{text}</h{level}>")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class CaseView(QWidget):
    contact_opened = Signal(str)            # contact id
    new_contact_requested = Signal(str)     # case id
    back_requested = Signal()

    def __init__(self, detail: CaseDetailService, caseload: CaseloadService, contacts: ContactService,
                 *, clock: Clock, announcer: Announcer, assessments: AssessmentService | None = None,
                 session: SessionService | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._detail = detail
        self._caseload = caseload
        self._contacts = contacts
        self._clock = clock
        self._announcer = announcer
        self.case_id: str | None = None
        self.case_title = ""
        self.setAccessibleName("Case")

        self.title = _heading("", 1)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.freshness = QLabel()
        self.freshness.setWordWrap(True)
        self.freshness.setObjectName("freshness")
        self.new_button = QPushButton("&New contact")
        name(self.new_button, "New contact", "Start recording a contact on this case (Ctrl+N).")
        self.back_button = QPushButton("&Back to caseload")
        name(self.back_button, "Back to caseload")
        self.new_button.clicked.connect(self._new_contact)
        self.back_button.clicked.connect(self.back_requested)

        self.registers = RowsModel(REGISTER_HEADERS)
        self.events = RowsModel(EVENT_HEADERS)
        self.contacts = RowsModel(CONTACT_HEADERS)
        self.appointments = RowsModel(APPOINTMENT_HEADERS)
        self.register_table = word_table(self.registers)
        self.event_table = word_table(self.events)
        self.contact_table = word_table(self.contacts)
        self.appointment_table = word_table(self.appointments)
        self.contact_table.activated.connect(self._open_contact)
        self._assessments = assessments
        self.assessment_windows = (AssessmentWindows(assessments, session, announcer, self)
                                   if assessments is not None and session is not None else None)
        self.assessments = RowsModel(ASSESSMENT_HEADERS)
        self.assessment_table = word_table(self.assessments)
        self.assessment_table.activated.connect(self._open_assessment)
        self.start_assessment_button = QPushButton("Start assess&ment")
        name(self.start_assessment_button, "Start assessment",
             "Start a new risk and needs assessment; answers come forward from the last locked one.")
        self.open_assessment_button = QPushButton("O&pen assessment")
        name(self.open_assessment_button, "Open assessment", "Open the assessment chosen in the list.")
        self.start_assessment_button.clicked.connect(self.start_assessment)
        self.open_assessment_button.clicked.connect(self._open_assessment)

        body = QWidget()
        layout = QVBoxLayout(body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(buttons)
        sections: list[tuple[str, QTableView, str, str]] = [
            ("&Registers", self.register_table, "Registers",
             "Risk flags, most important first, with review dates."),
            ("&Events and requirements", self.event_table, "Events and requirements", ""),
            ("Con&tacts", self.contact_table, "Contacts",
             "Newest first. Enter opens a contact."),
            ("&Appointments ahead", self.appointment_table, "Appointments ahead", ""),
        ]
        for index, (text, table, accessible, description) in enumerate(sections):
            label = buddy_label(text, table, accessible, description)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setObjectName("sectionHeading")
            layout.addWidget(label)
            if index == 0:
                layout.addWidget(self.freshness)
            layout.addWidget(table)
        label = buddy_label("Assessments", self.assessment_table, "Assessments",
                            "Newest first. Enter opens an assessment.")
        label.setObjectName("sectionHeading")
        row = QHBoxLayout()
        row.addWidget(self.start_assessment_button)
        row.addWidget(self.open_assessment_button)
        row.addStretch(1)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(self.assessment_table)
        assessment_widgets: list[QWidget] = [self.start_assessment_button, self.open_assessment_button,
                                             self.assessment_table]
        if self.assessment_windows is None:      # not wired: the section is not shown at all
            for widget in (label, *assessment_widgets):
                widget.setVisible(False)
            assessment_widgets = []
        layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(body)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        order = [self.new_button, self.back_button, self.register_table, self.event_table,
                 self.contact_table, self.appointment_table, *assessment_widgets]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._keep_in_view)
        contacts.contact_did_save.connect(self._contact_saved)
        contacts.contact_did_finish.connect(lambda _view: self.refresh())
        if assessments is not None:
            assessments.assessment_did_change.connect(self._assessments_changed)
            assessments.assessment_did_start.connect(self._assessments_changed)

    # ---- data ------------------------------------------------------------------------------
    def show_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.refresh()
        self.register_table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._announcer.polite(self, self.summary())

    def clear(self) -> None:
        self.case_id = None
        for model in (self.registers, self.events, self.contacts, self.appointments, self.assessments):
            model.set_rows([])
        self.title.setText("")
        self.facts.setText("")
        self.freshness.setText("")

    def refresh(self) -> None:
        if self.case_id is None:
            return
        detail = self._detail.detail(self.case_id)
        reference = self._caseload.reference()
        person = detail.person
        self.title.setText(f"<h1>{person.display_name} — {person.crn}</h1>")
        self.case_title = f"{person.display_name} ({person.crn})"
        facts = [f"CRN {person.crn}"]
        if person.date_of_birth:
            facts.append(f"born {uk_date(person.date_of_birth)}")
        if person.tier:
            facts.append(f"tier {person.tier}")
        if person.address:      # kept as lines centrally; one line of facts here
            facts.extend(line.strip() for line in person.address.splitlines() if line.strip())
        if person.phone:
            facts.append(f"phone {person.phone}")
        self.facts.setText(", ".join(facts))
        self.freshness.setText(self._freshness_words(detail))
        self.registers.set_rows([register_row(r, detail.today) for r in detail.registers])
        self.events.set_rows([event_row(e) for e in detail.events])
        self.contacts.set_rows([contact_row(c, reference) for c in self._contacts.for_case(self.case_id)])
        self.appointments.set_rows([appointment_row(a) for a in detail.appointments_ahead])
        if self.assessment_windows is not None and self._assessments is not None:
            self.assessments.set_rows([assessment_row(a) for a in self._assessments.for_case(self.case_id)])
            self.assessment_windows.refresh()

    def _freshness_words(self, detail: CaseDetail) -> str:
        if not detail.registers:
            prefix = "No registers recorded."
        else:
            overdue = sum(1 for r in detail.registers if r.overdue)
            prefix = f"{len(detail.registers)} register{'s' if len(detail.registers) != 1 else ''}"
            prefix += f", {overdue} with review overdue." if overdue else "."
        if detail.refreshed_at is None:
            return f"{prefix} Not yet refreshed from the central system."
        age = age_words(self._clock() - detail.refreshed_at)
        if detail.stale:
            return f"{prefix} Possibly out of date: last refreshed {age}. Sync when you can."
        return f"{prefix} Last refreshed {age}."

    def summary(self) -> str:
        """What is announced when the case opens: who, and the risk flags in brief."""
        if self.case_id is None:
            return ""
        names = [self.registers.cells(i)[0] for i in range(self.registers.rowCount())]
        flags = "; ".join(names) if names else "no registers"
        return f"{self.title.text().removeprefix('<h1>').removesuffix('</h1>')}. {flags}."

    # ---- events ----------------------------------------------------------------------------
    def _open_contact(self, _index: object) -> None:
        key = current_key(self.contact_table)
        if key is not None:
            self.contact_opened.emit(key)

    def _open_assessment(self, *_args: object) -> None:
        key = current_key(self.assessment_table)
        if key is None:
            self._announcer.polite(self, "Choose an assessment in the list first.")
            return
        if self.assessment_windows is not None:
            self.assessment_windows.open(key, self.case_title)

    def start_assessment(self) -> None:
        if self.case_id is not None and self.assessment_windows is not None:
            self.assessment_windows.start(self.case_id, self.case_title)

    def _assessments_changed(self, *_args: object) -> None:
        if self.case_id is not None and self.isVisible():
            self.refresh()

    def _new_contact(self) -> None:
        if self.case_id is not None:
            self.new_contact_requested.emit(self.case_id)

    def _contact_saved(self, saved: ContactSaved) -> None:
        if saved.case_id == self.case_id and self.isVisible():
            keep = current_key(self.contact_table)
            self.refresh()
            if keep is not None and keep in self.contacts.row_keys():
                row = self.contacts.row_keys().index(keep)
                self.contact_table.setCurrentIndex(self.contacts.index(row, 0))

    def _keep_in_view(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.isAncestorOf(new):
            self.scroll_area.ensureWidgetVisible(new)
