"""The composition root assembles working services over one profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseclient.app import build
from caseclient.config import AppPaths
from caseclient.errors import VaultLocked
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from tests.helpers.clock import FakeClock


def test_services_share_the_session_store(tmp_path: Path, clock: FakeClock) -> None:
    paths = AppPaths.resolve(tmp_path / "home")
    services = build(paths, clock=clock, secrets=MemorySecretStore(),
                     vault=KeyVault(paths.key_file, clock=clock, params=KdfParams.for_tests()))
    assert services.secrets_warning is None
    with pytest.raises(VaultLocked):
        services.caseload.cases()
    services.session.set_up("a long enough passphrase")
    assert services.caseload.cases() == []
    services.session.lock()
    with pytest.raises(VaultLocked):
        services.caseload.cases()


def test_without_a_keychain_the_officer_is_warned(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "home")
    services = build(paths, vault=KeyVault(paths.key_file, params=KdfParams.for_tests()))
    # This machine's keychain may or may not work; either way the choice is explained.
    assert services.secrets.persistent or (services.secrets_warning or "").endswith("next time.")
