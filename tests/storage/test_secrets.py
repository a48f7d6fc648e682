"""Tokens live in the OS keychain or in memory — never in a file we write ourselves."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail

from caseclient.errors import SecretStoreUnavailable
from caseclient.storage.secrets import (
    KeyringSecretStore,
    MemorySecretStore,
    backend_is_trusted,
    open_secret_store,
)
from tests.helpers.secret_service import private_session_bus, unlocked_keyring


class DictBackend(KeyringBackend):
    """A trustworthy-looking backend kept in a dict (a unit-test stand-in for a keychain)."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.values:
            raise keyring.errors.PasswordDeleteError(username)
        del self.values[(service, username)]


class LockedBackend(DictBackend):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


def test_memory_store_keeps_values_for_the_session_only() -> None:
    store = MemorySecretStore()
    store.set("c:access", "token")
    assert store.get("c:access") == "token" and not store.persistent
    store.delete("c:access")
    store.delete("c:access")
    assert store.get("c:access") is None


def test_a_working_keychain_is_chosen_and_leaves_no_probe_behind() -> None:
    backend = DictBackend()
    store, warning = open_secret_store("caseclient-test", backend)
    assert warning is None and isinstance(store, KeyringSecretStore) and store.persistent
    assert backend.values == {}
    store.set("c:refresh", "r1")
    assert backend.values == {("caseclient-test", "c:refresh"): "r1"}
    store.delete("c:refresh")
    store.delete("c:refresh")  # deleting what is gone is not an error


def test_no_keychain_means_memory_and_a_plain_warning() -> None:
    store, warning = open_secret_store("caseclient-test", fail.Keyring())
    assert isinstance(store, MemorySecretStore)
    assert warning is not None and "sign in next time" in warning


def test_a_locked_keychain_is_not_used() -> None:
    store, warning = open_secret_store("caseclient-test", LockedBackend())
    assert isinstance(store, MemorySecretStore) and warning


def test_plaintext_backends_are_never_trusted() -> None:
    plain = type("PlaintextKeyring", (DictBackend,), {"__module__": "keyrings.alt.file"})()
    assert not backend_is_trusted(plain)
    assert backend_is_trusted(DictBackend())
    assert not backend_is_trusted(fail.Keyring())


def test_keychain_failures_become_a_plain_error() -> None:
    store = KeyringSecretStore("caseclient-test", LockedBackend())
    try:
        store.set("a", "b")
    except SecretStoreUnavailable as error:
        assert "keychain" in error.plain()
    else:
        raise AssertionError("a locked keychain must raise SecretStoreUnavailable")


def test_the_real_secret_service_stores_and_forgets_tokens(tmp_path: Path) -> None:
    """gnome-keyring on a private bus, reached through keyring's SecretService backend."""
    script = textwrap.dedent("""
        from caseclient.storage.secrets import open_secret_store
        store, warning = open_secret_store("caseclient-test")
        assert warning is None, warning
        assert store.persistent
        store.set("client:refresh", "refresh-token-value")
        assert store.get("client:refresh") == "refresh-token-value"
        store.delete("client:refresh")
        assert store.get("client:refresh") is None
        print(store.describe())
    """)
    with private_session_bus(tmp_path) as env, unlocked_keyring(env):
        result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                                text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "SecretService" in result.stdout
    assert "refresh-token-value" not in result.stdout + result.stderr
