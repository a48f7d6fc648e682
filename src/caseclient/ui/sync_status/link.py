"""The window and the sync service, joined: made by ``caseclient.app.wire``.

- every status change of the service is shown in the status bar (in words);
- "Sync now" and the Sync menu ask the service; "Sign in" opens the sign-in dialog,
  and a successful sign-in tells the service;
- each contact save is an edit the service counts at once and syncs shortly after;
- after each sync the open screens and editors re-read their records;
- the worker starts on unlock and stops before the store closes (lock, quit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication

from caseclient.errors import KnownError
from caseclient.services.sync import SyncService
from caseclient.services.sync import SyncStatus as ServiceStatus
from caseclient.ui.errors import known_error_box
from caseclient.ui.sync_status.status import SyncStatus

if TYPE_CHECKING:
    from caseclient.ui.main_window import MainWindow


def bar_status(status: ServiceStatus, now: dt.datetime, *, locked: bool = False) -> SyncStatus:
    """The service's facts as the status bar's value (an age becomes a moment)."""
    oldest = None if status.oldest_waiting_age is None else now - status.oldest_waiting_age
    return SyncStatus(online=status.online, signed_out=not status.signed_in, syncing=status.syncing,
                      last_sync=status.last_sync_at, waiting=status.waiting, oldest_waiting=oldest,
                      needs_attention=status.needs_attention, clock_warning=status.clock_warning,
                      locked=locked, busy=status.busy)


class SyncLink(QObject):
    def __init__(self, window: MainWindow, sync: SyncService, *, prepare: Callable[[], bool],
                 forget: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._sync = sync
        self._prepare = prepare
        self._forget = forget
        services = window.services
        self._session = services.session
        sync.status_changed.connect(self._show)
        sync.sync_finished.connect(self._finished)
        sync.profile_wiped.connect(self._wiped)
        window.status.sync_requested.connect(self.sync_now)
        window.status.sign_in_requested.connect(window.show_sign_in)
        window.signed_in.connect(self._signed_in)
        services.contacts.contact_did_save.connect(self._edited)
        services.contacts.contact_did_finish.connect(self._edited)
        self._session.session_did_unlock.connect(self._unlocked)
        self._session.session_will_lock.connect(self.stop)
        self._session.session_did_lock.connect(self._locked)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        if self._session.unlocked:
            self._unlocked()
        else:
            self._show(sync.status)

    # ---- lifecycle -------------------------------------------------------------------------
    def _unlocked(self, *_info: object) -> None:
        self._prepare()
        self._sync.refresh()
        self._window.services.caseload.start_reader()     # the caseload is re-read there after a sync
        self._sync.start()
        self._show(self._sync.status)

    def _locked(self) -> None:
        self._show(self._sync.status)

    def stop(self) -> None:
        """Before the store closes: the worker ends between two requests, then is gone.

        An outcome the worker posted just before it stopped is delivered now, while
        the store is still open, rather than after the lock closed it.
        """
        self._sync.stop()
        QCoreApplication.sendPostedEvents(self._sync, QEvent.Type.MetaCall)
        self._forget()

    # ---- requests --------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self._session.unlocked:
            self._sync.sync_now()

    def _signed_in(self) -> None:
        if not self._session.unlocked:
            return
        self._sync.stop()                 # the address may be new: reopen the engine on it
        self._prepare()
        self._sync.signed_in_again()

    def _edited(self, *_args: object) -> None:
        if self._session.unlocked:
            self._sync.note_edit()

    # ---- results ---------------------------------------------------------------------------
    def _show(self, status: ServiceStatus) -> None:
        self._window.status.show_status(bar_status(status, self._window.services.clock(),
                                                   locked=not self._session.unlocked))

    def _finished(self, outcome: object) -> None:
        if not self._session.unlocked:
            return
        self._window.records_did_change()
        error = getattr(outcome, "error", None)
        report = getattr(outcome, "report", None)
        if getattr(outcome, "trigger", None) == "manual":
            words = error.plain() if isinstance(error, KnownError) else \
                f"Sync finished: {report.summary()}" if report is not None else "Sync finished."
            self._window.announcer.polite(self._window.status, words)

    def _wiped(self, message: str) -> None:
        known_error_box(self._window, KnownError("The central system has withdrawn this laptop.", message))
        self._session.lock()
