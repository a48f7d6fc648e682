"""The contact editor on a disk that does not answer: typing and saving go on (decision 0047).

The app is built with an ``fsync`` the test holds back, the way another program
keeping the disk busy holds a real one. The editor's autosaves must keep committing,
each readable at once by another connection to the file (so a crash of the app loses
nothing), while the thread that makes them survive a power cut is still waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseclient.ui.announce import Announcement
from tests.helpers.clock import FakeClock
from tests.helpers.held_disk import WAIT, HeldDisk, notes_in_file
from tests.ui.conftest import OFFSCREEN_ONLY, PASSPHRASE, WAIT_MS, open_window

pytestmark = OFFSCREEN_ONLY


@pytest.fixture
def disk() -> HeldDisk:
    return HeldDisk()


@pytest.fixture
def services(tmp_path: Path, local_clock: FakeClock, disk: HeldDisk) -> Iterator[AppServices]:
    """The app's services (tests/ui/conftest.py), their store's WAL synced through ``disk``."""
    paths = AppPaths.resolve(tmp_path / "home")
    built = build(paths, clock=local_clock, secrets=MemorySecretStore(),
                  vault=KeyVault(paths.key_file, clock=local_clock, params=KdfParams.for_tests()),
                  fsync=disk.fsync)
    yield built
    disk.open.set()
    built.session.lock()


def notes_in_the_file(services: AppServices, contact_id: str) -> object:
    """The contact's notes as another connection to the store file reads them."""
    key = KeyVault(services.paths.key_file, params=KdfParams.for_tests()).unlock(PASSPHRASE)
    try:
        key_pragma = key.sqlcipher_pragma_value()
    finally:
        key.wipe()
    return notes_in_file(services.paths.database, key_pragma, contact_id)


def test_typing_is_saved_while_the_disk_holds_the_last_save(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str], heard: list[Announcement],
        disk: HeldDisk) -> None:
    window = open_window(qtbot, services, heard)
    window.open_case(case_ids["ann"])
    editor = window.new_contact(case_ids["ann"])
    assert editor is not None
    qtbot.waitUntil(editor.isActiveWindow)
    editor.form.notes.setFocus()
    qtbot.keyClicks(editor.form.notes, "Seen at home.")
    qtbot.waitUntil(disk.started.is_set, timeout=WAIT_MS)       # the first save is being synced

    qtbot.keyClicks(editor.form.notes, " Talked about work.")
    qtbot.waitUntil(lambda: notes_in_the_file(services, editor.contact_id)
                    == "Seen at home. Talked about work.", timeout=WAIT_MS)
    assert not editor.autosave.pending
    assert not editor.banner.isVisible()
    assert not services.session.store.db.synced                 # the disk still has not answered

    disk.open.set()
    assert services.session.store.db.wait_synced(WAIT)
    assert len(disk.synced) >= 1
