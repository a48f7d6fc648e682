"""The README path: `caseserver migrate && caseserver seed`, then sign in with a printed
officer and pull the caseload; `simulate-office` edits show up in the next pull;
`user add`, `device` and `new-epoch` do what they say."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from caseserver.cli import main
from caseserver.embedded import embedded_server
from tests.server.api import Device
from tests.server.conftest import FAST


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASESERVER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CASESERVER_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_migrate_seed_sign_in_and_simulate_office(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed", "--officers", "2", "--cases-per-officer", "2", "--contacts-per-case", "3",
                 "--seed", "7"]) == 0
    out = capsys.readouterr().out
    sign_ins = [line.split() for line in out.splitlines() if line.startswith("  ")]
    assert sign_ins, out
    with embedded_server(data_dir / "caseserver.db", settings=FAST) as server, \
            httpx.Client(base_url=server.api_url) as http:
        cursors: dict[str, str] = {}
        devices: dict[str, Device] = {}
        for username, password, grade, *_ in sign_ins:
            device = devices[username] = Device(http, str(uuid.uuid4()))
            assert device.login(username, password).status_code == 200
            changes, cursors[username] = device.pull_all()
            kinds = {c["record_type"] for c in changes}
            if grade != "SPO":
                assert len([c for c in changes if c["record_type"] == "case"]) == 2
                assert kinds >= {"case", "event", "contact", "assessment", "reference"}

        assert main(["simulate-office", "--count", "12", "--seed", "1"]) == 0
        assert "Office edits applied" in capsys.readouterr().out
        later = [c for name, device in devices.items() for c in device.pull_all(cursors[name])[0]]
        assert later, "the office's edits reach the officers"
        assert any(c["changed_by"] != "SYSTEM" for c in later)  # made by office staff

    assert main(["seed", "--officers", "2", "--seed", "7"]) == 1  # the same officers again
    assert "already exists" in capsys.readouterr().err


def test_user_add_device_and_new_epoch(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASESERVER_PASSWORD", "a long enough password")
    assert main(["user", "add", "--staff-code", "N01", "--username", "newbie", "--name", "New Officer",
                 "--grade", "PO", "--team", "East"]) == 0
    assert main(["user", "add", "--staff-code", "N01", "--username", "other", "--name", "X",
                 "--grade", "PO", "--team", "East"]) == 1
    client_id = str(uuid.uuid4())
    with embedded_server(data_dir / "caseserver.db", settings=FAST) as server, \
            httpx.Client(base_url=server.api_url) as http:
        device = Device(http, client_id)
        assert device.login("newbie", "a long enough password").status_code == 200
        epoch = device.handshake().json()["epoch"]
        assert main(["device", "wipe", client_id]) == 0
        assert device.handshake().json()["wipe"] is True
        assert main(["new-epoch"]) == 0
        assert device.handshake().json()["epoch"] != epoch
        assert main(["device", "revoke", client_id]) == 0
        assert device.handshake().status_code == 401
    assert main(["device", "revoke", str(uuid.uuid4())]) == 1
    out, err = capsys.readouterr()
    assert "a long enough password" not in out + err


def test_serve_answers_on_the_given_port(data_dir: Path) -> None:
    """`caseserver migrate && caseserver serve --host 127.0.0.1 --port N`, as the README says."""
    env = {**os.environ, "CASESERVER_DATA_DIR": str(data_dir)}
    env.pop("CASESERVER_DATABASE_URL", None)
    command = [sys.executable, "-c", "from caseserver.cli import main; raise SystemExit(main())"]
    assert subprocess.run([*command, "migrate"], env=env, capture_output=True, check=False).returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1") as http:
            for _ in range(300):
                try:
                    response = http.get("/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            else:
                pytest.fail("caseserver serve did not answer")
        assert response.json() == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)
