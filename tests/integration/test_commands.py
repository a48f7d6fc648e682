"""The command-line verbs' logic (login, sync --once, status) and the wipe order, end to end."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from caseclient.errors import ServerRefused, SyncError
from caseclient.storage import sync_state
from caseclient.storage.store import Store
from caseclient.sync import commands
from tests.helpers.clock import FakeClock
from tests.integration.conftest import PASSWORD, Laptop, Office
from tests.sync.fakes import MemoryCredentials


@pytest.fixture
def fresh(tmp_path: Path, clock: FakeClock) -> Store:
    folder = tmp_path / "profile"
    folder.mkdir()
    return Store.open(folder / "cases.db", "x'" + secrets.token_hex(32) + "'", backups_dir=folder / "b",
                      clock=clock)


def test_login_then_sync_once_then_status(fresh: Store, office: Office, clock: FakeClock) -> None:
    creds = MemoryCredentials()
    try:
        assert "not set" in commands.status(fresh, creds, clock=clock)
        assert commands.sync_once(fresh, creds, clock=clock).exit_code == commands.EXIT_FAILED
        with pytest.raises(ServerRefused) as refused:
            commands.login(fresh, creds, server_url=office.server.base_url, username="po1",
                           password="wrong password", device_name="Laptop")
        assert "not recognised" in refused.value.plain()
        officer = commands.login(fresh, creds, server_url=office.server.base_url + "/", username="po1",
                                 password=PASSWORD, device_name="Laptop")
        assert officer.staff_code == "PO1" and fresh.officer_code() == "PO1"
        result = commands.sync_once(fresh, creds, clock=clock)
        assert result.exit_code == commands.EXIT_OK and "0 waiting" in result.text
        assert fresh.records.get("case", office.case_id) is not None
        clock.advance(minutes=5)
        text = commands.status(fresh, creds, clock=clock)
        assert "Signed in: yes" in text and "Last successful sync: 5 minutes ago" in text
        assert "Waiting to be sent: 0" in text and "Needs attention: 0" in text
        creds.values.clear()
        result = commands.sync_once(fresh, creds, clock=clock)
        assert result.exit_code == commands.EXIT_SIGN_IN and "Sign in" in result.text
    finally:
        fresh.close()


def test_plain_http_is_only_for_this_computer(fresh: Store) -> None:
    try:
        with pytest.raises(SyncError, match="https"):
            commands.login(fresh, MemoryCredentials(), server_url="http://central.example",
                           username="po1", password=PASSWORD, device_name="Laptop")
        with pytest.raises(SyncError, match="web address"):
            commands.login(fresh, MemoryCredentials(), server_url="central", username="po1",
                           password=PASSWORD, device_name="Laptop")
    finally:
        fresh.close()


def test_sync_once_reports_items_needing_attention(laptop: Laptop, office: Office, clock: FakeClock) -> None:
    with laptop.store.db.transaction() as conn:
        sync_state.set_server_url(conn, office.server.base_url)
    laptop.contact(case_id=office.other_case_id, notes="Not my case")
    result = commands.sync_once(laptop.store, laptop.credentials, clock=clock)
    assert result.exit_code == commands.EXIT_ATTENTION and "1 need attention" in result.text
    assert "Needs attention: 1" in commands.status(laptop.store, laptop.credentials, clock=clock)


def test_a_wipe_order_sends_what_it_can_then_erases_the_copy(laptop: Laptop, office: Office) -> None:
    contact_id = laptop.contact(notes="Sent before the wipe")
    office.server.services.auth.set_wipe(laptop.store.client_id)
    report = laptop.sync()
    assert report.wiped and report.erased_unsent == 0 and "erased" in report.summary()
    assert office.fields(contact_id) is not None
    assert laptop.store.records.all("case") == [] and laptop.store.records.all("contact") == []
    assert laptop.store.outbox_counts() == {}
