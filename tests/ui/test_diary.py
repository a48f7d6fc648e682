"""Today, needing an outcome and the week's diary across cases; the week exports to PDF offline."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.announce import Announcement
from tests.ui.audit import duplicate_mnemonics, problems
from tests.ui.conftest import OFFSCREEN_ONLY, open_window

pytestmark = OFFSCREEN_ONLY


def test_today_outcomes_and_week_then_pdf(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str], tmp_path: Path,
        heard: list[Announcement]) -> None:
    contacts = services.contacts
    morning = contacts.new_contact(case_ids["ann"], contact_type="COAP", date="2026-11-24",
                                   start_time="09:30", location="Office <main>")
    contacts.new_contact(case_ids["bob"], contact_type="CHVS", date="2026-11-24", start_time="15:00")
    contacts.new_contact(case_ids["bob"], contact_type="COAP", date="2026-11-27", start_time="11:00")
    contacts.new_contact(case_ids["ann"], contact_type="COAP", date="2026-12-02", start_time="11:00")
    contacts.new_contact(case_ids["ann"], contact_type="CTEL", date="2026-11-24", start_time="08:00")

    window = open_window(qtbot, services, heard)
    window.diary_action.trigger()
    screen = window.diary_screen
    assert window.workspace.currentWidget() is screen
    qtbot.waitUntil(screen.today_table.hasFocus)
    assert [screen.today.cells(i)[:2] for i in range(screen.today.rowCount())] == [
        ("09:30", "Ann Example"), ("15:00", "Bob Sample")]
    assert [screen.outcomes.cells(i)[1] for i in range(screen.outcomes.rowCount())] == ["Ann Example"]
    assert screen.week_heading.text() == "Week of 23/11/2026: 3 appointments"
    assert problems(window) == [] and duplicate_mnemonics(window) == []

    qtbot.keyClick(screen.next_button, Qt.Key.Key_Space)
    assert screen.week_heading.text() == "Week of 30/11/2026: 1 appointment"
    assert heard[-1] == Announcement("Week of 30/11/2026: 1 appointment", assertive=False)
    screen.move_week(-1)

    target = tmp_path / "diary.pdf"
    screen.export_pdf(target, "N01A123")
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000

    screen.outcome_table.setFocus()
    qtbot.keyClick(screen.outcome_table, Qt.Key.Key_Down)
    qtbot.keyClick(screen.outcome_table, Qt.Key.Key_Return)
    assert list(window.editors) == [morning.contact.id]
