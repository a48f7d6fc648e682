from __future__ import annotations

import datetime as dt

import pytest

from caseclient.services.caseload import CaseloadService
from caseclient.services.contacts import ContactService
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change, reference_changes, register_change


@pytest.fixture
def local_clock() -> FakeClock:
    """Noon local time on 24/11/2026, whatever the machine's zone."""
    return FakeClock(dt.datetime(2026, 11, 24, 12, 0).astimezone())


@pytest.fixture
def seeded(store: Store) -> dict[str, str]:
    ann = case_change("X123456", "Ann", "Example")
    bob = case_change("Y654321", "Bob", "Sample", tier="C1")
    ann_id, bob_id = str(ann["record_id"]), str(bob["record_id"])
    store.records.apply_server_records([*reference_changes(), ann, bob,
                                        register_change(ann_id, "RRSH", "VERY_HIGH"),
                                        register_change(bob_id, "RSTF", None)])
    return {"ann": ann_id, "bob": bob_id}


@pytest.fixture
def caseload(store: Store, local_clock: FakeClock) -> CaseloadService:
    return CaseloadService(lambda: store, local_clock)


@pytest.fixture
def contacts(store: Store, local_clock: FakeClock, caseload: CaseloadService) -> ContactService:
    return ContactService(lambda: store, local_clock, caseload.reference)
