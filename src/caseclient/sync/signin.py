"""Signing in from the desktop app: one try, and an answer the officer can act on at once.

:func:`caseclient.sync.commands.login` retries like a sync does (backing off, honouring
``Retry-After``), which is right for a script but leaves a person staring at a dialog.
Here the same login runs over an HTTP transport that stops at the first failure: a
connection that cannot be made is "cannot be reached", a busy server is "busy", and
the server's sign-in limit is :class:`~caseclient.errors.TooManySignIns` with the wait it
asked for, in minutes (the same error the command line's login raises).

:func:`request_tokens` is the network half and touches no store, so the app runs it
off the UI thread; :func:`remember` then records the address and the officer in the
store on the UI thread. :func:`sign_in` does both, for scripts and tests.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import httpx

from caseclient.domain.records import Officer
from caseclient.errors import Offline, TooManySignIns
from caseclient.storage import sync_state
from caseclient.storage.store import Store
from caseclient.sync.commands import check_url
from caseclient.sync.tls import make_context
from caseclient.sync.transport import CredentialStore, ServerConfig, Transport

BUSY = frozenset({502, 503, 504})


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
                raise TooManySignIns(_wait(response))
            raise ServerBusy()
        return response

    def close(self) -> None:
        self._inner.close()


@dataclass(frozen=True)
class SignedIn:
    server_url: str
    officer: Officer


def request_tokens(client_id: str, credentials: CredentialStore, *, server_url: str, username: str,
                   password: str, device_name: str, ca_bundle: str | None = None,
                   http: httpx.BaseTransport | None = None,
                   tls: ssl.SSLContext | None = None) -> SignedIn:
    """One login request for device ``client_id``; tokens go to ``credentials``. Any thread.
    ``tls``: the app's context (sync/tls.py), else one is made from ``ca_bundle`` now."""
    url = check_url(server_url)
    verify = tls if tls is not None else make_context(ca_bundle)
    transport = Transport(ServerConfig(url), client_id=client_id, credentials=credentials,
                          http=_OneTry(http or httpx.HTTPTransport(verify=verify)))
    try:
        tokens = transport.login(username, password, device_name)
    finally:
        transport.close()
    return SignedIn(url, tokens.officer)


def remember(store: Store, signed: SignedIn) -> None:
    """The central system this profile now uses, and whose work it holds (the store's thread)."""
    with store.db.transaction() as conn:
        sync_state.set_server_url(conn, signed.server_url)
    store.set_officer(signed.officer)


def sign_in(store: Store, credentials: CredentialStore, *, server_url: str, username: str,
            password: str, device_name: str, ca_bundle: str | None = None,
            http: httpx.BaseTransport | None = None) -> Officer:
    """Sign this device in once and remember the server (both on the caller's thread)."""
    signed = request_tokens(store.client_id, credentials, server_url=server_url, username=username,
                            password=password, device_name=device_name, ca_bundle=ca_bundle, http=http)
    remember(store, signed)
    return signed.officer
