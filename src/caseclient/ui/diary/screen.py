"""Today and the week's diary, for every case on the caseload, offline.

Three tables: today's appointments, appointments still needing an outcome, and
the chosen week. Enter on any row opens that contact; "Export the week to PDF"
writes a printable diary without the central system.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseclient.domain.records import Appointment
from caseclient.errors import KnownError
from caseclient.services.diary import DiaryService
from caseclient.ui.announce import Announcer
from caseclient.ui.diary.document import diary_html, write_pdf
from caseclient.ui.formats import uk_date, uk_datetime, uk_time
from caseclient.ui.forms import buddy_label, name
from caseclient.ui.reflow import FlowLayout, ScrollPage
from caseclient.ui.tables import Row, RowsModel, current_key, word_table

HEADERS = ("When", "Name", "CRN", "Type", "Location")


def _row(appointment: Appointment, *, with_date: bool) -> Row:
    when = uk_datetime(appointment.starts_at) if with_date else uk_time(appointment.starts_at.time())
    return Row(appointment.contact_id, (when, appointment.person_name, appointment.crn,
                                        appointment.contact_type_label, appointment.location or ""))


class DiaryScreen(QWidget):
    contact_opened = Signal(str)

    def __init__(self, diary: DiaryService, announcer: Announcer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._diary = diary
        self._announcer = announcer
        self.week_start = self._monday(diary.now().date())
        self.setAccessibleName("Today and diary")
        self.today = RowsModel(HEADERS)
        self.outcomes = RowsModel(HEADERS)
        self.week = RowsModel(HEADERS)
        self.today_table = word_table(self.today)
        self.outcome_table = word_table(self.outcomes)
        self.week_table = word_table(self.week)
        self.previous_button = QPushButton("&Previous week")
        name(self.previous_button, "Previous week")
        self.next_button = QPushButton("Ne&xt week")
        name(self.next_button, "Next week")
        self.export_button = QPushButton("&Export the week to PDF…")
        name(self.export_button, "Export the week to PDF", "Saves a printable diary of this week.")
        self.week_heading = QLabel()
        self.previous_button.clicked.connect(lambda: self.move_week(-1))
        self.next_button.clicked.connect(lambda: self.move_week(1))
        self.export_button.clicked.connect(self._ask_and_export)
        for table in (self.today_table, self.outcome_table, self.week_table):
            table.activated.connect(lambda _i, t=table: self._open(t))

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(buddy_label("&Today's appointments", self.today_table, "Today's appointments"))
        layout.addWidget(self.today_table)
        layout.addWidget(buddy_label("&Needing an outcome", self.outcome_table, "Needing an outcome",
                                     "Appointments whose time has passed without an outcome."))
        layout.addWidget(self.outcome_table)
        nav = FlowLayout()                           # the buttons wrap when the window is narrow
        for button in (self.previous_button, self.next_button, self.export_button):
            nav.add(button)
        layout.addLayout(nav)
        layout.addWidget(buddy_label("&Week", self.week_table, "Week",
                                     "Every appointment this week, for all your cases."))
        layout.addWidget(self.week_heading)
        layout.addWidget(self.week_table)
        layout.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(ScrollPage(body))          # follows the focus (a table reached by its mnemonic)
        order: list[QWidget] = [self.today_table, self.outcome_table, self.previous_button,
                                self.next_button, self.export_button, self.week_table]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _monday(day: dt.date) -> dt.date:
        return day - dt.timedelta(days=day.weekday())

    def refresh(self) -> None:
        today = self._diary.now().date()
        self.today.set_rows([_row(a, with_date=False) for a in self._diary.between(today, today)])
        self.outcomes.set_rows([_row(a, with_date=True) for a in self._diary.needing_outcome()])
        self.week.set_rows([_row(a, with_date=True) for a in self._week()])
        self.week_heading.setText(f"Week of {uk_date(self.week_start)}: {self.week.rowCount()} "
                                  f"appointment{'s' if self.week.rowCount() != 1 else ''}")

    def _week(self) -> list[Appointment]:
        return self._diary.between(self.week_start, self.week_start + dt.timedelta(days=6))

    def move_week(self, weeks: int) -> None:
        self.week_start += dt.timedelta(weeks=weeks)
        self.refresh()
        self._announcer.polite(self.week_heading, self.week_heading.text())

    def clear(self) -> None:
        for model in (self.today, self.outcomes, self.week):
            model.set_rows([])

    def export_pdf(self, path: Path, officer: str) -> None:
        html = diary_html(self.week_start, self._week(), officer)
        try:
            write_pdf(html, path, f"Diary: week of {uk_date(self.week_start)}")
        except OSError as exc:
            raise KnownError("The diary could not be saved there.",
                             "Choose another folder, or check the disk has space.") from exc
        self._announcer.polite(self, f"Diary saved as {path.name}.")

    def _ask_and_export(self) -> None:
        suggested = f"diary-{self.week_start.isoformat()}.pdf"
        chosen, _filter = QFileDialog.getSaveFileName(self, "Export the week to PDF", suggested,
                                                      "PDF files (*.pdf)")
        if chosen:
            self.export_pdf(Path(chosen), "")

    def _open(self, table: QTableView) -> None:
        key = current_key(table)
        if key is not None:
            self.contact_opened.emit(key)
