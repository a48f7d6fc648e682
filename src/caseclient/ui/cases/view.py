"""The case view: who the person is, their risk flags first, then everything else.

Registers lead because an officer on a home visit must see them before anything
else; each carries its review state in words and the page says how old our copy
is (never silently stale). Enter on a contact opens it; Ctrl+N starts a new one.
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

from caseclient.services.case_detail import CaseDetail, CaseDetailService
from caseclient.services.caseload import CaseloadService
from caseclient.services.clock import Clock
from caseclient.services.contacts import ContactSaved, ContactService
from caseclient.ui.announce import Announcer
from caseclient.ui.cases.rows import (
    APPOINTMENT_HEADERS,
    CONTACT_HEADERS,
    EVENT_HEADERS,
    REGISTER_HEADERS,
    appointment_row,
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
                 *, clock: Clock, announcer: Announcer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._detail = detail
        self._caseload = caseload
        self._contacts = contacts
        self._clock = clock
        self._announcer = announcer
        self.case_id: str | None = None
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
        layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(body)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        order = [self.new_button, self.back_button, self.register_table, self.event_table,
                 self.contact_table, self.appointment_table]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._keep_in_view)
        contacts.contact_did_save.connect(self._contact_saved)
        contacts.contact_did_finish.connect(lambda _view: self.refresh())

    # ---- data ------------------------------------------------------------------------------
    def show_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.refresh()
        self.register_table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._announcer.polite(self, self.summary())

    def clear(self) -> None:
        self.case_id = None
        for model in (self.registers, self.events, self.contacts, self.appointments):
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
        facts = [f"CRN {person.crn}"]
        if person.date_of_birth:
            facts.append(f"born {uk_date(person.date_of_birth)}")
        if person.tier:
            facts.append(f"tier {person.tier}")
        if person.address:
            facts.append(person.address)
        if person.phone:
            facts.append(f"phone {person.phone}")
        self.facts.setText(", ".join(facts))
        self.freshness.setText(self._freshness_words(detail))
        self.registers.set_rows([register_row(r, detail.today) for r in detail.registers])
        self.events.set_rows([event_row(e) for e in detail.events])
        self.contacts.set_rows([contact_row(c, reference) for c in self._contacts.for_case(self.case_id)])
        self.appointments.set_rows([appointment_row(a) for a in detail.appointments_ahead])

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
