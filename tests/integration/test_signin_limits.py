"""The real sign-in limit of the reference server (five failures per account in 15 minutes)
reaches the officer at once, in minutes, through the client's transport and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseclient.errors import ServerRefused, TooManySignIns
from caseclient.sync import commands
from caseclient.sync.transport import RetryPolicy, ServerConfig, Transport
from tests.helpers.clock import FakeClock
from tests.integration.conftest import PASSWORD, Laptop, Office
from tests.integration.faults import FaultyTransport
from tests.sync.fakes import MemoryCredentials


def test_the_limit_fails_at_once_with_the_wait_in_minutes(tmp_path: Path, office: Office,
                                                          clock: FakeClock) -> None:
    laptop = Laptop(tmp_path / "laptop", office, clock)
    http = FaultyTransport()
    sleeps: list[float] = []
    # the production retry policy: before, a 429 here was retried for up to 5 × 300 s
    transport = Transport(ServerConfig(office.server.base_url), client_id=laptop.store.client_id,
                          credentials=laptop.credentials, http=http, retry=RetryPolicy(),
                          sleep=sleeps.append)
    try:
        for _ in range(5):
            with pytest.raises(ServerRefused, match="not recognised"):
                transport.login("po1", "a wrong guess", "Laptop")
        office.clock.advance(minutes=1)
        http.seen.clear()
        with pytest.raises(TooManySignIns) as limited:   # even with the right password
            transport.login("po1", PASSWORD, "Laptop")
        assert http.seen == ["/api/v1/auth/login"] and sleeps == []
        assert limited.value.wait_seconds == 14 * 60
        assert limited.value.plain().startswith("Too many sign-in attempts. Try again in 14 minutes.")
        assert "Too many sign-in attempts" in limited.value.detail
        assert not transport.signed_in

        # the command line says the same, and nothing is remembered
        with pytest.raises(TooManySignIns, match="Too many sign-in attempts"):
            commands.login(laptop.store, MemoryCredentials(), server_url=office.server.base_url,
                           username="po1", password=PASSWORD, device_name="Laptop")

        office.clock.advance(minutes=14)
        transport.login("po1", PASSWORD, "Laptop")
        assert transport.signed_in
    finally:
        transport.close()
        http.close()
        laptop.close()
