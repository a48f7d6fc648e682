"""The main window: first-run setup, unlock and recovery, then the workspace.

It follows the session: unlocked shows the workspace, locked shows the unlock
screen (editors have flushed on ``session_will_lock`` before that). Every command
is in a menu with a mnemonic and, where there is a standard one, its shortcut.
Closing the window never asks to save: everything is saved already. After first-run
setup it offers to sign in to the central system (skippable); ``signed_in`` tells
the sync link (``ui/sync_status/link.py``) when a sign-in succeeded.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QMessageBox, QStackedWidget, QWidget

from caseclient import __version__
from caseclient.errors import KnownError
from caseclient.services.clock import local_naive
from caseclient.ui.announce import Announcer
from caseclient.ui.assessments.editor import AssessmentEditor
from caseclient.ui.attention.screen import AttentionScreen
from caseclient.ui.caseload.screen import CaseloadScreen
from caseclient.ui.cases.view import CaseView
from caseclient.ui.contacts.editor import ContactEditor
from caseclient.ui.diary.screen import DiaryScreen
from caseclient.ui.help.shortcuts import ShortcutsDialog
from caseclient.ui.services import AppServicesLike
from caseclient.ui.session.autolock import AutoLock
from caseclient.ui.session.recover import RecoverScreen
from caseclient.ui.session.setup import SetupScreen
from caseclient.ui.session.unlock import UnlockScreen
from caseclient.ui.settings import DisplaySettings, SettingsFile
from caseclient.ui.settings_dialog import SettingsDialog
from caseclient.ui.signin.dialog import SignInDialog
from caseclient.ui.sync_status.status_bar import SyncStatusBar
from caseclient.ui.theme import ThemeApplier

TITLE = "Caseclient"
Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


class MainWindow(QMainWindow):
    window_will_close = Signal()
    signed_in = Signal()

    def __init__(self, services: AppServicesLike, announcer: Announcer | None = None,
                 parent: QWidget | None = None, *, theme_applier: ThemeApplier | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.announcer = announcer or Announcer(self)
        self._setting_up = False
        self._shown_once = False
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        session = services.session

        self.setup_screen = SetupScreen(session, self.announcer)
        self.unlock_screen = UnlockScreen(session, self.announcer)
        self.recover_screen = RecoverScreen(session, self.announcer)
        self.caseload_screen = CaseloadScreen(services.caseload, self.announcer)
        self.workspace = QStackedWidget()
        self.workspace.setAccessibleName("Workspace")
        self.case_detail = services.case_detail
        self.case_view = CaseView(self.case_detail, services.caseload, services.contacts,
                                  clock=services.clock, announcer=self.announcer,
                                  assessments=services.assessments, session=session)
        self.diary = services.diary
        self.diary_screen = DiaryScreen(self.diary, self.announcer)
        self.attention_screen = AttentionScreen(services.attention, services.export, self.announcer)
        self.editors: dict[str, ContactEditor] = {}
        self.sign_in_dialog: SignInDialog | None = None
        for screen in (self.caseload_screen, self.case_view, self.diary_screen, self.attention_screen):
            self.workspace.addWidget(screen)
        self.pages = QStackedWidget()
        for page in (self.setup_screen, self.unlock_screen, self.recover_screen, self.workspace):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)
        self.status = SyncStatusBar(services.clock, self.announcer)
        self.setStatusBar(self.status)
        self.settings_file = SettingsFile(services.paths.settings_file.with_name("display.ini"))
        self.display = self.settings_file.load()
        self.theme_applier = theme_applier
        self.autolock = AutoLock(session, self.announcer,
                                 idle_ms=self.display.auto_lock_minutes * 60_000, window=self)

        self.unlock_screen.forgot_requested.connect(self.show_recover)
        self.recover_screen.back_requested.connect(self.show_unlock)
        self.setup_screen.setup_did_finish.connect(self._setup_finished)
        self.caseload_screen.case_opened.connect(self.open_case)
        self.case_view.back_requested.connect(self.show_caseload)
        self.case_view.contact_opened.connect(self.open_contact)
        self.case_view.new_contact_requested.connect(self.new_contact)
        self.diary_screen.contact_opened.connect(self.open_contact)
        self.status.attention_requested.connect(self.show_attention)
        session.session_did_unlock.connect(self._unlocked)
        session.session_did_lock.connect(self._locked)
        self._build_menus()
        if session.unlocked:
            self._show_workspace()
        elif session.is_set_up():
            self.show_unlock()
        else:
            self.show_setup()

    # ---- menus -----------------------------------------------------------------------------
    def _action(self, menu: QMenu, text: str, slot: object, shortcut: Shortcut = None,
                *, needs_unlock: bool = True, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        action.setProperty("needs_unlock", needs_unlock)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_contact_action = self._action(
            file_menu, "&New contact", lambda: self.new_contact(self.case_view.case_id),
            QKeySequence.StandardKey.New, tip="Record a contact on the open case.")
        self.new_assessment_action = self._action(
            file_menu, "New a&ssessment", self.new_assessment, "Ctrl+Shift+N",
            tip="Start a risk and needs assessment on the open case.")
        self.lock_action = self._action(file_menu, "&Lock", self.lock, "Ctrl+L",
                                        tip="Lock Caseclient now; your work is saved first.")
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "E&xit", self.close, QKeySequence.StandardKey.Quit,
                                        needs_unlock=False)
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        go_menu = bar.addMenu("&Go")
        self.caseload_action = self._action(go_menu, "&Caseload", self.show_caseload, "Ctrl+1")
        self.find_action = self._action(go_menu, "&Find a case", self.find_case,
                                        QKeySequence.StandardKey.Find)
        self.diary_action = self._action(go_menu, "&Today and diary", self.show_diary, "Ctrl+T")
        self.attention_action = self._action(go_menu, "Needs &attention", self.show_attention,
                                             "Ctrl+Shift+A", tip="Conflicts and refused changes to settle.")
        sync_menu = bar.addMenu("&Sync")
        self.sync_action = self._action(sync_menu, "Sync &now", self.status.sync_requested.emit,
                                        QKeySequence.StandardKey.Refresh,
                                        tip="Send your work and fetch changes now.")
        if self.sync_action.shortcut().isEmpty():
            self.sync_action.setShortcut(QKeySequence("F5"))
        self.sign_in_action = self._action(sync_menu, "&Sign in…", self.show_sign_in,
                                           tip="Sign in to the central system to send your work.")
        tools_menu = bar.addMenu("T&ools")
        self.settings_action = self._action(tools_menu, "&Settings…", self.show_settings,
                                            QKeySequence.StandardKey.Preferences, needs_unlock=False)
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        help_menu = bar.addMenu("&Help")
        self.shortcuts_action = self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1",
                                             needs_unlock=False, tip="Every command and its keys.")
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+?")])
        help_menu.addSeparator()
        self.about_action = self._action(help_menu, "&About Caseclient", self.show_about, needs_unlock=False)
        self.menus = {"file": file_menu, "go": go_menu, "sync": sync_menu, "tools": tools_menu,
                      "help": help_menu}
        self._enable_actions(False)

    def _enable_actions(self, unlocked: bool) -> None:
        for action in self.findChildren(QAction):
            if action.property("needs_unlock"):
                action.setEnabled(unlocked)

    # ---- after a sync ----------------------------------------------------------------------
    def records_did_change(self) -> None:
        """Re-read what is on screen after records changed underneath (a sync finished).

        The composition root connects the sync service's "finished" signal here; open
        editors re-read their state and announce it when it moved (e.g. to "Sent").
        """
        if not self.services.session.unlocked:
            return
        current = self.workspace.currentWidget()
        if current is self.caseload_screen:
            self.caseload_screen.refresh_if_changed()
        elif current is self.case_view:
            self.case_view.refresh()
        elif current is self.diary_screen:
            self.diary_screen.refresh()
        elif current is self.attention_screen:
            self.attention_screen.refresh()
        for editor in self.editors.values():
            editor.refresh_state()
        windows = self.case_view.assessment_windows
        if windows is not None and current is not self.case_view:   # the case view refreshed them
            windows.refresh()

    # ---- settings --------------------------------------------------------------------------
    def show_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.display, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.chosen()))
        dialog.open()
        return dialog

    def apply_settings(self, chosen: DisplaySettings) -> None:
        new_server = chosen.server_url and chosen.server_url != self.display.server_url
        self.display = chosen
        self.settings_file.save(chosen)
        self.autolock.set_idle_ms(chosen.auto_lock_minutes * 60_000)
        if self.theme_applier is not None:
            self.theme_applier.apply(chosen.theme, chosen.text_size)
        self.announcer.polite(self, "Settings saved.")
        if new_server and self.services.session.unlocked \
                and chosen.server_url != self.services.signin.profile_url():
            self.show_sign_in()

    # ---- sign-in, about --------------------------------------------------------------------
    def show_sign_in(self, *, first_run: bool = False) -> SignInDialog | None:
        """The sign-in dialog, prefilled; a success is announced and emits ``signed_in``."""
        if not self.services.session.unlocked:
            return None
        if self.sign_in_dialog is not None:
            self.sign_in_dialog.raise_()
            return self.sign_in_dialog
        address = self.services.signin.suggested_url(self.display.server_url or None)
        dialog = SignInDialog(self.services.signin, self.announcer, address=address,
                              first_run=first_run, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._sign_in_finished)
        self.sign_in_dialog = dialog
        dialog.open()
        return dialog

    def _sign_in_finished(self, result: int) -> None:
        self.sign_in_dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.signed_in.emit()

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.menuBar(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, f"About {TITLE}",
                          f"{TITLE} {__version__}", QMessageBox.StandardButton.Ok, self)
        box.setInformativeText("Offline-first case recording for probation officers. Your work is "
                               "kept encrypted on this laptop and sent when the central system can "
                               "be reached.")
        box.setAccessibleName(f"About {TITLE}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # ---- pages -----------------------------------------------------------------------------
    def show_setup(self) -> None:
        self._setting_up = True
        self.pages.setCurrentWidget(self.setup_screen)
        self.setup_screen.start()

    def show_unlock(self) -> None:
        self.pages.setCurrentWidget(self.unlock_screen)
        self.unlock_screen.reset()

    def show_recover(self) -> None:
        self.pages.setCurrentWidget(self.recover_screen)
        self.recover_screen.start()

    def show_caseload(self) -> None:
        self.workspace.setCurrentWidget(self.caseload_screen)
        self.caseload_screen.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_diary(self) -> None:
        self.workspace.setCurrentWidget(self.diary_screen)
        self.diary_screen.refresh()
        self.diary_screen.today_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_attention(self) -> None:
        if not self.services.session.unlocked:
            return
        self.workspace.setCurrentWidget(self.attention_screen)
        self.attention_screen.refresh()
        self.attention_screen.focus_list()

    def find_case(self) -> None:
        self.workspace.setCurrentWidget(self.caseload_screen)
        self.caseload_screen.focus_search()

    def open_case(self, case_id: str) -> None:
        self.workspace.setCurrentWidget(self.case_view)
        self.case_view.show_case(case_id)
        self._enable_actions(True)

    def new_contact(self, case_id: str | None) -> ContactEditor | None:
        if case_id is None or self.workspace.currentWidget() is not self.case_view:
            self.announcer.polite(self, "Open a case first, then start a new contact.")
            return None
        view = self.services.contacts.new_contact(case_id, date=self._today().isoformat())
        return self.open_contact(view.contact.id)

    def new_assessment(self) -> AssessmentEditor | None:
        """Start an assessment on the open case and open it (answers come from the last locked one)."""
        windows = self.case_view.assessment_windows
        if self.case_view.case_id is None or windows is None \
                or self.workspace.currentWidget() is not self.case_view:
            self.announcer.polite(self, "Open a case first, then start a new assessment.")
            return None
        return windows.start(self.case_view.case_id, self.case_view.case_title)

    def open_assessment(self, assessment_id: str) -> AssessmentEditor | None:
        """Open (or raise) an assessment's editor, titled with its case."""
        windows = self.case_view.assessment_windows
        if windows is None:
            return None
        try:
            view = self.services.assessments.get(assessment_id)
        except KnownError as exc:
            self.announcer.assertive(self, exc.plain())
            return None
        person = self.case_detail.detail(view.case_id).person
        return windows.open(assessment_id, f"{person.display_name} ({person.crn})", view=view)

    def open_contact(self, contact_id: str) -> ContactEditor:
        editor = self.editors.get(contact_id)
        if editor is None:
            view = self.services.contacts.get(contact_id)
            person = self.case_detail.detail(view.contact.case_id).person
            editor = ContactEditor(self.services.contacts, self.services.session,
                                   self.services.caseload.reference(), view,
                                   case_title=f"{person.display_name} ({person.crn})",
                                   announcer=self.announcer)
            editor.editor_did_close.connect(self._editor_closed)
            self.editors[contact_id] = editor
            editor.resize(self.width(), self.height())
            editor.show()
        else:
            editor.raise_()
        editor.activateWindow()
        editor.form.contact_type.setFocus(Qt.FocusReason.OtherFocusReason)
        return editor

    def _editor_closed(self, contact_id: str) -> None:
        self.editors.pop(contact_id, None)

    def _today(self) -> dt.date:
        return local_naive(self.services.clock).date()

    def _show_workspace(self) -> None:
        self.pages.setCurrentWidget(self.workspace)
        self._enable_actions(True)
        self.caseload_screen.refresh()
        self.workspace.setCurrentWidget(self.caseload_screen)
        self.caseload_screen.focus_search()

    # ---- session ---------------------------------------------------------------------------
    def _unlocked(self, _info: object) -> None:
        if self._setting_up:
            return                  # the recovery key is on screen until it is confirmed
        self._show_workspace()
        self.announcer.polite(self, "Unlocked")

    def _setup_finished(self) -> None:
        self._setting_up = False
        self._shown_once = False
        self._show_workspace()
        self.show_sign_in(first_run=True)

    def _locked(self) -> None:
        self._enable_actions(False)
        self.case_view.clear()
        self.diary_screen.clear()
        self.attention_screen.clear()
        if self.sign_in_dialog is not None:
            self.sign_in_dialog.abandon()
        self.workspace.setCurrentWidget(self.caseload_screen)
        self.caseload_screen.clear()
        self.show_unlock()
        self.announcer.assertive(self, "Caseclient is locked. Type your passphrase to carry on.")

    def lock(self) -> None:
        self.services.session.lock()

    def showEvent(self, event: QShowEvent) -> None:
        """Focus set before the window first shows is dropped by Qt: set it again now."""
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            page = self.pages.currentWidget()
            focus = page.focusWidget() if page is not None else None
            if focus is not None:
                focus.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
            elif self.pages.currentWidget() is self.workspace:
                self.caseload_screen.focus_search()

    def closeEvent(self, event: QCloseEvent) -> None:
        """No "save changes?": editors flush as the session locks, then the window goes."""
        self.window_will_close.emit()
        self.services.session.lock()
        event.accept()
