"""Signing in from the desktop app: one try, and an answer the officer can act on at once.

:func:`caseclient.sync.commands.login` retries like a sync does (backing off, honouring
``Retry-After``), which is right for a script but leaves a person staring at a dialog.
Here the same login runs over an HTTP transport that stops at the first failure: a
connection that cannot be made is "cannot be reached", a busy server is "busy", and
the server's sign-in limit is :class:`SignInThrottled` with the wait it asked for.
"""

from __future__ import annotations

import ssl

import httpx

from caseclient.domain.records import Officer
from caseclient.errors import Offline, SyncError
from caseclient.storage.store import Store
from caseclient.sync.commands import login
from caseclient.sync.transport import CredentialStore

BUSY = frozenset({502, 503, 504})


class SignInThrottled(SyncError):
    message = "Too many sign-in attempts."

    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(advice=f"Wait {wait_seconds} seconds, then try again. "
                                "Your work is kept on this laptop.")


class CannotReach(Offline):
    message = "The central system cannot be reached."
    advice = ("Check the server address and that this laptop is online. You can sign in later: "
              "your work is kept on this laptop.")


class ServerBusy(Offline):
    message = "The central system is busy just now."
    advice = "Try again in a minute. Your work is kept on this laptop."


def _wait(response: httpx.Response) -> int:
    try:
        return max(1, round(float(response.headers.get("Retry-After", "60"))))
    except ValueError:
        return 60


class _OneTry(httpx.BaseTransport):
    """Passes one request through; turns what would be retried into an error at once."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as error:
            raise CannotReach() from error
        if response.status_code == 429 or response.status_code in BUSY:
            response.close()
            if response.status_code == 429:
                raise SignInThrottled(_wait(response))
            raise ServerBusy()
        return response

    def close(self) -> None:
        self._inner.close()


def sign_in(store: Store, credentials: CredentialStore, *, server_url: str, username: str,
            password: str, device_name: str, ca_bundle: str | None = None,
            http: httpx.BaseTransport | None = None) -> Officer:
    """Sign this device in once; remembers the server; tokens go to ``credentials``."""
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
    transport = _OneTry(http or httpx.HTTPTransport(verify=verify))
    try:
        return login(store, credentials, server_url=server_url, username=username, password=password,
                     device_name=device_name, http=transport)
    finally:
        transport.close()
