"""SignInService: sign this laptop in to the central system, from the app's sign-in dialog.

:meth:`SignInService.begin` sends the one login request from a worker thread (the
window keeps answering; a screen reader keeps talking), then, back on the UI
thread, records the address and the officer in the store and emits ``finished``
with the :class:`Officer` or the :class:`KnownError` to show. The address offered
is the one this profile last signed in to, else the one IT configured.
"""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal

from caseclient.domain.records import Officer
from caseclient.errors import KnownError, SyncError, TooManySignIns
from caseclient.storage import sync_state
from caseclient.storage.store import Store
from caseclient.sync.signin import (
    CannotReach,
    ServerBusy,
    SignedIn,
    remember,
    request_tokens,
    sign_in,
)
from caseclient.sync.tls import TlsContexts
from caseclient.sync.transport import CredentialStore

__all__ = ["CannotReach", "ServerBusy", "SignInService", "TooManySignIns", "device_name"]

log = logging.getLogger(__name__)


class SignInFailed(SyncError):
    message = "Signing in stopped because of an unexpected problem."
    advice = "Your work is kept on this laptop. Try again; if it keeps happening, tell IT support."


def device_name() -> str:
    return f"Caseclient on {socket.gethostname() or 'this laptop'}"


class _Request(QThread):
    done = Signal(object, object)   # this request, SignedIn | KnownError

    def __init__(self, work: Callable[[], SignedIn], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work

    def run(self) -> None:
        try:
            result: SignedIn | KnownError = self._work()
        except KnownError as error:
            result = error
        except Exception as error:  # noqa: BLE001 - a bug must reach the dialog as words
            # where it happened, not its message: a message may quote what was typed
            log.error("sign-in failed unexpectedly: %s at\n%s", type(error).__name__,
                      "".join(traceback.format_tb(error.__traceback__)))
            result = SignInFailed()
        self.done.emit(self, result)


class SignInService(QObject):
    finished = Signal(object)      # Officer | KnownError

    def __init__(self, store: Callable[[], Store], credentials: CredentialStore, *,
                 configured_url: str | None = None, ca_bundle: str | None = None,
                 tls: TlsContexts | None = None, parent: QObject | None = None) -> None:
        """``tls``: the app's TLS contexts, made once (sync/tls.py); without it this service
        makes its own, at its first sign-in."""
        super().__init__(parent)
        self._tls = tls if tls is not None else TlsContexts()
        self._store = store
        self._credentials = credentials
        self._configured_url = configured_url
        self._ca_bundle = ca_bundle
        self._request: _Request | None = None

    def profile_url(self) -> str | None:
        """The central system this profile last signed in to, if any."""
        return sync_state.server_url(self._store().db.raw)

    def suggested_url(self, preferred: str | None = None) -> str:
        return preferred or self.profile_url() or self._configured_url or ""

    def signed_in(self) -> bool:
        return self._credentials.get(f"{self._store().client_id}:refresh") is not None

    @property
    def busy(self) -> bool:
        return self._request is not None

    def begin(self, server_url: str, username: str, password: str) -> None:
        """Start signing in; ``finished`` follows on this thread (wrong password, too many tries,
        offline and not https come as a KnownError in plain words)."""
        if self._request is not None:
            return
        client_id = self._store().client_id
        credentials, ca_bundle, name, tls = self._credentials, self._ca_bundle, device_name(), self._tls
        url, user = server_url.strip(), username.strip()

        def work() -> SignedIn:
            return request_tokens(client_id, credentials, server_url=url, username=user,
                                  password=password, device_name=name, ca_bundle=ca_bundle,
                                  tls=tls.get(ca_bundle))

        request = _Request(work, self)
        request.done.connect(self._done)
        self._request = request
        request.start()

    def abandon(self) -> None:
        """On lock: let a request in flight end (it has a timeout) and drop its answer."""
        request, self._request = self._request, None
        if request is not None:
            request.done.disconnect(self._done)
            request.wait()
            request.deleteLater()

    def _done(self, request: _Request, result: SignedIn | KnownError) -> None:
        if request is not self._request:
            return                                  # abandoned: the session locked meanwhile
        self._request = None
        request.wait()
        request.deleteLater()
        answer: Officer | KnownError
        if isinstance(result, SignedIn):
            try:
                remember(self._store(), result)
            except KnownError as error:
                answer = error
            else:
                answer = result.officer
        else:
            answer = result
        self.finished.emit(answer)

    def sign_in(self, server_url: str, username: str, password: str) -> Officer:
        """The same, on this thread, for scripts and tests."""
        return sign_in(self._store(), self._credentials, server_url=server_url.strip(),
                       username=username.strip(), password=password, device_name=device_name(),
                       ca_bundle=self._ca_bundle)
