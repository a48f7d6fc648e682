"""SessionService on a real vault and a real encrypted store."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from caseclient.config import AppPaths
from caseclient.errors import ProfileExists, VaultLocked, WrongPassphrase
from caseclient.services.session import SessionInfo, SessionService
from caseclient.storage.kdf import KdfParams
from caseclient.storage.vault import KeyVault
from tests.helpers.clock import FakeClock

PASS = "a long enough passphrase"


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.resolve(tmp_path / "profile")


@pytest.fixture
def session(paths: AppPaths, clock: FakeClock) -> SessionService:
    return SessionService(paths, KeyVault(paths.key_file, clock=clock, params=KdfParams.for_tests()))


def test_set_up_opens_the_store_and_returns_a_recovery_key(session: SessionService,
                                                           paths: AppPaths, qtbot: QtBot) -> None:
    assert not session.is_set_up()
    with qtbot.waitSignal(session.session_did_unlock) as unlocked:
        recovery = session.set_up(PASS)
    assert len(recovery.replace("-", "")) == 32
    assert isinstance(unlocked.args[0], SessionInfo) and session.unlocked
    assert paths.database.exists() and session.is_set_up()
    with pytest.raises(ProfileExists):
        session.set_up("another passphrase")
    session.lock()


def test_lock_tells_editors_first_then_forgets_the_store(session: SessionService,
                                                        qtbot: QtBot) -> None:
    session.set_up(PASS)
    order: list[str] = []
    session.session_will_lock.connect(lambda: order.append("will (store open: "
                                                           f"{session.unlocked})"))
    session.session_did_lock.connect(lambda: order.append("did"))
    session.lock()
    assert order == ["will (store open: True)", "did"]
    assert not session.unlocked
    with pytest.raises(VaultLocked):
        _ = session.store
    session.lock()  # locking twice is harmless
    assert order == ["will (store open: True)", "did"]


def test_work_survives_lock_and_unlock(session: SessionService) -> None:
    session.set_up(PASS)
    client_id = session.info().client_id
    session.store.set_officer_code("PO123")
    session.lock()
    with pytest.raises(WrongPassphrase):
        session.unlock("not the passphrase")
    assert not session.unlocked
    info = session.unlock(PASS)
    assert info == SessionInfo(client_id, "PO123")
    session.lock()


def test_change_passphrase_and_recover(session: SessionService) -> None:
    recovery = session.set_up(PASS)
    session.lock()
    session.change_passphrase(PASS, "the second passphrase")
    with pytest.raises(WrongPassphrase):
        session.unlock(PASS)
    session.unlock("the second passphrase")
    session.lock()
    session.recover(recovery, "the third passphrase")
    assert session.unlocked
    session.lock()
    session.unlock("the third passphrase")
    session.lock()
