"""Sign-in: plain errors beside the field they concern, success tells the sync service; offered
after first-run setup (skippable); the server address lives in Settings. Real server on loopback."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices, wire
from caseclient.ui.announce import Announcement
from caseclient.ui.main_window import MainWindow
from caseclient.ui.signin.dialog import SignInDialog
from tests.helpers.central import PASSWORD, Central, closed_port_url
from tests.ui.audit import duplicate_mnemonics, problems
from tests.ui.conftest import OFFSCREEN_ONLY, PASSPHRASE, WAIT_MS, open_window

pytestmark = OFFSCREEN_ONLY


def _dialog(qtbot: QtBot, window: MainWindow) -> SignInDialog:
    window.sign_in_action.trigger()
    dialog = window.sign_in_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _type(qtbot: QtBot, dialog: SignInDialog, address: str | None, username: str, password: str,
          *, sent: bool = True) -> None:
    """Fill the form by keyboard, from the address field down, press Enter, and (when the form was
    complete) wait for the central system's answer: the request runs off the UI thread."""
    if address is not None:
        dialog.address.setFocus()
        dialog.address.selectAll()
        qtbot.keyClick(dialog.address, Qt.Key.Key_Delete)
        qtbot.keyClicks(dialog.address, address)
    dialog.username.setFocus()
    dialog.username.selectAll()
    qtbot.keyClick(dialog.username, Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    assert dialog.password.hasFocus()
    dialog.password.selectAll()
    qtbot.keyClick(dialog.password, Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.password, password)
    if not sent:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        return
    with qtbot.waitSignal(dialog.answered, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert dialog.busy and not dialog.password.isEnabled(), "the form waits for the answer"


def test_refusals_in_plain_words_then_success_starts_sync(
        qtbot: QtBot, app_services: AppServices, central: Central, heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    window = open_window(qtbot, services, heard)
    wire(window)
    dialog = _dialog(qtbot, window)
    assert dialog.address.hasFocus(), "nothing configured: the address comes first"
    assert problems(dialog) == [] and duplicate_mnemonics(dialog) == []

    _type(qtbot, dialog, "http://cases.example.org", "po1", PASSWORD)
    assert dialog.address_error.message.startswith("The central system must be reached over https.")
    assert dialog.address.hasFocus()
    assert dialog.address.accessibleDescription().startswith("Error: The central system must be")
    assert heard[-1].assertive and heard[-1].text == dialog.address_error.message

    _type(qtbot, dialog, closed_port_url(), "po1", PASSWORD)
    assert dialog.address_error.message.startswith("The central system cannot be reached.")
    assert dialog.address_error.message.endswith("your work is kept on this laptop.")

    _type(qtbot, dialog, central.url, "po1", "not the password")
    assert dialog.password_error.message == "Username or password not recognised. Check them and try again."
    assert dialog.password.hasFocus() and dialog.password.selectedText() == "not the password"
    assert dialog.address_error.message == "", "the old error goes when it no longer holds"

    _type(qtbot, dialog, None, "", "", sent=False)
    assert dialog.username_error.message == "Type your username."
    assert dialog.username.hasFocus()

    for _ in range(2):
        _type(qtbot, dialog, None, "po1", "still wrong")
    _type(qtbot, dialog, None, "po1", PASSWORD)
    message = dialog.password_error.message
    assert message.startswith("Too many sign-in attempts. Try again in ") and " minute" in message
    assert dialog.isVisible()
    assert not services.signin.signed_in()


def test_signing_in_sends_the_work_and_says_who(
        qtbot: QtBot, app_services: AppServices, central: Central, heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    window = open_window(qtbot, services, heard)
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        wire(window)
    assert window.status.sign_in_button.isVisibleTo(window.status)
    dialog = _dialog(qtbot, window)
    with qtbot.waitSignals([window.signed_in, services.sync.sync_finished], timeout=WAIT_MS):
        _type(qtbot, dialog, central.url, "po1", PASSWORD)
    assert Announcement("Signed in as Officer PO1. Sending your work now.", assertive=False) in heard
    assert window.sign_in_dialog is None
    assert services.signin.profile_url() == central.url
    assert window.status.connection.text() == "Online"
    assert not window.status.sign_in_button.isVisibleTo(window.status)
    assert [c.crn for c in services.caseload.cases()] == ["A000001"]


def test_first_run_offers_sign_in_which_can_wait(
        qtbot: QtBot, app_services: AppServices, heard: list[Announcement]) -> None:
    services = app_services
    window = open_window(qtbot, services, heard)
    setup = window.setup_screen
    qtbot.keyClicks(setup.fields.first, PASSPHRASE)
    qtbot.keyClicks(setup.fields.second, PASSPHRASE)
    qtbot.keyClick(setup.fields.second, Qt.Key.Key_Return)
    setup.kept.setFocus()
    qtbot.keyClick(setup.kept, Qt.Key.Key_Space)
    qtbot.keyClick(setup.continue_button, Qt.Key.Key_Space)

    dialog = window.sign_in_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.address.hasFocus()
    assert dialog.later_button.text() == "Sign in &later — your work is kept on this laptop"
    assert problems(dialog) == [] and duplicate_mnemonics(dialog) == []
    with qtbot.waitSignal(dialog.rejected):          # a mnemonic clicks the button a moment later
        qtbot.keyClick(dialog.address, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert window.sign_in_dialog is None
    assert window.pages.currentWidget() is window.workspace
    assert services.session.unlocked


def test_the_server_address_is_a_setting_offered_at_sign_in(
        qtbot: QtBot, app_services: AppServices, heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    window = open_window(qtbot, services, heard)
    settings = window.show_settings()
    qtbot.waitExposed(settings)
    assert problems(settings) == [] and duplicate_mnemonics(settings) == []
    qtbot.waitUntil(settings.isActiveWindow)
    qtbot.keyClick(settings.auto_lock, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert settings.server.hasFocus()
    qtbot.keyClicks(settings.server, "https://cases.example.gov.uk")
    qtbot.keyClick(settings.server, Qt.Key.Key_Return)
    assert window.display.server_url == "https://cases.example.gov.uk"
    assert window.settings_file.load().server_url == "https://cases.example.gov.uk"
    dialog = window.sign_in_dialog
    assert dialog is not None, "a new address is used by signing in there"
    assert dialog.address.text() == "https://cases.example.gov.uk"
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.username.hasFocus(), "the address is known: the username comes first"
    dialog.reject()


def test_locking_while_signing_in_drops_the_answer_and_closes_the_dialog(
        qtbot: QtBot, app_services: AppServices, central: Central, heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    window = open_window(qtbot, services, heard)
    wire(window)
    dialog = _dialog(qtbot, window)
    answered: list[object] = []
    services.signin.finished.connect(answered.append)
    qtbot.keyClicks(dialog.address, central.url)
    dialog.username.setFocus()
    qtbot.keyClicks(dialog.username, "po1")
    dialog.password.setFocus()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert services.signin.busy
    window.lock()                                   # before the answer is taken
    assert not services.signin.busy and window.sign_in_dialog is None
    assert not services.session.unlocked and not services.sync.running
    qtbot.wait(0)                                   # any answer already posted is delivered now
    assert answered == [], "an answer after the lock is dropped, not shown"
    services.signin.finished.disconnect(answered.append)


def test_focus_comes_back_to_the_main_window_when_the_dialog_closes(
        qtbot: QtBot, app_services: AppServices, central: Central, heard: list[Announcement]) -> None:
    """Nothing hands activation back when a dialog closes without a window manager (the AT-SPI
    test found it): the dialog gives it back to its window, on the control that opened it, or,
    when that control went with the sign-in (the status bar's button), to a control still shown."""
    services = app_services
    services.session.set_up(PASSPHRASE)
    window = open_window(qtbot, services, heard)
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        wire(window)
    search = window.caseload_screen.search
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    dialog = _dialog(qtbot, window)                  # Sync → Sign in… from the search field
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.sign_in_dialog is None)
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(search.hasFocus)

    button = window.status.sign_in_button
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    qtbot.keyClick(button, Qt.Key.Key_Space)
    dialog = window.sign_in_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    with qtbot.waitSignals([window.signed_in, services.sync.sync_finished], timeout=WAIT_MS):
        _type(qtbot, dialog, central.url, "po1", PASSWORD)
    qtbot.waitUntil(window.isActiveWindow)
    assert not button.isVisibleTo(window)           # signed in: the button went with the dialog
    assert QApplication.focusWidget() is search       # the screen's first control in Tab order
