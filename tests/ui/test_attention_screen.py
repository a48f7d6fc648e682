"""Needs attention: a real conflict (the same fields edited here and on the central system) and a
real refusal, settled by keyboard alone through the per-field chooser, then synced."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.announce import Announcement
from caseclient.ui.attention.chooser import ConflictChooser
from caseclient.ui.attention.rejection import RejectionDialog
from caseclient.ui.main_window import MainWindow
from tests.helpers.central import Central
from tests.ui.audit import duplicate_mnemonics, problems
from tests.ui.conftest import OFFSCREEN_ONLY, WAIT_MS, sync_and_wait

pytestmark = OFFSCREEN_ONLY


def _press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key, modifier)


def _sent_contact(qtbot: QtBot, services: AppServices, central: Central) -> str:
    view = services.contacts.new_contact(central.case_id, contact_type="COAP", date="2026-11-30",
                                         start_time="10:00", end_time="11:00", location="Office",
                                         notes="Start")
    services.contacts.finish(view.contact.id)
    sync_and_wait(qtbot, services)
    assert central.fields(view.contact.id) is not None
    return view.contact.id


def test_a_real_conflict_is_settled_by_keyboard_field_by_field_then_sent(
        qtbot: QtBot, window: MainWindow, app_services: AppServices, central: Central,
        heard: list[Announcement]) -> None:
    services = app_services
    contact_id = _sent_contact(qtbot, services, central)
    central.edit("contact", contact_id, notes="Theirs", location="Court", end_time="11:15")
    services.session.store.records.save("contact", contact_id,
                                        {"notes": "Mine", "location": "Home", "end_time": "11:05"})
    with qtbot.waitSignal(services.sync.attention_changed, timeout=WAIT_MS) as counted:
        services.sync.sync_now()
    assert counted.args == [1]
    qtbot.waitUntil(lambda: window.status.attention.text() == "1 needs attention", timeout=WAIT_MS)
    assert window.status.attention.isVisibleTo(window.status)

    # Go → Needs attention by its shortcut
    window.activateWindow()
    control_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_A, control_shift)
    screen = window.attention_screen
    assert window.workspace.currentWidget() is screen
    assert screen.table.hasFocus()
    assert Announcement("1 item needs your attention.", assertive=False) in heard
    assert screen.model.cells(0) == (
        "Office appointment on 30/11/2026 — Alex Example (A000001)",
        "Changed on the central system while you changed it here", screen.model.cells(0)[2], "OFFICE1")
    assert problems(window) == [] and duplicate_mnemonics(window) == []

    _press(qtbot, Qt.Key.Key_Return)
    chooser = screen.dialog
    assert isinstance(chooser, ConflictChooser)
    qtbot.waitUntil(chooser.isActiveWindow)
    assert problems(chooser) == [] and duplicate_mnemonics(chooser) == []
    assert [f.row.label for f in chooser.fields] == ["End time", "Location", "Notes"]
    location = chooser.field("location")
    assert (location.mine_view.text(), location.theirs_view.text()) == ("Home", "Court")
    assert location.accessibleName() == "Location"
    assert location.theirs.accessibleName() == "Keep theirs for Location"
    assert heard[-1].text.startswith("Conflict on Office appointment on 30/11/2026")

    # Tab walks each field: yours, theirs, then its radio group (arrows choose within it); no trap
    assert chooser.field("end_time").mine_view.hasFocus()
    walked = []
    for _ in range(12):
        focused = QApplication.focusWidget()
        assert focused is not None
        walked.append(focused.accessibleName())
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert walked == [*(f"{label}, {side}" if side else f"Keep mine for {label}"
                        for label in ("End time", "Location", "Notes") for side in ("yours", "theirs", "")),
                      "Settle", "Cancel", "End time, yours"]
    _press(qtbot, Qt.Key.Key_Return)                       # nothing chosen yet: named, focused, announced
    assert chooser.problem.text() == "Choose mine, theirs or edit for End time."
    assert heard[-1] == Announcement("Choose mine, theirs or edit for End time.", assertive=True)
    end_time = chooser.field("end_time")
    assert end_time.mine.hasFocus()

    end_time.edit.setFocus()
    _press(qtbot, Qt.Key.Key_Space)
    assert end_time.editor.isEnabled()
    _press(qtbot, Qt.Key.Key_Tab)
    assert end_time.editor.hasFocus()
    end_time.editor.selectAll()
    qtbot.keyClicks(end_time.editor, "25:99")
    location.mine.setFocus()
    _press(qtbot, Qt.Key.Key_Right)                        # arrows move within the group, Space picks
    assert location.theirs.hasFocus()
    _press(qtbot, Qt.Key.Key_Space)
    assert location.theirs.isChecked() and location.chosen == "theirs"
    notes = chooser.field("notes")
    notes.mine.setFocus()
    _press(qtbot, Qt.Key.Key_Space)
    _press(qtbot, Qt.Key.Key_Return)
    assert end_time.error.message == "End time must be a time written as HH:MM."
    assert end_time.editor.hasFocus() and chooser.isVisible()

    end_time.editor.selectAll()
    qtbot.keyClicks(end_time.editor, "11:30")
    with qtbot.waitSignal(services.sync.attention_changed, timeout=WAIT_MS) as cleared:
        _press(qtbot, Qt.Key.Key_Return)
    assert cleared.args == [0]
    assert Announcement("Settled Office appointment on 30/11/2026 — Alex Example (A000001): End time "
                        "edited, Location theirs, Notes yours. It is sent at the next sync.",
                        assertive=False) in heard
    assert screen.dialog is None and screen.model.rowCount() == 0 and screen.empty.isVisibleTo(screen)
    assert not window.status.attention.isVisibleTo(window.status)

    sync_and_wait(qtbot, services)
    sent = central.fields(contact_id)
    assert sent is not None
    assert (sent["notes"], sent["location"], sent["end_time"]) == ("Mine", "Court", "11:30")
    assert services.sync.status.waiting == 0


def test_a_refusal_is_read_then_dismissed_and_its_words_kept(
        qtbot: QtBot, window: MainWindow, app_services: AppServices, central: Central,
        heard: list[Announcement]) -> None:
    services = app_services
    stray = str(uuid.uuid4())
    records = services.session.store.records
    records.create_draft("contact", stray, central.other_case_id,
                         {"case_id": central.other_case_id, "contact_type": "COAP", "date": "2026-11-30",
                          "sensitive": False, "alert": False, "notes": "On a case that is not mine"})
    records.finish("contact", stray)
    with qtbot.waitSignal(services.sync.attention_changed, timeout=WAIT_MS):
        services.sync.sync_now()

    window.status.attention.setFocus()
    _press(qtbot, Qt.Key.Key_Space)                        # the count in the status bar opens the list
    screen = window.attention_screen
    assert window.workspace.currentWidget() is screen
    item = screen.current_item()
    assert item is not None and not item.is_conflict
    assert item.happened.startswith("Your new record was refused: ")

    screen.table.setFocus()
    _press(qtbot, Qt.Key.Key_Return)
    dialog = screen.dialog
    assert isinstance(dialog, RejectionDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.reason.hasFocus() and dialog.reason.toPlainText() == item.happened
    assert problems(dialog) == [] and duplicate_mnemonics(dialog) == []
    sent = [dialog.model.cells(r) for r in range(dialog.model.rowCount())]
    assert ("Notes", "On a case that is not mine") in sent
    with qtbot.waitSignal(dialog.accepted):
        _press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert screen.model.rowCount() == 0
    assert services.sync.status.needs_attention == 0
    assert records.require("contact", stray).fields["notes"] == "On a case that is not mine", "nothing lost"


def test_deleted_here_but_changed_there_asks_what_becomes_of_the_record(
        qtbot: QtBot, window: MainWindow, app_services: AppServices, central: Central,
        heard: list[Announcement]) -> None:
    services = app_services
    contact_id = _sent_contact(qtbot, services, central)
    central.edit("contact", contact_id, notes="Theirs")
    services.session.store.records.delete("contact", contact_id, "Entered on the wrong case")
    with qtbot.waitSignal(services.sync.attention_changed, timeout=WAIT_MS):
        services.sync.sync_now()
    window.show_attention()
    screen = window.attention_screen
    item = screen.current_item()
    assert item is not None and item.happened == "Changed on the central system while you deleted it here"
    _press(qtbot, Qt.Key.Key_Return)
    chooser = screen.dialog
    assert isinstance(chooser, ConflictChooser)
    qtbot.waitUntil(chooser.isActiveWindow)
    assert chooser.keep_deleted is not None and chooser.keep_deleted.hasFocus()
    assert problems(chooser) == [] and duplicate_mnemonics(chooser) == []
    for field in chooser.fields:
        field.theirs.setFocus()
        _press(qtbot, Qt.Key.Key_Space)
    _press(qtbot, Qt.Key.Key_Return)
    assert chooser.problem.text() == "Choose whether the record stays deleted."
    assert chooser.keep_deleted.hasFocus()
    _press(qtbot, Qt.Key.Key_Space)
    with qtbot.waitSignal(chooser.accepted):
        _press(qtbot, Qt.Key.Key_Return)
    sync_and_wait(qtbot, services)
    on_server = central.server.services.admin.all_records()
    [record] = [r for r in on_server if r.record_id == contact_id]
    assert record.deleted
    assert services.sync.status.needs_attention == 0 and services.sync.status.waiting == 0


def test_locking_closes_an_open_chooser_and_empties_the_list(
        qtbot: QtBot, window: MainWindow, app_services: AppServices, central: Central) -> None:
    services = app_services
    contact_id = _sent_contact(qtbot, services, central)
    central.edit("contact", contact_id, notes="Theirs")
    services.session.store.records.save("contact", contact_id, {"notes": "Mine"})
    with qtbot.waitSignal(services.sync.attention_changed, timeout=WAIT_MS):
        services.sync.sync_now()
    window.show_attention()
    dialog = window.attention_screen.open_current()
    assert isinstance(dialog, ConflictChooser)
    window.lock()
    assert window.attention_screen.dialog is None and window.attention_screen.model.rowCount() == 0
    assert not services.sync.running
