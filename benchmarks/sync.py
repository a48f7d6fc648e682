"""Sync against the reference central system on loopback: first pull, push, no-op, UI stall.

The central system runs in a process of its own (``benchmarks.central``). The
engine is made as the app's sync worker makes it (``sync.factory.EngineFactory``:
its own connection to the encrypted file, 200 mutations a push, 2,000 records a
pull page) for a laptop signed in with ``sync.commands.login``.

- **first pull**: 150 cases, 15,000 contacts, 300 assessments (plus events,
  registers, reference lists) into an empty store: one ``SyncEngine.run()``.
  The reference, measured in the same run just before it with the same device's
  token: the same pull pages fetched with plain httpx and JSON-decoded, nothing
  applied — what the transfer alone costs. Targets: ≤ 2× the raw transfer, ≤ 5 s.
- **the central system's pull** (issue 4): the raw pull above — the server's
  work and the transfer — beside a plain HTTP download of the same bytes from a
  static file server on loopback (``http.server`` in a thread), in the same run.
  Both decode each page's JSON (the raw pull needs its next cursor), so the ratio
  is the central system's work alone.
  Targets: ≤ 2× the plain download, ≤ 5 s.
- **push**: 2,000 contacts started and finished through ``ContactService`` (each
  queued as a create), then one sync: handshake, ten push batches, and the pull
  that brings their server copies back. Target 3 s.
- **no-op sync**: a sync with nothing to send or receive. Target 100 ms.
- **longest UI-thread stall during a full sync**: a new laptop's main window is
  shown and joined to its sync service (``caseclient.app.wire``), which starts the
  real worker ``QThread`` at once; the worker pulls the whole caseload while a
  5 ms precise timer on the UI thread records when it fires. The figure is the
  longest gap between two ticks less the 5 ms interval — how late the UI thread
  was at worst — from the worker's start until 300 ms after the sync finished
  (so the screens re-reading the new records count too). Target 50 ms.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, Qt, QTimer

from benchmarks.caseloads import today
from benchmarks.central import Central, central, key_pragma, laptop
from benchmarks.qtapp import application
from benchmarks.table import BenchRow, median, percentile
from caseclient.app import AppServices, wire
from caseclient.sync.engine import SyncReport
from caseclient.sync.factory import EngineFactory
from caseclient.sync.protocol import SCHEMA_VERSION
from caseclient.sync.scheduler import EngineHandle, EngineLike, SyncOutcome
from caseclient.sync.transport import API, ServerConfig
from caseclient.ui.main import settle_heap
from caseclient.ui.main_window import MainWindow


@dataclass(frozen=True)
class Size:
    cases: int
    contacts_per_case: int
    pull_rounds: int
    pushed: int
    noop_rounds: int


FULL = Size(cases=150, contacts_per_case=100, pull_rounds=2, pushed=2_000, noop_rounds=20)
QUICK = Size(cases=2, contacts_per_case=3, pull_rounds=1, pushed=5, noop_rounds=2)
TICK_MS = 5
SETTLE_S = 0.3
SYNC_TIMEOUT_S = 300.0
STALL_TARGET_MS = 50.0
PAGE_SIZE = EngineFactory.page_size
PULL_RATIO = 2.0
PULL_TARGET_S = 5.0
PUSH_TARGET_S = 3.0
NOOP_TARGET_MS = 100.0


def open_engine(services: AppServices) -> EngineHandle:
    url = services.engine.server_url if services.engine.prepare() else None
    if url is None:
        raise RuntimeError("The benchmark laptop has no central system set.")
    factory = EngineFactory(services.paths.database, key_pragma(services), services.paths.backups_dir,
                            ServerConfig(url), services.secrets)
    return factory(lambda: False, None)


def raw_pull(services: AppServices, base_url: str, keep: list[bytes] | None = None) -> int:
    """Every page of this device's pull, fetched and decoded, nothing applied: records received.
    The pages' bodies go into ``keep`` when given."""
    client_id = services.session.store.client_id
    token = services.secrets.get(f"{client_id}:access")
    if token is None:
        raise RuntimeError("The benchmark laptop is not signed in.")
    headers = {"Authorization": f"Bearer {token}", "X-Client-Id": client_id,
               "X-Schema-Version": str(SCHEMA_VERSION)}
    received = 0
    cursor: str | None = None
    with httpx.Client(base_url=base_url.rstrip("/") + API, headers=headers, timeout=60) as http:
        while True:
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if cursor is not None:
                params["cursor"] = cursor
            response = http.get("/sync/pull", params=params)
            response.raise_for_status()
            if keep is not None:
                keep.append(response.content)
            page = json.loads(response.content)
            received += len(page["changes"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return received


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def plain_download(folder: Path, bodies: list[bytes]) -> tuple[float, int]:
    """Seconds to fetch the same bytes, as one file per page, from a static server on loopback,
    each page JSON-decoded as :func:`raw_pull` decodes it (which it must, for the next cursor),
    so the two differ only by what the central system does to answer."""
    site = folder / "static"
    site.mkdir()
    for number, body in enumerate(bodies):
        (site / f"page{number}.json").write_bytes(body)
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=60) as plain:
            plain.get("/page0.json").raise_for_status()          # connection and page cache warm
            start = time.perf_counter()
            total = 0
            for number in range(len(bodies)):
                response = plain.get(f"/page{number}.json")
                response.raise_for_status()
                json.loads(response.content)
                total += len(response.content)
            return time.perf_counter() - start, total
    finally:
        server.shutdown()
        server.server_close()


def timed_run(engine: EngineLike) -> tuple[float, SyncReport]:
    start = time.perf_counter()
    report = engine.run()
    return time.perf_counter() - start, report


def first_pulls(folder: Path, server: Central, rounds: int,
                bodies: list[bytes]) -> tuple[list[float], list[float], AppServices, EngineHandle]:
    """(engine seconds, raw seconds) per round; the last laptop and its engine stay open.
    The warm-up pull's page bodies go into ``bodies``."""
    pulls: list[float] = []
    raws: list[float] = []
    warm = laptop(folder / "warm-up", server)
    raw_pull(warm, server.base_url, bodies)  # the server's caches, not ours, warm up
    warm.session.lock()
    for n in range(rounds):
        services = laptop(folder / f"laptop{n}", server)
        start = time.perf_counter()
        raw_count = raw_pull(services, server.base_url)
        raws.append(time.perf_counter() - start)
        handle = open_engine(services)
        seconds, report = timed_run(handle.engine)
        pulls.append(seconds)
        if report.pulled != server.records or raw_count != server.records:
            raise RuntimeError(f"pulled {report.pulled} records, raw {raw_count}, expected {server.records}")
        if n < rounds - 1:
            handle.close()
            services.session.lock()
    return pulls, raws, services, handle


def queue_contacts(services: AppServices, count: int) -> None:
    """``count`` phone contacts started and finished as the contact editor does it."""
    case_ids = [c.case_id for c in services.caseload.cases()]
    day = today().isoformat()
    for n in range(count):
        view = services.contacts.new_contact(case_ids[n % len(case_ids)], contact_type="CTEL", date=day,
                                             notes=f"Phoned to check in ({n}); all well, plan unchanged.")
        finished = services.contacts.finish(view.contact.id)
        if not finished.validation.ok:
            raise RuntimeError("a benchmark contact did not pass the finish checks")


def ui_stall(home: Path, server: Central, expected: int) -> tuple[float, int]:
    """Longest lateness (s) of a UI-thread timer while the app's worker pulls everything; ticks.

    ``expected``: the records the server holds now (the caseload and what was pushed to it).
    """
    services = laptop(home, server)
    window = MainWindow(services)
    window.resize(1200, 800)
    window.show()
    settle_heap()                          # as ui.main.run does once the window is shown
    QCoreApplication.processEvents()
    ticks: list[int] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(clock.nsecsElapsed()))
    outcomes: list[SyncOutcome] = []
    loop = QEventLoop()                    # the UI thread waits in its event loop, as in the app

    def finished(outcome: SyncOutcome) -> None:
        outcomes.append(outcome)
        QTimer.singleShot(round(SETTLE_S * 1000), loop.quit)

    services.sync.sync_finished.connect(finished)
    QTimer.singleShot(round(SYNC_TIMEOUT_S * 1000), loop.quit)
    link = wire(window)                    # unlocked already: the worker starts syncing now
    try:
        clock.start()
        timer.start()
        loop.exec()
        timer.stop()
    finally:
        link.stop()
        window.close()
        services.session.lock()
        window.deleteLater()
        QCoreApplication.processEvents()
    if not outcomes:
        raise TimeoutError(f"the worker's sync did not finish within {SYNC_TIMEOUT_S:g} s")
    report = outcomes[0].report
    if report is None or report.pulled != expected:
        raise RuntimeError(f"the worker's sync pulled {None if report is None else report.pulled} "
                           f"of {expected} records ({type(outcomes[0].error).__name__})")
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    if not gaps:
        raise RuntimeError("the UI thread's timer never ticked twice")
    return max(0.0, max(gaps) / 1e9 - TICK_MS / 1000), len(ticks)


def run(quick: bool = False) -> list[BenchRow]:
    application()
    size = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="caseclient-bench-sync-") as name:
        folder = Path(name)
        with central(folder, size.cases, size.contacts_per_case) as server:
            bodies: list[bytes] = []
            pulls, raws, services, handle = first_pulls(folder, server, size.pull_rounds, bodies)
            plain_s, plain_bytes = plain_download(folder, bodies)
            try:
                queue_contacts(services, size.pushed)
                push_s, pushed = timed_run(handle.engine)
                if pushed.sent != size.pushed:
                    raise RuntimeError(f"{pushed.sent} of {size.pushed} mutations were accepted")
                noops = [timed_run(handle.engine)[0] for _ in range(size.noop_rounds)]
            finally:
                handle.close()
                services.session.lock()
            stall_s, ticks = ui_stall(folder / "ui-laptop", server, server.records + size.pushed)
    what = f"{size.cases} cases, {size.cases * size.contacts_per_case:,} contacts, " \
           f"{server.records:,} records"
    noop_ms = [s * 1000 for s in noops]
    return [
        BenchRow(f"first pull ({what})", median(pulls), "s", reference=median(raws),
                 reference_label="the same pages over httpx, decoded, not applied",
                 target_ratio=PULL_RATIO, target_abs=PULL_TARGET_S),
        BenchRow(f"central system's pull of the caseload ({plain_bytes / 1e6:.1f} MB, {len(bodies)} pages)",
                 median(raws), "s", reference=plain_s,
                 reference_label="the same bytes from a static file server on loopback, decoded",
                 target_ratio=PULL_RATIO, target_abs=PULL_TARGET_S),
        BenchRow(f"push {size.pushed:,} finished contacts (one sync)", push_s, "s",
                 target_abs=PUSH_TARGET_S),
        BenchRow(f"no-op sync p50 ({size.noop_rounds} syncs)", median(noop_ms), "ms",
                 target_abs=NOOP_TARGET_MS),
        BenchRow(f"no-op sync p99 ({size.noop_rounds} syncs)", percentile(noop_ms, 0.99), "ms"),
        BenchRow(f"longest UI-thread stall during the first full sync ({TICK_MS} ms timer, {ticks:,} ticks)",
                 stall_s * 1000, "ms", target_abs=STALL_TARGET_MS),
    ]
