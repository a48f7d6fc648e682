from __future__ import annotations

import ctypes
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from caseclient.storage.store import Store
from caseclient.sync.engine import SyncEngine
from caseclient.sync.transport import RetryPolicy, ServerConfig, Transport
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change, reference_changes
from tests.sync.fake_central import FakeCentral
from tests.sync.fakes import MemoryCredentials


@pytest.fixture(autouse=True)
def _keep_true_and_false_alive() -> Iterator[None]:
    """PySide6 6.12.0 takes a reference from ``True`` on every ``emit``/``disconnect`` (pytest-qt's
    waitSignal disconnects); the app's services give it back (services/sync.py ``_emit``), but
    pytest-qt cannot. Give back a generous number after each test; ``True`` is never freed."""
    yield
    for value in (True, False):
        for _ in range(500):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))


@pytest.fixture
def central() -> FakeCentral:
    server = FakeCentral()
    for change in reference_changes():
        server.seed(change)
    return server


@pytest.fixture
def case_id(central: FakeCentral) -> str:
    change = case_change("X123456", "Ann", "Example")
    central.seed(change)
    return str(change["record_id"])


def make_transport(store: Store, central: FakeCentral, http: Any = None) -> Transport:
    creds = MemoryCredentials()
    creds.set(f"{store.client_id}:access", "a1")
    creds.set(f"{store.client_id}:refresh", "r1")
    return Transport(ServerConfig("https://central.example"), client_id=store.client_id,
                     credentials=creds, http=http or central.transport,
                     retry=RetryPolicy(attempts=2, base_delay=0, max_delay=0),
                     sleep=lambda _s: None, rand=lambda: 0.0)


@pytest.fixture
def engine(store: Store, central: FakeCentral, clock: FakeClock, case_id: str) -> SyncEngine:
    return SyncEngine(store, make_transport(store, central), clock=clock, batch_size=50,
                      page_size=500)


def new_contact(store: Store, case_id: str, **fields: Any) -> str:
    contact_id = str(uuid.uuid4())
    values = {"case_id": case_id, "contact_type": "COAP", "date": "2026-11-24",
              "sensitive": False, "alert": False, **fields}
    store.records.create_draft("contact", contact_id, case_id, values)
    store.records.finish("contact", contact_id)
    return contact_id
