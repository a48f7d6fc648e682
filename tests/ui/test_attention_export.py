"""Export as the last resort: a record written to a passphrase-encrypted file (or a PDF), by keyboard."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices, wire
from caseclient.services.export import ExportProblem, read_encrypted
from caseclient.ui.announce import Announcement
from caseclient.ui.attention.export_dialog import ENCRYPTED_SUFFIX, ExportDialog
from tests.helpers.central import PASSWORD, Central
from tests.ui.audit import duplicate_mnemonics, problems
from tests.ui.conftest import OFFSCREEN_ONLY, PASSPHRASE, WAIT_MS, open_window

pytestmark = OFFSCREEN_ONLY
FILE_PASSPHRASE = "river otter lantern"


def _press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key, modifier)


def _retype(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def test_a_refused_record_is_exported_encrypted_and_as_pdf(
        qtbot: QtBot, app_services: AppServices, central: Central, tmp_path: Path,
        heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    services.signin.sign_in(central.url, "po1", PASSWORD)
    window = open_window(qtbot, services, heard)
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        wire(window)
    stray = str(uuid.uuid4())
    records = services.session.store.records
    records.create_draft("contact", stray, central.other_case_id,
                         {"case_id": central.other_case_id, "contact_type": "COAP", "date": "2026-11-30",
                          "sensitive": False, "alert": False, "notes": "Words worth keeping"})
    records.finish("contact", stray)
    with qtbot.waitSignal(services.sync.attention_changed, timeout=WAIT_MS):
        services.sync.sync_now()
    window.show_attention()
    screen = window.attention_screen
    qtbot.keyClick(screen.table, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, ExportDialog))
    dialog = screen.dialog
    assert isinstance(dialog, ExportDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.encrypted.hasFocus() and dialog.encrypted.isChecked()
    assert problems(dialog) == [] and duplicate_mnemonics(dialog) == []

    target = tmp_path / f"kept{ENCRYPTED_SUFFIX}"
    _retype(qtbot, dialog.path, str(target))
    _retype(qtbot, dialog.passphrase, FILE_PASSPHRASE)
    _press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.again, "a different one")
    _press(qtbot, Qt.Key.Key_Return)
    assert dialog.passphrase_error.message == "The two passphrases are different."
    assert dialog.again.hasFocus() and not target.exists()

    _retype(qtbot, dialog.passphrase, "short")
    _retype(qtbot, dialog.again, "short")
    _press(qtbot, Qt.Key.Key_Return)
    assert dialog.passphrase_error.message.startswith("Use a passphrase of at least 10 characters.")
    assert not target.exists()

    _retype(qtbot, dialog.passphrase, FILE_PASSPHRASE)
    _retype(qtbot, dialog.again, FILE_PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted):
        _press(qtbot, Qt.Key.Key_Return)
    assert Announcement(f"Exported to {target.name}.", assertive=False) in heard
    raw = target.read_bytes()
    assert b"Words worth keeping" not in raw, "the file is encrypted"
    opened = read_encrypted(target, FILE_PASSPHRASE)
    assert opened["record_id"] == stray and opened["fields"]["notes"] == "Words worth keeping"
    assert [c["state"] for c in opened["changes"]] == ["rejected"]
    with pytest.raises(ExportProblem, match="Passphrase not recognised"):
        read_encrypted(target, "not the passphrase")

    # PDF: readable by anyone; says so; the file name follows the kind
    dialog = screen.export_current()
    assert isinstance(dialog, ExportDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.encrypted, Qt.Key.Key_Down)           # arrows move within the radio group
    assert dialog.pdf.isChecked() and not dialog.passphrase.isEnabled()
    assert dialog.path.text().endswith(".pdf")
    pdf = tmp_path / "kept.pdf"
    _retype(qtbot, dialog.path, str(pdf))
    with qtbot.waitSignal(dialog.accepted):
        _press(qtbot, Qt.Key.Key_Return)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert services.sync.status.needs_attention == 1, "exporting does not dismiss"
