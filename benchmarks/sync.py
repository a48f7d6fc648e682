"""Sync figures against the reference server on loopback (issue 5).

- First pull of a 150-case caseload into a fresh encrypted store, beside the raw
  transfer of the same pages measured in the same run (a bare HTTP client reading
  and decoding every page, storing nothing). Targets: ≤ 2× the raw transfer, ≤ 5 s.
- Push of 2,000 queued mutations (contacts finished on the laptop): ≤ 3 s.
- A sync with nothing to do (handshake, empty push, one empty pull page): ≤ 100 ms.
- The longest stall of the Qt main thread while the sync worker pulls the whole
  caseload: a 5 ms timer on the main thread records the gaps between its ticks;
  the figure is the longest gap less the interval. Target ≤ 50 ms.

The server runs in the same process (embedded uvicorn), so its work shares the
interpreter with the client's; the raw reference pays the same cost.
"""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QTimer

from benchmarks.table import BenchRow
from caseclient.services.sync import SyncService
from caseclient.storage.store import Store, utc_now
from caseclient.sync.engine import SyncEngine
from caseclient.sync.factory import EngineFactory
from caseclient.sync.transport import ServerConfig, Transport
from caseserver.embedded import EmbeddedServer, embedded_server
from caseserver.settings import Settings
from caseserver.synthetic.caseload import generate

FAST = Settings(database_url="", argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
TICK_MS = 5


class _Credentials:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def _store(folder: Path, name: str) -> tuple[Store, str]:
    key = "x'" + secrets.token_hex(32) + "'"
    return Store.open(folder / f"{name}.db", key, backups_dir=folder / f"{name}-backups"), key


def _raw_pull(server: EmbeddedServer, username: str, password: str) -> tuple[float, int]:
    client_id = str(uuid.uuid4())
    with httpx.Client(base_url=server.api_url, timeout=60) as http:
        tokens = http.post("/auth/login", json={"username": username, "password": password,
                                                "client_id": client_id, "device_name": "raw"}).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}", "X-Client-Id": client_id,
                   "X-Schema-Version": "1"}
        start = time.perf_counter()
        cursor: str | None = None
        count = 0
        while True:
            params: dict[str, str | int] = {"limit": 500}
            if cursor is not None:
                params["cursor"] = cursor
            body = http.get("/sync/pull", params=params, headers=headers).json()
            count += len(body["changes"])
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return time.perf_counter() - start, count


def _ui_stall(folder: Path, server: EmbeddedServer, creds: _Credentials, username: str,
              password: str) -> float:
    app = QCoreApplication.instance() or QCoreApplication([])
    store, key = _store(folder, "ui")
    try:
        signing_in = Transport(ServerConfig(server.base_url), client_id=store.client_id,
                               credentials=creds)
        try:
            signing_in.login(username, password, "ui bench")
        finally:
            signing_in.close()
        factory = EngineFactory(store.db.path, key, folder / "ui-worker-backups",
                                ServerConfig(server.base_url), creds)
        service = SyncService(lambda: store, utc_now, factory, signed_in=lambda: True)
        gaps: list[int] = []
        clock = QElapsedTimer()
        timer = QTimer()
        timer.setInterval(TICK_MS)

        def tick() -> None:
            gaps.append(clock.restart())

        timer.timeout.connect(tick)
        loop = QEventLoop()
        service.sync_finished.connect(lambda _outcome: loop.quit())
        clock.start()
        timer.start()
        service.start()
        loop.exec()
        timer.stop()
        service.stop()
        del app
        return max(0, max(gaps[1:] or [0]) - TICK_MS) / 1000
    finally:
        store.close()


def run(quick: bool) -> list[BenchRow]:
    cases, contacts, pushes, noops = (3, 5, 50, 5) if quick else (150, 60, 2_000, 20)
    caseload = generate(officers=2, cases_per_officer=cases, contacts_per_case=contacts,
                        today=dt.date(2026, 11, 24))
    officer = next(o for o in caseload.officers if o.grade != "SPO")
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        folder = Path(tmp)
        with embedded_server(folder / "server.db", settings=FAST) as server:
            server.services.admin.load_caseload(caseload)
            raw_seconds, pulled = _raw_pull(server, officer.username, officer.password)

            creds = _Credentials()
            store, _key = _store(folder, "laptop")
            try:
                transport = Transport(ServerConfig(server.base_url), client_id=store.client_id,
                                      credentials=creds)
                transport.login(officer.username, officer.password, "bench")
                engine = SyncEngine(store, transport, clock=utc_now)
                start = time.perf_counter()
                first = engine.run()
                first_seconds = time.perf_counter() - start

                case_ids = [c.id for c in store.records.all("case")]
                for n in range(pushes):
                    contact_id = str(uuid.uuid4())
                    case_id = case_ids[n % len(case_ids)]
                    store.records.create_draft("contact", contact_id, case_id, {
                        "case_id": case_id, "contact_type": "COAP", "date": "2026-11-24",
                        "notes": "Discussed housing, work and the next appointment. " * 4})
                    store.records.finish("contact", contact_id)
                start = time.perf_counter()
                pushed = engine.push()
                push_seconds = time.perf_counter() - start
                engine.run()                      # take back our own changes
                noop: list[float] = []
                for _ in range(noops):
                    start = time.perf_counter()
                    engine.run()
                    noop.append(time.perf_counter() - start)
                transport.close()
            finally:
                store.close()
            stall = _ui_stall(folder, server, creds, officer.username, officer.password)
    return [
        BenchRow(f"first pull of {cases} cases ({first.pulled} records) into the encrypted store",
                 first_seconds, "s", reference=raw_seconds,
                 reference_label=f"raw transfer of the same {pulled} records", target_ratio=2.0,
                 target_abs=5.0),
        BenchRow(f"push of {pushed.sent} queued mutations", push_seconds, "s", target_abs=3.0),
        BenchRow(f"no-op sync, median of {noops}", statistics.median(noop) * 1000, "ms",
                 target_abs=100.0),
        BenchRow("longest UI-thread stall during a full pull", stall * 1000, "ms", target_abs=50.0),
    ]
