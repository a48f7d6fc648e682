"""The contact editor: named fields in Tab order, autosave on pause/close/lock, Finish rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.announce import Announcement
from caseclient.ui.contacts.editor import ContactEditor
from caseclient.ui.main_window import MainWindow
from tests.ui.conftest import OFFSCREEN_ONLY, PASSPHRASE, open_window

pytestmark = OFFSCREEN_ONLY

EXPECTED_NAMES = ["Contact type", "Date", "Start time", "End time", "Location", "Outcome",
                  "Enforcement action", "Reason for the enforcement decision", "Sensitive", "Alert",
                  "Notes", "Finish", "Close"]

OpenEditor = Callable[[], tuple[MainWindow, ContactEditor]]


@pytest.fixture
def open_editor(qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
                heard: list[Announcement]) -> OpenEditor:
    def opener() -> tuple[MainWindow, ContactEditor]:
        window = open_window(qtbot, services, heard)
        window.open_case(case_ids["ann"])
        editor = window.new_contact(case_ids["ann"])
        assert editor is not None
        qtbot.waitUntil(editor.isActiveWindow)
        qtbot.waitUntil(editor.form.contact_type.hasFocus)
        return window, editor
    return opener


def _stored(services: AppServices, editor: ContactEditor) -> dict[str, object]:
    return dict(services.contacts.get(editor.contact_id).contact.to_fields())


def test_every_field_is_named_labelled_and_in_tab_order(qtbot: QtBot, open_editor: OpenEditor) -> None:
    _window, editor = open_editor()
    visited: list[QWidget] = []
    for _ in EXPECTED_NAMES:
        widget = QApplication.focusWidget()
        assert widget is not None
        visited.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert [w.accessibleName() for w in visited] == EXPECTED_NAMES
    assert QApplication.focusWidget() is editor.form.contact_type, "Tab wraps round: no trap"

    buddies = {label.buddy() for label in editor.findChildren(QLabel) if label.buddy() is not None}
    for widget in [*visited[:8], editor.form.notes]:
        assert widget in buddies, f"{widget.accessibleName()} has no visible label"
    assert editor.form.date.accessibleDescription().startswith("Date as day/month/year")
    assert editor.form.notes.tabChangesFocus()


def test_typing_is_saved_after_a_pause_and_the_state_is_in_words(
        qtbot: QtBot, services: AppServices, open_editor: OpenEditor,
        heard: list[Announcement]) -> None:
    _window, editor = open_editor()
    assert editor.state_label.text() == "Status: Draft"
    editor.form.notes.setFocus()
    qtbot.keyClicks(editor.form.notes, "Seen at the office. Talked about work.")
    qtbot.waitUntil(lambda: _stored(services, editor)["notes"] == "Seen at the office. Talked about work.")
    assert not editor.autosave.pending
    assert editor.form.notes.hasFocus(), "saving never moves focus"

    editor.form.date.setFocus()
    editor.form.date.selectAll()
    qtbot.keyClicks(editor.form.date, "1/11/26")
    qtbot.waitUntil(lambda: _stored(services, editor)["date"] == "2026-11-01")
    editor.form.start_time.setFocus()
    qtbot.keyClicks(editor.form.start_time, "2.30pm")
    qtbot.keyClick(editor.form.start_time, Qt.Key.Key_Tab)        # focus-out saves at once
    assert _stored(services, editor)["start_time"] == "14:30"

    editor.form.end_time.setFocus()
    qtbot.keyClicks(editor.form.end_time, "25:99")
    qtbot.waitUntil(lambda: editor.form.errors["end_time"].message != "")
    assert editor.form.errors["end_time"].message.startswith("Write the time on the 24-hour clock")
    assert editor.form.end_time.accessibleDescription().startswith("Error: Write the time")
    assert _stored(services, editor)["end_time"] is None
    assert _stored(services, editor)["notes"] == "Seen at the office. Talked about work."
    assert not any(a.text == "Draft" for a in heard), "no announcement while the state stays the same"


def test_closing_saves_what_was_typed_without_asking(
        qtbot: QtBot, services: AppServices, open_editor: OpenEditor) -> None:
    window, editor = open_editor()
    contact_id = editor.contact_id
    editor.form.location.setFocus()
    qtbot.keyClicks(editor.form.location, "Home visit, flat 2")
    assert editor.autosave.pending
    qtbot.keyClick(editor, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert contact_id not in window.editors
    assert services.contacts.get(contact_id).contact.location == "Home visit, flat 2"


def test_locking_flushes_the_editor_first(
        qtbot: QtBot, services: AppServices, open_editor: OpenEditor) -> None:
    window, editor = open_editor()
    contact_id = editor.contact_id
    editor.form.notes.setFocus()
    qtbot.keyClicks(editor.form.notes, "Words typed just before the lock")
    assert editor.autosave.pending
    window.lock_action.trigger()
    assert not services.session.unlocked
    assert window.editors == {}
    services.session.unlock(PASSPHRASE)
    assert services.contacts.get(contact_id).contact.notes == "Words typed just before the lock"


def test_finish_focuses_the_first_error_and_announces_the_list(
        qtbot: QtBot, services: AppServices, open_editor: OpenEditor,
        heard: list[Announcement]) -> None:
    _window, editor = open_editor()
    form = editor.form
    form.date.setFocus()
    form.date.selectAll()
    qtbot.keyClick(form.date, Qt.Key.Key_Delete)
    qtbot.keyClick(editor.finish_button, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: editor.problems.isVisibleTo(editor))
    assert form.contact_type.hasFocus()
    assert form.errors["contact_type"].message == "Choose a contact type."
    assert form.errors["date"].message == "Date is required."
    assert form.contact_type.accessibleDescription() == "Error: Choose a contact type."
    assert editor.problems.text() == ("2 things to put right before finishing: Choose a contact type. "
                                      "Date is required.")
    assert heard[-1] == Announcement(editor.problems.text(), assertive=True)
    assert editor.state_label.text() == "Status: Draft"

    # An office appointment this morning (the clock says noon) needs an outcome.
    form.contact_type.setCurrentIndex(form.contact_type.findData("COAP"))
    form.date.setFocus()
    qtbot.keyClicks(form.date, "24/11/2026")
    form.start_time.setFocus()
    qtbot.keyClicks(form.start_time, "10:00")
    editor.finish()
    assert form.outcome.hasFocus()
    assert form.errors["outcome"].message == "This appointment has passed: record an outcome."
    assert form.errors["contact_type"].message == ""

    form.outcome.setCurrentIndex(form.outcome.findData("ATTC"))
    editor.finish()
    assert not editor.problems.isVisibleTo(editor)
    assert editor.state_label.text() == "Status: Saved on this laptop"
    assert heard[-1] == Announcement("Finished. Saved on this laptop: it will be sent at the next sync.",
                                     assertive=False)
    assert services.contacts.get(editor.contact_id).state.words == "Saved on this laptop"


def test_a_saved_sensitive_mark_cannot_be_taken_off(
        qtbot: QtBot, services: AppServices, open_editor: OpenEditor) -> None:
    _window, editor = open_editor()
    editor.form.sensitive.setFocus()
    qtbot.keyClick(editor.form.sensitive, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: _stored(services, editor)["sensitive"] is True)
    assert not editor.form.sensitive.isEnabled()
    assert editor.form.sensitive.isChecked()
    assert "cannot be unmarked" in editor.form.sensitive.accessibleDescription()


def test_open_editors_follow_changes_made_elsewhere(
        qtbot: QtBot, services: AppServices, open_editor: OpenEditor,
        heard: list[Announcement]) -> None:
    window, editor = open_editor()
    services.contacts.save_draft(editor.contact_id, {"contact_type": "CTEL", "notes": "Phoned"})
    services.contacts.finish(editor.contact_id)
    assert editor.state_label.text() == "Status: Draft"
    window.records_did_change()
    assert editor.state_label.text() == "Status: Saved on this laptop"
    assert heard[-1] == Announcement("Saved on this laptop", assertive=False)
