"""caseclient demo: made-up caseload on a loopback server, a profile signed in and synced."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.demo import DEMO_CASES_PER_OFFICER, ServerSwitch, demo_folder, prepare
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseserver.embedded import FAST_TEST_SETTINGS, embedded_server


def _services(server_url: str) -> Callable[[AppPaths], AppServices]:
    def make(paths: AppPaths) -> AppServices:
        return build(paths, secrets=MemorySecretStore(), server_url=server_url,
                     vault=KeyVault(paths.key_file, params=KdfParams.for_tests()))
    return make


def test_prepare_signs_in_and_syncs_then_reuses_a_kept_folder(tmp_path: Path, qtbot: QtBot) -> None:
    with demo_folder(str(tmp_path / "demo")) as root, \
            embedded_server(root / "server" / "caseserver.db", settings=FAST_TEST_SETTINGS) as server:
        out = io.StringIO()
        services = prepare(root, server, out, build_services=_services(server.base_url))
        assert services.session.unlocked
        assert len(services.caseload.cases()) == DEMO_CASES_PER_OFFICER
        text = out.getvalue()
        assert "Signed in to the demo central system" in text and "received" in text
        services.session.lock()

        again = io.StringIO()
        services = prepare(root, server, again, build_services=_services(server.base_url))
        assert len(services.caseload.cases()) == DEMO_CASES_PER_OFFICER
        assert "0 need attention" in again.getvalue()
        services.session.lock()


def test_a_throwaway_folder_is_removed() -> None:
    with demo_folder(None) as root:
        assert (root / "server").is_dir()
    assert not root.exists()


def test_the_central_system_comes_back_on_the_same_address(tmp_path: Path) -> None:
    switch = ServerSwitch(tmp_path / "caseserver.db")
    try:
        first = switch.start().base_url
        assert httpx.get(first + "/api/v1/health").json() == {"status": "ok"}
        switch.stop()
        with pytest.raises(httpx.ConnectError):
            httpx.get(first + "/api/v1/health")
        assert switch.start().base_url == first
        assert httpx.get(first + "/api/v1/health").status_code == 200
    finally:
        switch.stop()
