"""The only httpx user: requests to the central system, with the protocol's
retry, timeout and sign-in rules.

- Timeouts: connect 5 s, read 30 s. TLS verification stays on; a CA bundle can be
  named by configuration, never switched off.
- Transient failures (connection errors, timeouts, 429, 502/503/504) are retried
  with capped exponential backoff and full jitter, honouring ``Retry-After``, but
  one request never sleeps more than ``RetryPolicy.max_wait`` in all: a server that
  asks for a longer wait gets no request until the next sync (:class:`CentralBusy`
  says when), so the worker is never held for long. When failures persist the
  caller gets :class:`Offline` and local work is untouched.
- ``429`` on sign-in is the central system's limit on failed attempts: it is not
  retried (a retry is another attempt, and the wait is minutes); the officer gets
  :class:`TooManySignIns` at once, with the wait in words.
- ``401 invalid_token`` triggers one refresh (rotating refresh token) and one
  retry; a failed refresh forgets the tokens and raises :class:`SignedOut`.
- Every reply body is JSON or a :class:`ProtocolViolation`.

The sleep, random source and HTTP transport are injected, so tests answer
requests in memory (``httpx.MockTransport``) and never sleep.
"""

from __future__ import annotations

import logging
import math
import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from caseclient import __version__
from caseclient.errors import (
    CentralBusy,
    Offline,
    ServerRefused,
    SignedOut,
    TooManySignIns,
    UpgradeRequired,
)
from caseclient.sync.protocol import (
    SCHEMA_VERSION,
    ErrorBody,
    Tokens,
    Violation,
    loads,
    parse_error,
    parse_tokens,
)

log = logging.getLogger(__name__)

API = "/api/v1"
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = 300.0


class CredentialStore(Protocol):
    """Where tokens live (the OS keychain in the app, memory in tests)."""

    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class ResyncRequired(ServerRefused):
    """``410 resync_required``: the cursor is from another epoch; pull a snapshot."""

    message = "The central system asks for a fresh copy of your caseload."

    def __init__(self, epoch: str | None) -> None:
        self.epoch = epoch
        super().__init__()


class IdempotencyMismatch(ServerRefused):
    """``409 idempotency_mismatch``: a mutation id came back with a different payload."""

    message = "The central system already holds a different version of one change."

    def __init__(self, mutation_id: str | None, results: list[Any]) -> None:
        self.mutation_id = mutation_id
        self.results = results
        super().__init__()


@dataclass(frozen=True)
class ServerConfig:
    base_url: str
    ca_bundle: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_wait: float = 60.0        # all the sleeping one request may do, Retry-After included

    def delay(self, attempt: int, rand: Callable[[], float]) -> float:
        """Full jitter: uniform in [0, min(cap, base · 2^attempt)]."""
        return rand() * min(self.max_delay, self.base_delay * float(1 << attempt))


def _retry_after(response: httpx.Response, cap: float | None = MAX_RETRY_AFTER) -> float | None:
    """``Retry-After`` in seconds (the delay form; a date or garbage counts as absent)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = max(0.0, float(value))
    except ValueError:
        return None
    if not math.isfinite(seconds):
        return None
    return seconds if cap is None else min(cap, seconds)


def _body(response: httpx.Response) -> Any:
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type:
        raise Violation("content-type")
    try:
        return loads(response.content)      # a pull page a record at a time (protocol.loads)
    except (ValueError, UnicodeDecodeError) as error:
        raise Violation("(body)") from error


class Transport:
    """Authenticated JSON requests to one central system, for one device (client id)."""

    def __init__(self, config: ServerConfig, *, client_id: str, credentials: CredentialStore,
                 http: httpx.BaseTransport | None = None, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rand: Callable[[], float] = random.random,
                 tls: ssl.SSLContext | None = None) -> None:
        """``tls``: the context to connect with, made once for every engine (sync/tls.py);
        without it httpx makes one from ``config.ca_bundle`` or the system's authorities."""
        self._config = config
        self._client_id = client_id
        self._credentials = credentials
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rand = rand
        timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
        verify: Any = tls if tls is not None else (config.ca_bundle if config.ca_bundle else True)
        self._http = httpx.Client(base_url=config.base_url.rstrip("/") + API, timeout=timeout,
                                  verify=verify, transport=http,
                                  headers={"User-Agent": f"caseclient/{__version__}"})

    def close(self) -> None:
        self._http.close()

    # ---- tokens ------------------------------------------------------------------------
    def _key(self, kind: str) -> str:
        return f"{self._client_id}:{kind}"

    @property
    def signed_in(self) -> bool:
        return self._credentials.get(self._key("refresh")) is not None

    def _store(self, tokens: Tokens) -> None:
        self._credentials.set(self._key("access"), tokens.access_token)
        self._credentials.set(self._key("refresh"), tokens.refresh_token)

    def forget_tokens(self) -> None:
        for kind in ("access", "refresh"):
            self._credentials.delete(self._key(kind))

    # ---- public requests -----------------------------------------------------------------
    def health(self) -> bool:
        try:
            response = self._send("GET", "/health", auth=False)
        except Offline:
            return False
        return response.status_code == 200

    def login(self, username: str, password: str, device_name: str) -> Tokens:
        response = self._send("POST", "/auth/login", auth=False, body={
            "username": username, "password": password, "client_id": self._client_id,
            "device_name": device_name})
        if response.status_code == 401:
            raise ServerRefused("Username or password not recognised.",
                                "Check them and try again.")
        if response.status_code == 429:
            wait = _retry_after(response, cap=None)
            try:
                error = parse_error(_body(response))
            except Violation:
                error = None
            log.info("sign-in refused by the central system's attempt limit")
            raise TooManySignIns(None if wait is None else round(wait),
                                 error.detail if error is not None else "")
        tokens = parse_tokens(self._ok(response))
        self._store(tokens)
        return tokens

    def call(self, method: str, path: str, *, body: Mapping[str, Any] | None = None,
             params: Mapping[str, Any] | None = None) -> Any:
        """An authenticated request; returns the parsed JSON body of a 2xx answer."""
        response = self._send(method, path, auth=True, body=body, params=params)
        if response.status_code == 401 and self._is_token_problem(response):
            self._refresh()
            response = self._send(method, path, auth=True, body=body, params=params)
            if response.status_code == 401:
                self.forget_tokens()
                raise SignedOut()
        return self._ok(response)

    # ---- internals -------------------------------------------------------------------------
    def _is_token_problem(self, response: httpx.Response) -> bool:
        try:
            error = parse_error(_body(response))
        except Violation:
            return True
        return error is None or error.error in ("invalid_token", "token_expired")

    def _refresh(self) -> None:
        refresh_token = self._credentials.get(self._key("refresh"))
        if refresh_token is None:
            raise SignedOut()
        response = self._send("POST", "/auth/refresh", auth=False,
                              body={"refresh_token": refresh_token, "client_id": self._client_id})
        if response.status_code in (400, 401, 403):
            self.forget_tokens()
            raise SignedOut()
        self._store(parse_tokens(self._ok(response)))

    def _ok(self, response: httpx.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            return _body(response)
        error: ErrorBody | None
        try:
            error = parse_error(_body(response))
        except Violation:
            error = None
        code = error.error if error else ""
        if status == 401:
            self.forget_tokens()
            raise SignedOut()
        if status == 426:
            raise UpgradeRequired()
        if status == 410:
            epoch = error.extra.get("epoch") if error else None
            raise ResyncRequired(epoch if isinstance(epoch, str) else None)
        if status == 409 and code == "idempotency_mismatch" and error is not None:
            mutation_id = error.extra.get("mutation_id")
            results = error.extra.get("results")
            raise IdempotencyMismatch(mutation_id if isinstance(mutation_id, str) else None,
                                      results if isinstance(results, list) else [])
        if status in TRANSIENT_STATUS:
            raise CentralBusy(_retry_after(response, cap=None))
        if status >= 500:
            raise ServerRefused("The central system had a problem and did not take the request.",
                                "Your work is kept on this laptop; sync will try again later.")
        log.info("server refused a request: status %s, error %s", status, code or "(none)")
        raise ServerRefused(advice=error.detail if error and error.detail else "")

    def _send(self, method: str, path: str, *, auth: bool, body: Mapping[str, Any] | None = None,
              params: Mapping[str, Any] | None = None) -> httpx.Response:
        """One logical request, retried on transient failures within the wait budget.

        Never raises httpx errors. A transient answer that is not retried (the last
        attempt, or a wait longer than the budget left) is returned for ``_ok`` to
        turn into :class:`CentralBusy`; ``429`` on sign-in is returned at once.
        """
        headers = {"X-Client-Id": self._client_id, "X-Schema-Version": str(SCHEMA_VERSION)}
        budget = self._retry.max_wait
        for attempt in range(self._retry.attempts):
            if auth:
                access = self._credentials.get(self._key("access"))
                if access is None:
                    raise SignedOut()
                headers["Authorization"] = f"Bearer {access}"
            try:
                response = self._http.request(method, path, json=body, params=params,
                                              headers=headers)
            except (httpx.TransportError, httpx.DecodingError) as error:
                log.info("request failed (%s), attempt %d", type(error).__name__, attempt + 1)
                wait = self._retry.delay(attempt, self._rand)
            else:
                if response.status_code not in TRANSIENT_STATUS:
                    return response
                if response.status_code == 429 and path == "/auth/login":
                    return response
                asked = _retry_after(response)
                wait = asked if asked is not None else self._retry.delay(attempt, self._rand)
                if attempt == self._retry.attempts - 1 or wait > budget:
                    return response
            if attempt < self._retry.attempts - 1:
                if wait > budget:
                    break
                budget -= wait
                self._sleep(wait)
        raise Offline()
