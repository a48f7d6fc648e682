"""The one composition root: paths → vault → session → store-backed services → sync.

Nothing runs at import time and nothing here is global: ``build`` returns the
collaborators, each handed what it needs (the clock, the secret store), so tests
and the command line assemble the same parts the desktop app does. ``wire``
connects a main window to the sync service (``ui.main.run(services, argv, wire=wire)``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from caseclient.config import AppPaths
from caseclient.domain.assessment import builtin_registry
from caseclient.errors import SignedOut
from caseclient.services.assessments import AssessmentService
from caseclient.services.attention import AttentionService
from caseclient.services.case_detail import CaseDetailService
from caseclient.services.caseload import CaseloadService
from caseclient.services.clock import Clock
from caseclient.services.contacts import ContactService
from caseclient.services.diary import DiaryService
from caseclient.services.export import ExportService
from caseclient.services.session import SessionService
from caseclient.services.signin import SignInService
from caseclient.services.sync import SyncService
from caseclient.storage import sync_state
from caseclient.storage.database import Database
from caseclient.storage.secrets import SecretStore, open_secret_store
from caseclient.storage.store import utc_now
from caseclient.storage.vault import KeyVault
from caseclient.storage.wal_sync import Fsync
from caseclient.sync.engine import SyncReport
from caseclient.sync.factory import EngineFactory
from caseclient.sync.scheduler import EngineHandle, SyncSchedule
from caseclient.sync.tls import TlsContexts
from caseclient.sync.transport import RetryPolicy, ServerConfig
from caseclient.ui.assessments.words import answer_words
from caseclient.ui.main_window import MainWindow
from caseclient.ui.sync_status.link import SyncLink

KEYRING_SERVICE = "caseclient"


class _NeverSignedIn:
    """The engine of a profile with no central system yet: every run asks for sign-in."""

    def run(self) -> SyncReport:
        raise SignedOut()


class EngineOpener:
    """What the sync worker calls to open its engine (in the worker thread).

    :meth:`prepare` runs on the UI thread after unlock and after each sign-in: it
    takes the server address from the profile and the store key from the session,
    so the worker itself never touches the UI thread's store or the session.
    """

    def __init__(self, paths: AppPaths, session: SessionService, credentials: SecretStore,
                 clock: Clock, *, retry: RetryPolicy | None = None, ca_bundle: str | None = None,
                 tls: TlsContexts | None = None) -> None:
        self._paths = paths
        self._tls = tls if tls is not None else TlsContexts()
        self._session = session
        self._credentials = credentials
        self._clock = clock
        self._retry = retry
        self._ca_bundle = ca_bundle
        self._factory: EngineFactory | None = None
        session.session_did_lock.connect(self.forget)

    @property
    def server_url(self) -> str | None:
        return None if self._factory is None else self._factory.server.base_url

    def prepare(self) -> bool:
        """Snapshot the server address and key; False while the profile has no central system."""
        store = self._session.store
        url = sync_state.server_url(store.db.raw)
        if url is None:
            self._factory = None
            return False
        self._factory = EngineFactory(self._paths.database, self._session.key_pragma(),
                                      self._paths.backups_dir, ServerConfig(url, ca_bundle=self._ca_bundle),
                                      self._credentials, clock=self._clock, retry=self._retry,
                                      tls=self._tls)
        return True

    def forget(self) -> None:
        """On lock: drop the snapshot (and with it the key)."""
        self._factory = None

    def signed_in(self) -> bool:
        """Tokens for this device and a central system to use them with (UI thread)."""
        if not self._session.unlocked:
            return False
        client_id = self._session.store.client_id
        return self._factory is not None and self._credentials.get(f"{client_id}:refresh") is not None

    def __call__(self, stopping: Callable[[], bool],
                 on_progress: Callable[[int], None] | None = None) -> EngineHandle:
        factory = self._factory
        if factory is None:
            return EngineHandle(_NeverSignedIn(), lambda: None)
        return factory(stopping, on_progress)


@dataclass(frozen=True)
class AppServices:
    paths: AppPaths
    clock: Clock
    secrets: SecretStore
    secrets_warning: str | None
    session: SessionService
    caseload: CaseloadService
    contacts: ContactService
    case_detail: CaseDetailService
    diary: DiaryService
    sync: SyncService
    engine: EngineOpener
    signin: SignInService
    attention: AttentionService
    export: ExportService
    assessments: AssessmentService


def build(paths: AppPaths, *, clock: Clock = utc_now, secrets: SecretStore | None = None,
          vault: KeyVault | None = None, retry: RetryPolicy | None = None,
          schedule: Callable[[], SyncSchedule] | None = None, ca_bundle: str | None = None,
          server_url: str | None = None, fsync: Fsync = os.fsync) -> AppServices:
    """Assemble the services. The store behind them exists only while unlocked.

    ``server_url`` is the central system IT configured (prefilled at sign-in when the
    profile has none yet); ``retry`` and ``schedule`` let tests keep sync prompt;
    ``fsync`` lets them hold back the disk under the autosaves (decision 0047).
    """
    warning: str | None = None
    if secrets is None:
        secrets, warning = open_secret_store(KEYRING_SERVICE)
    session = SessionService(paths, vault or KeyVault(paths.key_file), fsync=fsync)
    caseload = CaseloadService(lambda: session.store, clock, reader=lambda: _reader(paths, session))
    session.session_did_lock.connect(caseload.forget)     # its remembered summaries with it
    contacts = ContactService(lambda: session.store, clock, caseload.reference)
    case_detail = CaseDetailService.for_session(session, clock, caseload.reference)
    diary = DiaryService.for_session(session, clock, caseload.reference)
    # The trusted authorities are loaded now, in the background, not when the worker first
    # connects just after unlock (it held the UI thread ~30-70 ms: sync/tls.py).
    tls = TlsContexts()
    tls.warm(ca_bundle)
    engine = EngineOpener(paths, session, secrets, clock, retry=retry, ca_bundle=ca_bundle, tls=tls)
    sync = SyncService(lambda: session.store, clock, engine, signed_in=engine.signed_in, schedule=schedule)
    signin = SignInService(lambda: session.store, secrets, configured_url=server_url, ca_bundle=ca_bundle,
                           tls=tls)
    session.session_will_lock.connect(signin.abandon)
    registry = builtin_registry()
    # answers in conflict are named by their questions and worded as the assessment editor words them
    attention = AttentionService(sync, lambda: session.store, caseload.reference, registry=registry,
                                 answer_words=answer_words)
    export = ExportService(lambda: session.store, clock)
    # The officer is the one the store keeps from the last sign-in or sync (grade included).
    assessments = AssessmentService.for_session(session, clock, registry=registry)
    return AppServices(paths, clock, secrets, warning, session, caseload, contacts, case_detail, diary,
                       sync, engine, signin, attention, export, assessments)


def _reader(paths: AppPaths, session: SessionService) -> Callable[[], Database]:
    """For the caseload's reader thread: its own connection to the store (the key is taken
    here, on the UI thread, while unlocked; the connection is opened on the reader thread)."""
    path, key = paths.database, session.key_pragma()
    return lambda: Database.open(path, key, check=False)


def wire(window: MainWindow) -> SyncLink:
    """Connect ``window`` to the sync service: status bar, Sync now, sign-in, start and stop."""
    services = window.services
    if not isinstance(services, AppServices):
        raise TypeError("wire() needs the services made by caseclient.app.build")
    return SyncLink(window, services.sync, prepare=services.engine.prepare, forget=services.engine.forget)
