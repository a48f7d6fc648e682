"""The case view: registers first with review state and age, contacts that open by Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.announce import Announcement
from caseclient.ui.cases.rows import CONTACT_HEADERS, REGISTER_HEADERS
from tests.ui.conftest import OFFSCREEN_ONLY, open_window

pytestmark = OFFSCREEN_ONLY


def test_enter_on_a_case_shows_its_registers_first(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    services.contacts.new_contact(case_ids["ann"], contact_type="CTEL", date="2026-11-20",
                                  notes="Phoned about housing")
    services.contacts.new_contact(case_ids["ann"], contact_type="COAP", date="2026-12-01",
                                  start_time="10:00", location="Office")
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    qtbot.waitUntil(screen.search.hasFocus)
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)        # Ann is first: names sort A to Z

    view = window.case_view
    assert window.workspace.currentWidget() is view
    assert view.register_table.hasFocus()
    assert view.registers.cells(0) == ("Risk of serious harm (review overdue)", "Very high",
                                       "05/01/2026", "01/10/2026", "Review overdue")
    assert [view.registers.headerData(i, Qt.Orientation.Horizontal)
            for i in range(len(REGISTER_HEADERS))] == list(REGISTER_HEADERS)
    assert view.freshness.text().startswith("1 register, 1 with review overdue.")
    assert "refreshed" in view.freshness.text()
    assert heard[-1] == Announcement(
        "Ann Example — X123456. Risk of serious harm (review overdue).", assertive=False)

    timeline = [view.contacts.cells(i) for i in range(view.contacts.rowCount())]
    assert [row[CONTACT_HEADERS.index("Type")] for row in timeline] == [
        "Office appointment", "Phone contact"]
    assert timeline[1][CONTACT_HEADERS.index("Status")] == "Draft"
    assert timeline[1][CONTACT_HEADERS.index("Notes")] == "Phoned about housing"
    assert view.appointments.cells(0) == ("Tue 01/12/2026 10:00", "Office appointment", "Office")

    # Tab walks the page in order and leaves each table.
    order = []
    view.new_button.setFocus()
    for _ in range(6):
        order.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert order == [view.new_button, view.back_button, view.register_table, view.event_table,
                     view.contact_table, view.appointment_table]

    view.contact_table.setFocus()
    qtbot.keyClick(view.contact_table, Qt.Key.Key_Down)
    qtbot.keyClick(view.contact_table, Qt.Key.Key_Down)
    qtbot.keyClick(view.contact_table, Qt.Key.Key_Return)
    assert len(window.editors) == 1
    editor = next(iter(window.editors.values()))
    assert editor.form.notes.toPlainText() == "Phoned about housing"
    editor.close()
    assert window.editors == {}


def test_new_contact_by_shortcut_starts_with_todays_date(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    window.open_case(case_ids["bob"])
    assert window.new_contact_action.isEnabled()
    window.new_contact_action.trigger()
    assert len(window.editors) == 1
    editor = next(iter(window.editors.values()))
    assert editor.form.date.text() == "24/11/2026"
    assert editor.state_label.text() == "Status: Draft"
    assert editor.windowTitle() == "Contact — Bob Sample (Y654321)"
    assert [v.contact.id for v in services.contacts.for_case(case_ids["bob"])] == [editor.contact_id]

    window.lock_action.trigger()
    assert window.editors == {}, "locking closes every editor after it has saved"
    assert window.case_view.case_id is None


def test_an_address_on_several_lines_reads_as_one_line_of_facts(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    window.open_case(case_ids["bob"])
    assert window.case_view.facts.text() == (
        "CRN Y654321, tier C1, Flat 2, 14 Mill Lane, Newtown, NT1 2AB")
