"""The real thing on both ends: the reference server on loopback (embedded uvicorn, SQLite
file) and laptops with real encrypted stores, joined by httpx through a fault injector."""

from __future__ import annotations

import ctypes
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from caseclient.domain.canonical import JSONValue
from caseclient.storage.store import Store
from caseclient.sync.engine import SyncEngine, SyncReport
from caseclient.sync.transport import RetryPolicy, ServerConfig, Transport
from caseserver.embedded import EmbeddedServer, embedded_server
from caseserver.settings import Settings
from tests.helpers.clock import FakeClock
from tests.integration.faults import FaultyTransport
from tests.sync.fakes import MemoryCredentials

# Cheap Argon2 so the tests stay quick; production uses the defaults of Settings.
FAST = Settings(database_url="", argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
PASSWORD = "correct horse battery"


@dataclass
class Office:
    """The central system and the staff editing on it."""

    server: EmbeddedServer
    clock: FakeClock
    case_id: str            # on PO1's caseload
    other_case_id: str      # on PO2's caseload

    def edit(self, record_type: str, record_id: str, **values: JSONValue) -> None:
        self.server.services.admin.put_record(record_type=record_type, record_id=record_id,
                                              fields=values, actor="OFFICE1", partial=True)

    def delete(self, record_id: str) -> None:
        self.server.services.admin.delete_record(record_id, actor="OFFICE1")

    def fields(self, record_id: str) -> dict[str, Any] | None:
        for record in self.server.services.admin.all_records():
            if record.record_id == record_id:
                return {**record.fields, "_version": record.version, "_deleted": record.deleted}
        return None


@pytest.fixture(autouse=True)
def _keep_true_and_false_alive() -> Iterator[None]:
    """See tests/sync/conftest.py: PySide6 6.12.0 takes a reference from True per emit."""
    yield
    for value in (True, False):
        for _ in range(500):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))


@pytest.fixture
def server_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def office(tmp_path: Path, server_clock: FakeClock) -> Iterator[Office]:
    with embedded_server(tmp_path / "server.db", settings=FAST, clock=server_clock) as server:
        admin = server.services.admin
        for code in ("PO1", "PO2", "OFFICE1"):
            admin.add_officer(staff_code=code, username=code.lower(), password=PASSWORD,
                              name=f"Officer {code}", grade="PO", team="North")
        ids = [str(uuid.uuid4()) for _ in range(2)]
        for case_id, crn, officer in zip(ids, ("A000001", "B000002"), ("PO1", "PO2"), strict=True):
            admin.put_record(record_type="case", record_id=case_id,
                             fields={"crn": crn, "first_name": "Alex", "last_name": "Example",
                                     "officer_code": officer})
        admin.put_record(record_type="reference", record_id=str(uuid.uuid4()),
                         fields={"kind": "contact_type", "code": "COAP", "label": "Office appointment"})
        yield Office(server, server_clock, ids[0], ids[1])


@dataclass
class Laptop:
    """One device profile: an encrypted store, its own client id and tokens, and a fault injector."""

    folder: Path
    office: Office
    clock: FakeClock
    key: str = field(default_factory=lambda: "x'" + secrets.token_hex(32) + "'", repr=False)
    credentials: MemoryCredentials = field(default_factory=MemoryCredentials)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._open()

    def _open(self) -> None:
        self.store = Store.open(self.folder / "cases.db", self.key, backups_dir=self.folder / "backups",
                                clock=self.clock)
        self.faults = FaultyTransport()
        self.transport = Transport(ServerConfig(self.office.server.base_url),
                                   client_id=self.store.client_id, credentials=self.credentials,
                                   http=self.faults, retry=RetryPolicy(attempts=3, base_delay=0, max_delay=0),
                                   sleep=lambda _s: None)
        self.engine = SyncEngine(self.store, self.transport, clock=self.clock, batch_size=50, page_size=200)

    def login(self, username: str = "po1") -> None:
        self.transport.login(username, PASSWORD, "Test laptop")

    def sync(self) -> SyncReport:
        return self.engine.run()

    def contact(self, case_id: str | None = None, **fields: JSONValue) -> str:
        contact_id = str(uuid.uuid4())
        case = case_id or self.office.case_id
        values: dict[str, JSONValue] = {"case_id": case, "contact_type": "COAP", "date": "2026-11-24",
                                        "sensitive": False, "alert": False, **fields}
        self.store.records.create_draft("contact", contact_id, case, values)
        self.store.records.finish("contact", contact_id)
        return contact_id

    def crash(self) -> None:
        """The process dies: the connection goes without any tidying up."""
        self.store.db.raw.close()

    def reopen(self) -> None:
        self.transport.close()
        self._open()

    def close(self) -> None:
        self.transport.close()
        self.faults.close()
        self.store.close()


@pytest.fixture
def laptops(tmp_path: Path, office: Office, clock: FakeClock) -> Iterator[list[Laptop]]:
    made: list[Laptop] = []
    yield made
    for laptop in made:
        laptop.close()


@pytest.fixture
def laptop(tmp_path: Path, office: Office, clock: FakeClock, laptops: list[Laptop]) -> Laptop:
    made = Laptop(tmp_path / "laptop1", office, clock)
    laptops.append(made)
    made.login()
    made.sync()
    return made
