"""The composition root assembles working services over one profile, sync included."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.errors import SignedOut, VaultLocked
from caseclient.storage import sync_state
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseclient.sync.scheduler import SyncOutcome
from tests.helpers.clock import FakeClock

PASSPHRASE = "a long enough passphrase"


def _build(tmp_path: Path, clock: FakeClock) -> AppServices:
    paths = AppPaths.resolve(tmp_path / "home")
    return build(paths, clock=clock, secrets=MemorySecretStore(),
                 vault=KeyVault(paths.key_file, clock=clock, params=KdfParams.for_tests()))


def test_services_share_the_session_store(tmp_path: Path, clock: FakeClock) -> None:
    services = _build(tmp_path, clock)
    assert services.secrets_warning is None
    with pytest.raises(VaultLocked):
        services.caseload.cases()
    services.session.set_up(PASSPHRASE)
    assert services.caseload.cases() == []
    assert services.attention.items() == []
    services.session.lock()
    with pytest.raises(VaultLocked):
        services.caseload.cases()


def test_without_a_keychain_the_officer_is_warned(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "home")
    services = build(paths, vault=KeyVault(paths.key_file, params=KdfParams.for_tests()))
    # This machine's keychain may or may not work; either way the choice is explained.
    assert services.secrets.persistent or (services.secrets_warning or "").endswith("next time.")


def test_a_profile_never_signed_in_syncs_to_a_sign_in_request_without_the_network(
        qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> None:
    services = _build(tmp_path, clock)
    services.session.set_up(PASSPHRASE)
    assert services.engine.prepare() is False, "no central system on this profile yet"
    assert not services.engine.signed_in()
    asked: list[str] = []
    services.sync.sign_in_needed.connect(asked.append)
    try:
        with qtbot.waitSignal(services.sync.sync_finished, timeout=30_000) as finished:
            services.sync.start()
    finally:
        services.sync.stop()
        services.session.lock()
    outcome = finished.args[0]
    assert isinstance(outcome, SyncOutcome) and isinstance(outcome.error, SignedOut)
    assert asked == [SignedOut.message]
    assert not services.sync.status.signed_in


def test_the_store_key_never_shows_in_a_repr(tmp_path: Path, clock: FakeClock) -> None:
    services = _build(tmp_path, clock)
    services.session.set_up(PASSPHRASE)
    try:
        with services.session.store.db.transaction() as conn:
            sync_state.set_server_url(conn, "https://central.example")
        assert services.engine.prepare() is True
        assert services.engine.server_url == "https://central.example"
        factory = services.engine._factory  # looking for the key
        assert factory is not None
        key = factory.key_pragma
        assert key.startswith("x'") and key not in repr(factory) and key not in repr(services)
    finally:
        services.session.lock()
    assert services.engine.server_url is None, "the key snapshot goes with the lock"
