"""SignInService: sign this laptop in to the central system, from the app's sign-in dialog.

Runs on the UI thread (one request, answered at once: see ``sync/signin.py``). The
address offered is the one this profile last signed in to, else the one IT
configured, else the officer's own entry in Settings.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from caseclient.domain.records import Officer
from caseclient.storage import sync_state
from caseclient.storage.store import Store
from caseclient.sync.signin import CannotReach, ServerBusy, SignInThrottled, sign_in
from caseclient.sync.transport import CredentialStore


def device_name() -> str:
    return f"Caseclient on {socket.gethostname() or 'this laptop'}"


class SignInService:
    def __init__(self, store: Callable[[], Store], credentials: CredentialStore, *,
                 configured_url: str | None = None, ca_bundle: str | None = None) -> None:
        self._store = store
        self._credentials = credentials
        self._configured_url = configured_url
        self._ca_bundle = ca_bundle

    def profile_url(self) -> str | None:
        """The central system this profile last signed in to, if any."""
        return sync_state.server_url(self._store().db.raw)

    def suggested_url(self, preferred: str | None = None) -> str:
        return preferred or self.profile_url() or self._configured_url or ""

    def signed_in(self) -> bool:
        return self._credentials.get(f"{self._store().client_id}:refresh") is not None

    def sign_in(self, server_url: str, username: str, password: str) -> Officer:
        """Raises a KnownError in plain words (wrong password, too many tries, offline, not https)."""
        return sign_in(self._store(), self._credentials, server_url=server_url.strip(),
                       username=username.strip(), password=password, device_name=device_name(),
                       ca_bundle=self._ca_bundle)


__all__ = ["CannotReach", "ServerBusy", "SignInService", "SignInThrottled", "device_name"]
