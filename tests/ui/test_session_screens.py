"""First run, unlock, wrong passphrase and recovery, driven by the keyboard."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.config import AppPaths
from caseclient.storage.database import Database
from caseclient.storage.kdf import KdfParams
from caseclient.storage.migrate import head_version, migrate
from caseclient.storage.vault import KeyVault
from caseclient.ui.announce import Announcement
from tests.ui.conftest import OFFSCREEN_ONLY, PASSPHRASE, WAIT_MS, open_window

pytestmark = OFFSCREEN_ONLY


def test_first_run_sets_up_and_shows_the_recovery_key_once(
        qtbot: QtBot, services: AppServices, heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    setup = window.setup_screen
    assert window.pages.currentWidget() is setup
    qtbot.waitUntil(setup.fields.first.hasFocus)

    qtbot.keyClicks(setup.fields.first, "short")
    assert "more characters needed" in setup.fields.hint.text()
    qtbot.keyClick(setup.fields.first, Qt.Key.Key_Tab)
    assert setup.fields.second.hasFocus()
    qtbot.keyClick(setup.fields.second, Qt.Key.Key_Return)
    assert setup.fields.first_error.message.startswith("Too short")
    assert setup.fields.first.hasFocus()
    assert heard[-1] == Announcement(setup.fields.first_error.message, assertive=True)
    assert not services.session.is_set_up()

    setup.fields.first.clear()
    qtbot.keyClicks(setup.fields.first, PASSPHRASE)
    assert setup.fields.hint.text() == "Strength: Strong."
    setup.fields.second.setFocus()
    qtbot.keyClicks(setup.fields.second, PASSPHRASE + "x")
    qtbot.keyClick(setup.fields.second, Qt.Key.Key_Return)
    assert setup.fields.second_error.message == "The two passphrases are different. Type it again."
    assert setup.fields.second.selectedText() == PASSPHRASE + "x"

    qtbot.keyClick(setup.fields.second, Qt.Key.Key_Backspace)
    qtbot.keyClicks(setup.fields.second, PASSPHRASE)
    qtbot.keyClick(setup.fields.second, Qt.Key.Key_Return)

    assert services.session.unlocked
    assert setup.currentWidget() is setup.key_page
    key = setup.recovery_key.text()
    assert len(key.replace("-", "")) == 32
    assert setup.recovery_key.hasFocus() and setup.recovery_key.isReadOnly()
    assert window.pages.currentWidget() is setup, "the key stays up until confirmed"
    assert not setup.continue_button.isEnabled()

    setup.kept.setFocus()
    qtbot.keyClick(setup.kept, Qt.Key.Key_Space)
    assert setup.continue_button.isEnabled()
    qtbot.keyClick(setup.kept, Qt.Key.Key_Tab)
    assert setup.continue_button.hasFocus()
    qtbot.keyClick(setup.continue_button, Qt.Key.Key_Space)

    assert window.pages.currentWidget() is window.workspace
    assert setup.recovery_key.text() == "", "shown once only"
    assert window.caseload_screen.search.hasFocus()


def test_wrong_passphrase_keeps_focus_and_selects_the_text(
        qtbot: QtBot, services: AppServices, recovery_key: str,
        heard: list[Announcement]) -> None:
    services.session.lock()
    window = open_window(qtbot, services, heard)
    unlock = window.unlock_screen
    assert window.pages.currentWidget() is unlock
    qtbot.waitUntil(unlock.passphrase.hasFocus)
    assert unlock.passphrase.accessibleName() == "Passphrase"

    qtbot.keyClicks(unlock.passphrase, "not my passphrase")
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not services.session.unlocking, timeout=WAIT_MS)

    assert not services.session.unlocked
    assert not unlock.passphrase.isReadOnly() and not unlock.status.isVisibleTo(unlock)
    assert unlock.error.message.startswith("Passphrase not recognised")
    assert unlock.passphrase.hasFocus()
    assert unlock.passphrase.selectedText() == "not my passphrase"
    assert unlock.passphrase.accessibleDescription().startswith("Error: Passphrase not recognised")
    assert heard[-1].assertive and heard[-1].text.startswith("Passphrase not recognised")

    qtbot.keyClicks(unlock.passphrase, PASSPHRASE)       # typing replaces the selection
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: services.session.unlocked, timeout=WAIT_MS)
    assert window.pages.currentWidget() is window.workspace
    assert unlock.passphrase.text() == ""
    assert window.caseload_screen.model.rowCount() == 2


def test_forgot_passphrase_unlocks_with_the_recovery_key_and_sets_a_new_one(
        qtbot: QtBot, services: AppServices, recovery_key: str,
        heard: list[Announcement]) -> None:
    services.session.lock()
    window = open_window(qtbot, services, heard)
    unlock = window.unlock_screen
    qtbot.waitUntil(unlock.passphrase.hasFocus)
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    recover = window.recover_screen
    qtbot.waitUntil(lambda: window.pages.currentWidget() is recover)   # a mnemonic animates the click
    assert recover.key.hasFocus()

    qtbot.keyClicks(recover.key, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    qtbot.keyClick(recover.key, Qt.Key.Key_Tab)
    qtbot.keyClicks(recover.fields.first, "a brand new passphrase")
    qtbot.keyClick(recover.fields.first, Qt.Key.Key_Tab)
    qtbot.keyClicks(recover.fields.second, "a brand new passphrase")
    qtbot.keyClick(recover.fields.second, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not services.session.unlocking, timeout=WAIT_MS)
    assert recover.key_error.message.startswith("Recovery key not recognised")
    assert recover.key.hasFocus()
    assert not services.session.unlocked

    qtbot.keyClicks(recover.key, recovery_key.lower().replace("-", " "))
    qtbot.keyClick(recover.key, Qt.Key.Key_Return)      # Return in the key field: same as the button
    qtbot.waitUntil(lambda: services.session.unlocked, timeout=WAIT_MS)
    assert window.pages.currentWidget() is window.workspace

    window.lock_action.trigger()
    assert window.pages.currentWidget() is unlock
    qtbot.keyClicks(unlock.passphrase, "a brand new passphrase")
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: services.session.unlocked, timeout=WAIT_MS)


def test_unlocking_a_store_from_an_older_version_updates_it_off_the_ui_thread_aloud(
        qtbot: QtBot, services: AppServices, tmp_path: Path,
        heard: list[Announcement]) -> None:
    """After an upgrade the first unlock checks and migrates the store (a minute or more at
    100,000 contacts): on the unlock thread, each step shown and spoken, focus kept."""
    paths = AppPaths.resolve(tmp_path / "home")           # the profile ``services`` runs on
    paths.ensure()
    vault = KeyVault(paths.key_file, params=KdfParams.for_tests())
    vault.setup(PASSPHRASE)
    key = vault.unlock(PASSPHRASE)
    db = Database.open(paths.database, key.sqlcipher_pragma_value())
    migrate(db, paths.backups_dir, target=1)
    db.close()
    key.wipe()
    threads: list[str] = []
    services.session.unlock_progress.connect(                 # where each step is reported from
        lambda _p: threads.append(threading.current_thread().name),
        Qt.ConnectionType.DirectConnection)

    window = open_window(qtbot, services, heard)
    unlock = window.unlock_screen
    qtbot.waitUntil(unlock.passphrase.hasFocus)
    qtbot.keyClicks(unlock.passphrase, PASSPHRASE)
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    assert unlock.passphrase.isReadOnly() and unlock.passphrase.hasFocus()
    assert unlock.status.text() == "Unlocking…"
    qtbot.waitUntil(lambda: services.session.unlocked, timeout=WAIT_MS)

    steps = head_version() - 1
    assert threads == ["unlock"] * (steps + 1)
    spoken = [a.text for a in heard if not a.assertive and "records" in a.text]
    assert spoken[0].startswith("Checking your records before updating them")
    assert spoken[1:] == [f"Updating your records for this version of Caseclient: step {n} of "
                          f"{steps}. A copy was kept first, so nothing can be lost."
                          for n in range(1, steps + 1)]
    assert window.pages.currentWidget() is window.workspace
    assert not unlock.passphrase.isReadOnly() and unlock.passphrase.text() == ""
    assert (paths.backups_dir / f"{paths.database.stem}.v1.db").exists()


def test_locking_while_an_unlock_runs_stops_it_and_opens_nothing(
        qtbot: QtBot, services: AppServices, recovery_key: str) -> None:
    services.session.lock()
    services.session.unlock_soon(PASSPHRASE)
    assert services.session.unlocking
    services.session.lock()                   # e.g. the window closed meanwhile
    assert not services.session.unlocking
    qtbot.wait(50)                            # the stopped unlock's answer, if any, arrives
    assert not services.session.unlocked

    refused: list[object] = []
    services.session.unlock_refused.connect(refused.append)
    services.session.unlock_soon("not my passphrase")
    qtbot.waitUntil(lambda: not services.session.unlocking, timeout=WAIT_MS)
    assert [type(e).__name__ for e in refused] == ["WrongPassphrase"]
    services.session.unlock_soon(PASSPHRASE)
    qtbot.waitUntil(lambda: services.session.unlocked, timeout=WAIT_MS)
