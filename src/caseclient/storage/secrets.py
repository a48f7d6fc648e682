"""Where sign-in tokens live: the OS keychain through ``keyring``, never a plain file.

:class:`SecretStore` is the small interface the sync transport and the session
use. :func:`open_secret_store` picks the keychain when a trustworthy backend
works here (Secret Service, macOS Keychain, Windows Credential Locker); when none
does, tokens live in memory for this session only and the officer is told they
will need to sign in next time. A plaintext or "encrypted file" backend from
keyrings.alt is never used: it would leave a token on disk that outlives the
session.
"""

from __future__ import annotations

import secrets as _random
from typing import Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from caseclient.errors import SecretStoreUnavailable

# Backends that would store secrets in clear (or prompt on a terminal), or do nothing.
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer",
                    "keyrings.alt")


class SecretStore(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...
    def describe(self) -> str: ...

    @property
    def persistent(self) -> bool: ...


class MemorySecretStore:
    """Secrets for this process's lifetime only (tests, or no usable keychain)."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def set(self, name: str, value: str) -> None:
        self._values[name] = value

    def delete(self, name: str) -> None:
        self._values.pop(name, None)

    def describe(self) -> str:
        return "memory only (sign in again after closing)"

    @property
    def persistent(self) -> bool:
        return False


class KeyringSecretStore:
    """Secrets in one keyring backend under ``service``; keychain failures become plain errors."""

    def __init__(self, service: str, backend: KeyringBackend) -> None:
        self._service = service
        self._backend = backend

    def get(self, name: str) -> str | None:
        try:
            value: str | None = self._backend.get_password(self._service, name)
        except keyring.errors.KeyringError as error:
            raise SecretStoreUnavailable() from error
        return value

    def set(self, name: str, value: str) -> None:
        try:
            self._backend.set_password(self._service, name, value)
        except keyring.errors.KeyringError as error:
            raise SecretStoreUnavailable() from error

    def delete(self, name: str) -> None:
        try:
            self._backend.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as error:
            raise SecretStoreUnavailable() from error

    def describe(self) -> str:
        backend = type(self._backend)
        return f"{getattr(self._backend, 'name', backend.__name__)} ({backend.__module__})"

    @property
    def persistent(self) -> bool:
        return True


def backend_is_trusted(backend: KeyringBackend) -> bool:
    module = type(backend).__module__
    if any(module == refused or module.startswith(refused + ".") for refused in _REFUSED_MODULES):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # noqa: BLE001 - a backend's priority probe may fail any way it likes
        return False


def _probe(store: KeyringSecretStore) -> bool:
    """Write, read back and delete a throwaway entry: a locked or broken keychain fails here."""
    name = "probe-" + _random.token_hex(8)
    value = _random.token_hex(16)
    try:
        store.set(name, value)
        ok = store.get(name) == value
        store.delete(name)
    except SecretStoreUnavailable:
        return False
    return ok


def open_secret_store(service: str,
                      backend: KeyringBackend | None = None) -> tuple[SecretStore, str | None]:
    """The keychain if usable, else memory; the second value is a warning to show, or None."""
    chosen = backend if backend is not None else keyring.get_keyring()
    candidates = [chosen]
    viable = getattr(chosen, "backends", None)  # the chainer: try its members in order
    if isinstance(viable, list):
        candidates = list(viable)
    for candidate in candidates:
        if backend_is_trusted(candidate):
            store = KeyringSecretStore(service, candidate)
            if _probe(store):
                return store, None
    return MemorySecretStore(), SecretStoreUnavailable().plain()
