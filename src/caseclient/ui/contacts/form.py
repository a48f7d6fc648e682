"""The contact form's fields: built labelled and named, filled from a record, read as wire values.

Dates and times are shown and typed in UK form (24/11/2026, 14:30) and stored in
wire form (2026-11-24, 14:30). A half-typed date is not sent: its field says how
to write it, and the rest of the form still saves.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import Contact
from caseclient.domain.reference import ReferenceData
from caseclient.ui.formats import DATE_HINT, TIME_HINT, parse_time, parse_uk_date, uk_date, uk_time
from caseclient.ui.forms import ErrorLabel, buddy_label

SENSITIVE_HINT = ("Only people allowed to see sensitive information will see this contact. "
                  "Once saved it cannot be unmarked.")
SENSITIVE_LOCKED = ("Marked sensitive. A sensitive contact cannot be unmarked; ask your manager if "
                    "it was marked by mistake.")
# Form order: also the Tab order and the order errors are focused in.
FIELDS = ("contact_type", "date", "start_time", "end_time", "location", "outcome", "enforcement",
          "enforcement_reason", "sensitive", "alert", "notes")


def _choices(combo: QComboBox, none_text: str, items: Iterable[tuple[str, str, bool]],
             current: str | None) -> None:
    combo.clear()
    combo.addItem(none_text, None)
    for code, label, active in items:
        if active or code == current:
            combo.addItem(label, code)
    if current is not None and combo.findData(current) < 0:
        combo.addItem(f"{current} (no longer in the list)", current)


class ContactForm(QWidget):
    def __init__(self, reference: ReferenceData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reference = reference
        self.contact_type = QComboBox()
        self.date = QLineEdit()
        self.start_time = QLineEdit()
        self.end_time = QLineEdit()
        self.location = QLineEdit()
        self.outcome = QComboBox()
        self.enforcement = QComboBox()
        self.enforcement_reason = QLineEdit()
        self.sensitive = QCheckBox("Sensiti&ve")
        self.alert = QCheckBox("&Alert: show on the case summary")
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)          # Tab moves on: no keyboard trap
        self.notes.setMinimumHeight(self.fontMetrics().lineSpacing() * 12)
        for edit, example in ((self.date, "24/11/2026"), (self.start_time, "14:30"),
                              (self.end_time, "15:15")):
            edit.setPlaceholderText(example)

        hints = {
            "contact_type": ("Contact &type", "Contact type", "What kind of contact this was."),
            "date": ("&Date", "Date", DATE_HINT),
            "start_time": ("&Start time", "Start time", TIME_HINT),
            "end_time": ("&End time", "End time", TIME_HINT),
            "location": ("&Location", "Location", ""),
            "outcome": ("&Outcome", "Outcome",
                        "Needed once an appointment's time has passed."),
            "enforcement": ("Enforcement act&ion", "Enforcement action",
                            "Needed for an unacceptable absence or failure to comply."),
            "enforcement_reason": ("&Reason for the enforcement decision", "Reason for the "
                                   "enforcement decision", "Needed for a decision not to enforce."),
            "notes": ("&Notes", "Notes", "What happened. Everything you type is saved as you go."),
        }
        self.sensitive.setAccessibleDescription(SENSITIVE_HINT)
        self.alert.setAccessibleDescription("Shows this contact on the case summary as an alert.")
        self.errors: dict[str, ErrorLabel] = {}
        layout = QFormLayout(self)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for field in FIELDS:
            widget = self.widget_for(field)
            if field in hints:
                text, accessible, hint = hints[field]
                label = buddy_label(text, widget, accessible, hint)
                layout.addRow(label, widget)
            else:
                widget.setAccessibleName(widget.property("text").replace("&", "").split(":")[0])
                layout.addRow(widget)
            error = ErrorLabel(widget, widget.accessibleDescription())
            self.errors[field] = error
            layout.addRow(error)
        for first, second in itertools.pairwise(FIELDS):
            QWidget.setTabOrder(self.widget_for(first), self.widget_for(second))

    def widget_for(self, field: str) -> QWidget:
        widget = getattr(self, field)
        assert isinstance(widget, QWidget)
        return widget

    def field_widgets(self) -> list[QWidget]:
        return [self.widget_for(f) for f in FIELDS]

    # ---- in and out ------------------------------------------------------------------------
    def load(self, contact: Contact, *, sensitive_saved: bool) -> None:
        """Show ``contact``; callers block change signals so loading does not save."""
        ref = self.reference
        _choices(self.contact_type, "Choose a type",
                 ((t.code, t.label, t.active) for t in ref.contact_types.values()), contact.contact_type)
        _choices(self.outcome, "No outcome yet",
                 ((o.code, o.label, o.active) for o in ref.outcomes.values()), contact.outcome)
        _choices(self.enforcement, "No enforcement action",
                 ((e.code, e.label, e.active) for e in ref.enforcements.values()), contact.enforcement)
        for combo, value in ((self.contact_type, contact.contact_type), (self.outcome, contact.outcome),
                             (self.enforcement, contact.enforcement)):
            combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
        self.date.setText(uk_date(contact.date))
        self.start_time.setText(uk_time(contact.start_time))
        self.end_time.setText(uk_time(contact.end_time))
        self.location.setText(contact.location or "")
        self.enforcement_reason.setText(contact.enforcement_reason or "")
        self.sensitive.setChecked(contact.sensitive)
        self.alert.setChecked(contact.alert)
        if self.notes.toPlainText() != (contact.notes or ""):
            self.notes.setPlainText(contact.notes or "")
        self.lock_sensitive(sensitive_saved)

    def lock_sensitive(self, saved_sensitive: bool) -> None:
        """Once saved as sensitive the box stays ticked; still focusable, so it is still read out."""
        self.sensitive.setEnabled(not saved_sensitive)
        self.sensitive.setAccessibleDescription(SENSITIVE_LOCKED if saved_sensitive else SENSITIVE_HINT)

    def values(self) -> tuple[dict[str, JSONValue], dict[str, str]]:
        """Wire values of every field that reads cleanly, and a format problem for each that does not."""
        values: dict[str, JSONValue] = {
            "contact_type": self.contact_type.currentData(),
            "outcome": self.outcome.currentData(),
            "enforcement": self.enforcement.currentData(),
            "location": self.location.text().strip() or None,
            "enforcement_reason": self.enforcement_reason.text().strip() or None,
            "sensitive": self.sensitive.isChecked(),
            "alert": self.alert.isChecked(),
            "notes": self.notes.toPlainText() or None,
        }
        problems: dict[str, str] = {}
        date_text = self.date.text().strip()
        parsed_date = parse_uk_date(date_text)
        if not date_text:
            values["date"] = None
        elif parsed_date is None:
            problems["date"] = "Write the date as day/month/year, for example 24/11/2026."
        else:
            values["date"] = parsed_date.isoformat()
        for field, edit in (("start_time", self.start_time), ("end_time", self.end_time)):
            text = edit.text().strip()
            parsed_time = parse_time(text)
            if not text:
                values[field] = None
            elif parsed_time is None:
                problems[field] = "Write the time on the 24-hour clock, for example 14:30."
            else:
                values[field] = parsed_time.strftime("%H:%M")
        return values, problems

    def show_errors(self, errors: dict[str, str]) -> None:
        for field, label in self.errors.items():
            label.show_error(errors.get(field, ""))

    def first_error_field(self, errors: Iterable[str]) -> str | None:
        wanted = set(errors)
        return next((f for f in FIELDS if f in wanted), None)


def focus(widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    if isinstance(widget, QLineEdit):
        widget.selectAll()
