"""A laptop holding 100,000 contacts: unlock → caseload shown, notes search, peak memory.

One profile is built per run on the real composition root: the vault with KDF
parameters calibrated here (as a real set-up does), then 150 synthetic cases of
one case holder with about 667 contacts each applied as the central system's
copies, in large transactions. Then:

- **unlock → caseload shown**: from the unlock screen's Enter (``try_unlock``: on the
  unlock thread Argon2id, key unwrap, the store made ready; then SQLCipher opened with
  its quick check) through the main window's unlock handler filling the caseload
  table, to the window painted. The
  reference is one Argon2id derivation with the same parameters, measured in the
  same run; the target is 1 s on top of it.
- **notes search**: ``CaseloadService.search`` — what the caseload screen runs as
  the officer pauses typing — for typical words, word pairs and prefixes of the
  synthetic notes, names and CRNs. The ranked full-text search
  (``store.records.search``: every hit ranked and its row read; no screen runs it as
  the officer types) is timed after it, in its own loop, for comparison across runs.
- **peak RSS**: a child process (``benchmarks.rss_probe``) unlocks the profile in
  the main window, shows the caseload, searches and opens a case, then reports its
  high-water mark of resident memory (VmHWM).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop

from benchmarks.caseloads import PASSPHRASE, caseload, contact_count, load, profile, wire_changes
from benchmarks.qtapp import application
from benchmarks.table import BenchRow, median, percentile
from caseclient.app import AppServices
from caseclient.storage.kdf import KdfParams, calibrate, measure
from caseclient.storage.store import Store
from caseclient.storage.vault import KeyVault
from caseclient.ui.main_window import MainWindow


@dataclass(frozen=True)
class Size:
    cases: int
    contacts_per_case: int
    unlock_rounds: int
    search_rounds: int


FULL = Size(cases=150, contacts_per_case=667, unlock_rounds=3, search_rounds=3)
QUICK = Size(cases=3, contacts_per_case=4, unlock_rounds=1, search_rounds=1)
UNLOCK_OVER_KDF_S = 1.0
SEARCH_TARGET_MS = 50.0
RSS_TARGET_MB = 250.0
# Whole words, word pairs and prefixes as an officer types them (from caseserver.synthetic.notes).
WORDS = ("housing", "interview", "garden", "alcohol", "sick note", "job offer", "appoint", "kitch",
         "unpai", "w")


@dataclass(frozen=True)
class Built:
    home: Path
    services: AppServices
    params: KdfParams
    contacts: int
    search_terms: tuple[str, ...]


def build(home: Path, size: Size, params: KdfParams) -> Built:
    """A set-up, filled, locked profile; search terms include a surname and a CRN prefix."""
    services = profile(home, params)
    services.session.set_up(PASSPHRASE)
    made = caseload(size.cases, size.contacts_per_case)
    changes = wire_changes(made)
    load(services.session.store, changes)
    first_case = next(r for r in made.records if r.record_type == "case")
    terms = (*WORDS, str(first_case.fields["last_name"]), str(first_case.fields["crn"])[:4])
    services.session.lock()
    return Built(home, services, params, contact_count(changes), terms)


def _unlock_through_screen(window: MainWindow) -> None:
    """Type the passphrase and press Enter, then wait in an event loop (as the app does, not
    spinning: a polling loop took a core from the key derivation on the unlock thread)."""
    session = window.services.session
    loop = QEventLoop()
    session.session_did_unlock.connect(loop.quit)
    session.unlock_refused.connect(loop.quit)
    try:
        window.unlock_screen.passphrase.setText(PASSPHRASE)
        window.unlock_screen.try_unlock()        # as Enter does: on the unlock thread
        if not session.unlocked:
            loop.exec()
    finally:
        session.session_did_unlock.disconnect(loop.quit)
        session.unlock_refused.disconnect(loop.quit)
    if not session.unlocked:
        raise RuntimeError("the benchmark profile did not unlock")


def unlock_to_caseload(built: Built, rounds: int) -> tuple[list[float], list[float], int]:
    """Seconds from passphrase to caseload painted, and Argon2id alone, per round; rows shown."""
    services = built.services
    window = MainWindow(services)
    window.resize(1200, 800)
    window.show()
    QCoreApplication.processEvents()
    shown: list[float] = []
    kdf: list[float] = []
    rows = 0
    try:
        for _ in range(rounds):
            kdf.append(measure(built.params))
            start = time.perf_counter()
            _unlock_through_screen(window)          # the window fills the caseload as it unlocks
            window.repaint()
            shown.append(time.perf_counter() - start)
            rows = window.caseload_screen.model.rowCount()
            services.session.lock()
            QCoreApplication.processEvents()
    finally:
        window.close()
        window.deleteLater()
        QCoreApplication.processEvents()
    return shown, kdf, rows


def parts_of_unlock(built: Built) -> tuple[float, float]:
    """Store.open (quick check, migrations) and CaseloadService.cases() alone, once each."""
    services = built.services
    services.session.unlock(PASSPHRASE)
    try:
        services.caseload.forget()          # the figures worked out afresh, not remembered
        start = time.perf_counter()
        services.caseload.cases()
        cases_s = time.perf_counter() - start
    finally:
        services.session.lock()
    key = KeyVault(services.paths.key_file, params=built.params).unlock(PASSPHRASE)
    try:
        start = time.perf_counter()
        Store.open(services.paths.database, key.sqlcipher_pragma_value(),
                   backups_dir=services.paths.backups_dir).close()
        open_s = time.perf_counter() - start
    finally:
        key.wipe()
    return open_s, cases_s


def _timed(find: Callable[[str], object], terms: Sequence[str], rounds: int) -> list[float]:
    """Seconds per call of ``find``, every term in turn, ``rounds`` times over."""
    seconds: list[float] = []
    for _ in range(rounds):
        for term in terms:
            start = time.perf_counter()
            find(term)
            seconds.append(time.perf_counter() - start)
    return seconds


def search(built: Built, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds per CaseloadService.search and per ranked full-text search, over every term."""
    services = built.services
    services.session.unlock(PASSPHRASE)
    try:
        store = services.session.store
        # The caseload is on screen before anyone types (the window shows it at unlock): its
        # summaries and each record's case are read then, not at the first keystroke.
        services.caseload.cases()
        # Each in its own loop: the ranked query reads every hit's row (no screen runs it per
        # keystroke), and run between them it left the caseload search a cold page cache.
        service = _timed(services.caseload.search, built.search_terms, rounds)
        fts = _timed(store.records.search, built.search_terms, rounds)
        return service, fts
    finally:
        services.session.lock()


def peak_rss_mb(home: Path, terms: Sequence[str]) -> float:
    """VmHWM of a child process that unlocks, shows the caseload, searches and opens a case."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    request = json.dumps({"home": str(home), "passphrase": PASSPHRASE, "terms": list(terms)})
    done = subprocess.run([sys.executable, "-m", "benchmarks.rss_probe"], input=request, text=True,
                          capture_output=True, env=env, check=False, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the memory probe failed: {done.stderr.strip()[-500:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_kib"]) / 1024


def run(quick: bool = False) -> list[BenchRow]:
    application()
    size = QUICK if quick else FULL
    params = KdfParams.for_tests() if quick else calibrate()
    with tempfile.TemporaryDirectory(prefix="caseclient-bench-scale-") as folder:
        built = build(Path(folder) / "home", size, params)
        shown, kdf, rows = unlock_to_caseload(built, size.unlock_rounds)
        if rows != size.cases:
            raise RuntimeError(f"the caseload showed {rows} cases, not {size.cases}")
        open_s, cases_s = parts_of_unlock(built)
        service, fts = search(built, size.search_rounds)
        rss = peak_rss_mb(built.home, built.search_terms)
    n = f"{built.contacts:,} contacts"
    kdf_s = median(kdf)
    kdf_label = f"Argon2id alone, t={params.time_cost} m={params.memory_kib // 1024} MiB"
    service_ms = [s * 1000 for s in service]
    fts_ms = [s * 1000 for s in fts]
    searches = f"{len(built.search_terms)} terms × {size.search_rounds}"
    return [
        BenchRow(f"unlock → caseload shown, {n}", median(shown), "s", reference=kdf_s,
                 reference_label=kdf_label, target_abs=kdf_s + UNLOCK_OVER_KDF_S),
        BenchRow(f"  of which Store.open (quick_check, migrations), {n}", open_s, "s"),
        BenchRow(f"  of which CaseloadService.cases(), {n}", cases_s, "s"),
        BenchRow(f"notes search p50, {n} (CaseloadService.search, {searches})", median(service_ms), "ms",
                 target_abs=SEARCH_TARGET_MS),
        BenchRow(f"notes search p99, {n} (CaseloadService.search, {searches})",
                 percentile(service_ms, 0.99), "ms", target_abs=SEARCH_TARGET_MS),
        BenchRow(f"  ranked full-text search p50, {n} (store.records.search)", median(fts_ms), "ms"),
        BenchRow(f"  ranked full-text search p99, {n} (store.records.search)", percentile(fts_ms, 0.99),
                 "ms"),
        BenchRow(f"peak RSS, {n} (unlock, caseload, search, open a case)", rss, "MB",
                 target_abs=RSS_TARGET_MB),
    ]
