"""Keystroke → durable, end to end through the contact editor.

The real app (``caseclient.app.build`` and the main window, offscreen) over a real
encrypted profile with one synthetic case: a new contact's editor is opened as the
officer opens it, and each round types a sentence into the notes box with
``QTest.keyClicks``. The clock starts when the last key event has been handled and
stops when the store holds the text, read through a second SQLCipher connection
to the same file (as any other process would see it after a crash), and the WAL
it is in has been synced to the disk (decision 0047: a thread syncs it after the
commit, off the UI thread; a power cut would keep it from then). Between the
two the event loop runs as it does in the app: the editor waits for the typing
pause, then commits. Target: 250 ms (domain.md: every pause in typing, within
250 ms, encrypted, offline).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtTest import QTest

from benchmarks.caseloads import PASSPHRASE, caseload, load, profile, wire_changes
from benchmarks.qtapp import application, spin_until
from benchmarks.table import BenchRow, median, percentile
from caseclient.app import AppServices
from caseclient.storage import long_text
from caseclient.storage.database import Database
from caseclient.storage.kdf import KdfParams
from caseclient.storage.vault import KeyVault
from caseclient.ui.contacts.autosave import PAUSE_MS
from caseclient.ui.contacts.editor import ContactEditor
from caseclient.ui.main_window import MainWindow

FULL_ROUNDS = 200
QUICK_ROUNDS = 3
SENTENCE = "Seen at the office; talked about work, housing and the next appointment."
TARGET_MS = 250.0
TIMEOUT_S = 10.0


class StoredNotes:
    """The contact's notes as a second connection to the store file reads them."""

    def __init__(self, services: AppServices, contact_id: str) -> None:
        key = KeyVault(services.paths.key_file, params=KdfParams.for_tests()).unlock(PASSPHRASE)
        try:
            self._db = Database.open(services.paths.database, key.sqlcipher_pragma_value(), check=False)
        finally:
            key.wipe()
        self._contact_id = contact_id

    def read(self) -> str | None:
        """Read as the app reads it: long notes are kept in pieces (storage/long_text.py)."""
        rows = self._db.query("SELECT rid, fields, pieces FROM records WHERE record_type = 'contact' "
                              "AND id = ?", (self._contact_id,))
        notes = long_text.assemble(self._db.raw, *rows[0]).get("notes") if rows else None
        return notes if isinstance(notes, str) else None

    def close(self) -> None:
        self._db.close()


def _open_editor(services: AppServices) -> tuple[MainWindow, ContactEditor]:
    window = MainWindow(services)
    window.resize(1000, 700)
    window.show()
    case_id = services.caseload.cases()[0].case_id
    window.open_case(case_id)
    editor = window.new_contact(case_id)
    if editor is None:
        raise RuntimeError("The main window did not open a contact editor.")
    spin_until(editor.isVisible, TIMEOUT_S)
    return window, editor


def measure(rounds: int, folder: Path) -> list[float]:
    """Seconds from the last key event to the text being on disk, per round."""
    services = profile(folder / "home", KdfParams.for_tests())
    services.session.set_up(PASSPHRASE)
    load(services.session.store, wire_changes(caseload(1, 0, in_progress=False)))
    window, editor = _open_editor(services)
    stored = StoredNotes(services, editor.contact_id)
    try:
        notes = editor.form.notes
        notes.setFocus()
        latencies: list[float] = []
        for n in range(rounds):
            QTest.keyClicks(notes, f" {n}. {SENTENCE}")
            typed_at = time.perf_counter()
            expected = notes.toPlainText()

            def durable(expected: str = expected) -> bool:
                return stored.read() == expected and services.session.store.db.synced

            durable_at = spin_until(durable, TIMEOUT_S)
            latencies.append(durable_at - typed_at)
        return latencies
    finally:
        stored.close()
        editor.close()
        window.close()          # locks the session: the store closes
        window.deleteLater()
        spin_until(lambda: True, TIMEOUT_S)


def run(quick: bool = False) -> list[BenchRow]:
    application()
    rounds = QUICK_ROUNDS if quick else FULL_ROUNDS
    with tempfile.TemporaryDirectory(prefix="caseclient-bench-keystroke-") as folder:
        latencies = measure(rounds, Path(folder))
    ms = [s * 1000 for s in latencies]
    what = f"keystroke → durable via the contact editor ({rounds} rounds, {PAUSE_MS} ms pause)"
    return [
        BenchRow(f"{what} p50", median(ms), "ms", target_abs=TARGET_MS),
        BenchRow(f"{what} p99", percentile(ms, 0.99), "ms", target_abs=TARGET_MS),
    ]
