"""The command line: init prints the recovery key once; doctor reports and self-tests."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from caseclient import cli
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from tests.helpers.central import PASSWORD, running_central

PASS = "a long enough passphrase"


def run(argv: list[str], typed: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(argv, out, io.StringIO(typed), kdf=KdfParams.for_tests())
    return code, out.getvalue()


def test_init_sets_up_a_profile_and_shows_the_recovery_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, text = run(["--home", str(home), "init"], f"{PASS}\n{PASS}\n")
    assert code == 0, text
    assert "Your recovery key" in text and PASS not in text
    key_file = json.loads((home / "data" / "vault.json").read_text())
    assert key_file["format"] == 1
    assert (home / "data" / "cases.db").exists()

    again, text = run(["--home", str(home), "init"], f"{PASS}\n{PASS}\n")
    assert again == 2 and "already exists" in text


def test_init_refuses_mismatched_or_short_passphrases(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, text = run(["--home", str(home), "init"], f"{PASS}\n{PASS}x\n")
    assert code == 2 and "different" in text
    code, text = run(["--home", str(home), "init"], "short\nshort\n")
    assert code == 2 and "at least" in text
    assert not (home / "data" / "vault.json").exists()


def test_doctor_reports_without_secrets(tmp_path: Path) -> None:
    code, text = run(["--home", str(tmp_path / "home"), "doctor"])
    assert code == 0
    for label in ("Caseclient:", "SQLCipher:", "Crypto provider:", "Keychain:", "Profile data:"):
        assert label in text
    assert "4." in text.split("SQLCipher:")[1].splitlines()[0]


def test_doctor_self_test_passes_as_an_installed_command(tmp_path: Path) -> None:
    """The real entry point, in its own process, as an officer's IT department runs it."""
    result = subprocess.run([sys.executable, "-m", "caseclient", "--home", str(tmp_path / "h"),
                             "doctor", "--self-test"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Self-test passed." in result.stdout
    assert "FAIL" not in result.stdout and result.stderr == ""


def test_login_sync_and_status_against_the_real_central_system(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    secrets = (MemorySecretStore(), None)

    def cli_run(argv: list[str], typed: str) -> tuple[int, str]:
        out = io.StringIO()
        code = cli.main(["--home", home, *argv], out, io.StringIO(typed),
                        kdf=KdfParams.for_tests(), secrets=secrets)
        return code, out.getvalue()

    assert run(["--home", home, "init"], f"{PASS}\n{PASS}\n")[0] == 0
    with running_central(tmp_path / "server.db") as central:
        code, text = cli_run(["status"], f"{PASS}\n")
        assert code == 0 and "not set" in text and "Signed in: no" in text
        code, text = cli_run(["sync", "--once"], f"{PASS}\n")
        assert code == 1 and "caseclient login --server" in text

        code, text = cli_run(["login", "--server", central.url, "--username", "po1"],
                             f"{PASS}\nnot the password\n")
        assert code == 2 and PASSWORD not in text
        code, text = cli_run(["login", "--server", central.url, "--username", "po1"],
                             f"{PASS}\n{PASSWORD}\n")
        assert code == 0 and "Signed in as Officer PO1" in text
        assert PASSWORD not in text and PASS not in text

        code, text = cli_run(["sync", "--once"], f"{PASS}\n")
        assert code == 0, text
        assert text.startswith("Sync finished:") and "0 waiting" in text
        code, text = cli_run(["status"], f"{PASS}\n")
        assert "Signed in: yes" in text and "Waiting to be sent: 0" in text

    code, text = cli_run(["sync", "--once"], f"{PASS}\n")
    assert code == 1 and text.strip()   # the central system is gone: plain words, nothing lost


def test_commands_on_a_missing_profile_say_what_to_do(tmp_path: Path) -> None:
    code, text = run(["--home", str(tmp_path / "none"), "status"], "whatever\n")
    assert code == 2 and "caseclient init" in text
