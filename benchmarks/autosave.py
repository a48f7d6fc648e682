"""Autosave commit latency beside plain SQLite doing the least a durable save can do.

The figure: ``ContactService.save_draft`` on a real SQLCipher store (WAL), the notes
field growing by a sentence on every save, timed from the call until the save is on
the disk. The commit returns without waiting for the disk and a thread syncs the WAL
at once (decision 0047), so the clock stops when the store says that sync is done.
What the UI thread itself waits (the call's return) is its own row. The reference,
measured in the same run and interleaved save by save so both see the same disk:
Python's stock ``sqlite3`` with WAL and ``synchronous=FULL`` committing one row of
the same size. Target: p99 to the disk no more than twice the plain p99.

PySide6 6.12.0 on CPython 3.11 drops a reference to ``True`` on every signal
``emit`` (tests/reliability/test_signal_refcount.py); the interpreter aborts once
the count reaches zero, a few hundred emits in. When that leak is present the run
puts back, between timed saves, the references its own emits took, and says so,
so the figures can still be taken; the app itself needs the PySide6 pin.
"""

from __future__ import annotations

import ctypes
import gc
import secrets
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from benchmarks.table import BenchRow, median, percentile
from caseclient.services.caseload import CaseloadService
from caseclient.services.contacts import ContactService
from caseclient.storage.store import Store, utc_now

FULL_SAVES = 2_000
QUICK_SAVES = 40
SENTENCE = "Discussed housing, work and the next appointment; agreed the plan. "
TARGET_RATIO = 2.0
SYNC_TIMEOUT_S = 30.0


def _case_record() -> dict[str, object]:
    return {"record_type": "case", "record_id": "0192f6c3-0000-7000-8000-00000000be4c",
            "version": 1, "fields": {"crn": "X000000", "first_name": "Bench", "last_name": "Mark",
                                     "tier": "B2", "officer_code": "N01A123"}}


class PlainRow:
    """One row in a stock SQLite file with the same durability settings."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        self.conn.execute("INSERT INTO notes (id, body) VALUES (1, '')")

    def save(self, body: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE notes SET body = ? WHERE id = 1", (body,))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class _Probe(QObject):
    fired = Signal(object)


def emit_leaks_true() -> bool:
    """True when a signal emit loses a reference to ``True`` (PySide6 6.12.0, CPython 3.11)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(10):
        probe.fired.emit(None)
    return sys.getrefcount(True) < before


class TrueRefcountKeeper:
    """Puts back references to ``True`` that a leaking emit took (outside timed code)."""

    def __init__(self) -> None:
        self.baseline = sys.getrefcount(True)
        self.active = emit_leaks_true()
        self.settle()

    def settle(self) -> None:
        if self.active:
            for _ in range(self.baseline - sys.getrefcount(True)):
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


def measure(saves: int, folder: Path, keeper: TrueRefcountKeeper
            ) -> tuple[list[float], list[float], list[float], int]:
    """Seconds per ``save_draft`` until synced, until it returned and per plain commit, and the
    final notes size in bytes."""
    store = Store.open(folder / "cases.db", "x'" + secrets.token_hex(32) + "'",
                       backups_dir=folder / "backups")
    plain = PlainRow(folder / "plain.db")
    try:
        store.records.apply_server_records([_case_record()])
        caseload = CaseloadService(lambda: store, utc_now)
        contacts = ContactService(lambda: store, utc_now, caseload.reference)
        contact_id = contacts.new_contact(str(_case_record()["record_id"]), contact_type="COAP",
                                          date="2026-11-24").contact.id
        ours: list[float] = []
        returned: list[float] = []
        reference: list[float] = []
        notes = ""
        gc.collect()
        gc.disable()
        try:
            for n in range(saves):
                notes += f"{n}. {SENTENCE}"
                start = time.perf_counter()
                contacts.save_draft(contact_id, {"notes": notes})
                back = time.perf_counter()
                if not store.db.wait_synced(SYNC_TIMEOUT_S):
                    raise RuntimeError("An autosave was not synced to the disk in time.")
                middle = time.perf_counter()
                plain.save(notes)
                ours.append(middle - start)
                returned.append(back - start)
                reference.append(time.perf_counter() - middle)
                keeper.settle()
        finally:
            gc.enable()
        return ours, returned, reference, len(notes.encode("utf-8"))
    finally:
        plain.close()
        store.close()


def run(quick: bool = False) -> list[BenchRow]:
    saves = QUICK_SAVES if quick else FULL_SAVES
    keeper = TrueRefcountKeeper()
    if keeper.active:
        print("autosave: this PySide6 drops a reference to True on every signal emit; "
              "putting them back between saves", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="caseclient-bench-autosave-") as folder:
        ours, returned, reference, size = measure(saves, Path(folder), keeper)
    keeper.settle()
    label = "stock sqlite3, WAL + synchronous=FULL, one row"
    early = max(2, saves // 10)      # a note of everyday length: the first tenth of the saves
    early_kib = size * early // saves // 1024
    return [
        BenchRow(f"autosave save_draft p50 ({saves} saves)", median(ours) * 1000, "ms",
                 reference=median(reference) * 1000, reference_label=label),
        BenchRow(f"autosave save_draft p99 ({saves} saves)", percentile(ours, 0.99) * 1000, "ms",
                 reference=percentile(reference, 0.99) * 1000, reference_label=label,
                 target_ratio=TARGET_RATIO),
        BenchRow(f"autosave save_draft p99, first {early} saves (notes ≤ {early_kib} KiB)",
                 percentile(ours[:early], 0.99) * 1000, "ms",
                 reference=percentile(reference[:early], 0.99) * 1000, reference_label=label),
        BenchRow(f"  of which the UI thread waits (save_draft returns) p50 ({saves} saves)",
                 median(returned) * 1000, "ms"),
        BenchRow(f"  of which the UI thread waits (save_draft returns) p99 ({saves} saves)",
                 percentile(returned, 0.99) * 1000, "ms"),
        BenchRow("autosave notes size at the last save", size / 1024, "KiB"),
    ]
