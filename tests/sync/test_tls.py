"""The TLS context the app connects to the central system with: made once per CA bundle,
ahead of the first sync, and shared by every engine the worker opens (sync/tls.py)."""

from __future__ import annotations

import logging
import ssl
import threading
from pathlib import Path

import certifi
import pytest
from pytestqt.qtbot import QtBot

from caseclient.errors import Offline
from caseclient.services.signin import SignInService
from caseclient.storage.store import Store
from caseclient.sync.factory import EngineFactory
from caseclient.sync.tls import TlsContexts, make_context
from caseclient.sync.transport import ServerConfig
from tests.helpers.central import closed_port_url
from tests.sync.fakes import MemoryCredentials


class Counting:
    def __init__(self) -> None:
        self.made: list[tuple[str | None, str]] = []      # (bundle, thread)

    def __call__(self, ca_bundle: str | None) -> ssl.SSLContext:
        self.made.append((ca_bundle, threading.current_thread().name))
        return make_context(ca_bundle)


def test_a_context_is_made_once_per_bundle_and_shared() -> None:
    counting = Counting()
    contexts = TlsContexts(counting)
    system = contexts.get(None)
    assert contexts.get(None) is system
    own = contexts.get(certifi.where())
    assert own is not system and contexts.get(certifi.where()) is own
    assert [bundle for bundle, _ in counting.made] == [None, certifi.where()]
    for context in (system, own):
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
        assert context.cert_store_stats()["x509_ca"] > 0


def test_warming_makes_it_on_a_thread_of_its_own_and_the_first_connection_takes_it() -> None:
    counting = Counting()
    contexts = TlsContexts(counting)
    contexts.warm(None).join(30)
    assert counting.made == [(None, "caseclient-tls")]
    contexts.get(None)
    assert len(counting.made) == 1


def test_a_bundle_that_cannot_be_read_is_said_when_a_connection_asks(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    missing = str(tmp_path / "no-such-bundle.pem")
    contexts = TlsContexts()
    with caplog.at_level(logging.INFO, logger="caseclient.sync.tls"):
        contexts.warm(missing).join(30)
    assert "could not be made ahead: FileNotFoundError" in caplog.text
    assert missing not in caplog.text
    for _ in range(2):                                  # not remembered as made
        with pytest.raises(FileNotFoundError):
            contexts.get(missing)


def test_every_engine_the_worker_opens_connects_with_the_one_context(
        store: Store, store_path: Path, key_pragma: str) -> None:
    counting = Counting()
    contexts = TlsContexts(counting)
    factory = EngineFactory(store_path, key_pragma, store_path.parent / "backups",
                            ServerConfig("https://central.example"), MemoryCredentials(),
                            tls=contexts)
    for _ in range(2):
        factory(lambda: False, None).close()
    assert [bundle for bundle, _ in counting.made] == [None]


def test_signing_in_connects_with_the_apps_context_made_once(qtbot: QtBot, store: Store) -> None:
    counting = Counting()
    contexts = TlsContexts(counting)
    signin = SignInService(lambda: store, MemoryCredentials(), tls=contexts)
    answers: list[object] = []
    signin.finished.connect(answers.append)
    for tries in (1, 2):
        with qtbot.waitSignal(signin.finished, timeout=30_000):
            signin.begin(closed_port_url(), "po1", "a password")
        assert len(answers) == tries and isinstance(answers[-1], Offline)
    assert [bundle for bundle, _ in counting.made] == [None]
