"""The logic of ``caseclient login --server URL``, ``caseclient sync --once`` and
``caseclient status``: each takes an unlocked store and the secret store and returns what
to print (and, for sync, the exit code). cli.py only parses arguments and unlocks.

Exit codes of ``sync --once``: 0 everything sent and received; 2 it ran, but something
needs the officer's attention or is still waiting; 3 sign in needed; 4 a newer Caseclient
is needed; 1 any other failure (offline, refused, not understood). Nothing is lost on any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from caseclient.domain.records import Officer
from caseclient.errors import KnownError, SignedOut, SyncError, UpgradeRequired
from caseclient.storage import outbox, reconcile, sync_state
from caseclient.storage.store import Store
from caseclient.sync.engine import SyncEngine
from caseclient.sync.transport import CredentialStore, ServerConfig, Transport

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ATTENTION = 2
EXIT_SIGN_IN = 3
EXIT_UPGRADE = 4


class NoServer(SyncError):
    message = "No central system has been set for this profile."
    advice = "Run 'caseclient login --server URL' first."


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    text: str


def check_url(url: str) -> str:
    """The server address as it will be used, or a plain refusal (https unless on this computer)."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise SyncError("That server address is not a web address.",
                        "Give it as https://host[:port], as IT support provided it.")
    if parsed.scheme == "http" and parsed.host not in ("127.0.0.1", "localhost", "::1"):
        raise SyncError("The central system must be reached over https.",
                        "Only a server on this computer may use plain http (for demos and tests).")
    return str(parsed).rstrip("/")


def _transport(store: Store, credentials: CredentialStore, *, server_url: str | None = None,
               ca_bundle: str | None = None, http: httpx.BaseTransport | None = None) -> Transport:
    url = server_url or sync_state.server_url(store.db.raw)
    if url is None:
        raise NoServer()
    return Transport(ServerConfig(url, ca_bundle=ca_bundle), client_id=store.client_id,
                     credentials=credentials, http=http)


def login(store: Store, credentials: CredentialStore, *, server_url: str, username: str,
          password: str, device_name: str, ca_bundle: str | None = None,
          http: httpx.BaseTransport | None = None) -> Officer:
    """Sign this device in; remembers the server for later syncs. Tokens go to ``credentials``."""
    url = check_url(server_url)
    transport = _transport(store, credentials, server_url=url, ca_bundle=ca_bundle, http=http)
    try:
        tokens = transport.login(username, password, device_name)
    finally:
        transport.close()
    with store.db.transaction() as conn:
        sync_state.set_server_url(conn, url)
    store.set_officer(tokens.officer)
    return tokens.officer


def sync_once(store: Store, credentials: CredentialStore, *, clock: Callable[[], dt.datetime],
              ca_bundle: str | None = None, http: httpx.BaseTransport | None = None) -> CommandResult:
    """One full sync now; the summary says what happened in counts (never case data)."""
    try:
        transport = _transport(store, credentials, ca_bundle=ca_bundle, http=http)
    except KnownError as error:
        return CommandResult(EXIT_FAILED, error.plain())
    try:
        report = SyncEngine(store, transport, clock=clock).run()
    except SignedOut as error:
        return CommandResult(EXIT_SIGN_IN, error.plain())
    except UpgradeRequired as error:
        return CommandResult(EXIT_UPGRADE, error.plain())
    except KnownError as error:
        return CommandResult(EXIT_FAILED, error.plain())
    finally:
        transport.close()
    lines = [f"Sync finished: {report.summary()}"]
    if report.clock_warning:
        lines.append(report.clock_warning)
    lines.extend(report.notes)
    code = EXIT_ATTENTION if (report.needs_attention or report.waiting) else EXIT_OK
    return CommandResult(code, "\n".join(lines))


def _age(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"


def status(store: Store, credentials: CredentialStore, *, clock: Callable[[], dt.datetime]) -> str:
    """Where this laptop stands, from local facts only (no network)."""
    conn = store.db.raw
    state = sync_state.read(conn)
    counts = outbox.counts(conn)
    waiting = sum(counts.get(s, 0) for s in outbox.WAITING)
    attention = sum(counts.get(s, 0) for s in outbox.NEEDS_ATTENTION)
    url = sync_state.server_url(conn)
    signed_in = credentials.get(f"{store.client_id}:refresh") is not None
    now = clock()
    lines = [f"Central system: {url or 'not set (run caseclient login --server URL)'}",
             f"Signed in: {'yes' if signed_in else 'no — sign in to send your work'}",
             "Last successful sync: " + ("never" if state.last_sync_at is None else
                                         f"{_age(now - state.last_sync_at)} ago"),
             f"Waiting to be sent: {waiting}"]
    oldest = outbox.oldest_waiting_at(conn)
    if oldest is not None:
        lines.append(f"Oldest waiting item: {_age(now - dt.datetime.fromisoformat(oldest))} old")
    lines.append(f"Needs attention: {attention}")
    held = reconcile.held_cases(conn)
    if held:
        lines.append(f"Cases no longer on your caseload, kept for unsent work: {len(held)}")
    if state.clock_skew_seconds is not None and abs(state.clock_skew_seconds) > 300:
        lines.append(f"This laptop's clock was {_age(dt.timedelta(seconds=abs(state.clock_skew_seconds)))} "
                     "off the central system's at the last sync.")
    return "\n".join(lines)
