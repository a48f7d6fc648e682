"""The vault: wrap, unlock, re-wrap, recover; wrong input changes nothing but the counter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseclient.errors import (
    DiskFull,
    ProfileDamaged,
    ProfileExists,
    ProfileMissing,
    TooManyAttempts,
    WrongPassphrase,
    WrongRecoveryKey,
)
from caseclient.storage import vault_file
from caseclient.storage.database import Database
from caseclient.storage.kdf import KdfParams, calibrate
from caseclient.storage.vault import (
    DataKey,
    KeyVault,
    format_recovery_key,
    parse_recovery_key,
    retry_delay,
)
from tests.helpers.clock import FakeClock

PASS = "correct horse battery staple"


@pytest.fixture
def vault(tmp_path: Path, clock: FakeClock) -> KeyVault:
    return KeyVault(tmp_path / "data" / "vault.json", clock=clock, params=KdfParams.for_tests())


def test_setup_then_unlock_gives_the_same_key_each_time(vault: KeyVault) -> None:
    recovery = vault.setup(PASS)
    first, second = vault.unlock(PASS), vault.unlock(PASS)
    assert first.sqlcipher_pragma_value() == second.sqlcipher_pragma_value()
    assert first.sqlcipher_pragma_value().startswith("x'") and len(first.sqlcipher_pragma_value()) == 67
    assert len(recovery.replace("-", "")) == 32


def test_the_key_file_holds_no_key_and_is_owner_only(vault: KeyVault) -> None:
    vault.setup(PASS)
    key = vault.unlock(PASS).sqlcipher_pragma_value()[2:-1]
    text = vault.key_file.read_text()
    assert key not in text and key.upper() not in text and PASS not in text
    assert vault.key_file.stat().st_mode & 0o077 == 0
    data = json.loads(text)
    assert data["format"] == 1 and data["passphrase"]["kdf"] == "argon2id"
    assert data["passphrase"]["params"] == KdfParams.for_tests().as_json()


def test_setup_refuses_to_overwrite_a_profile(vault: KeyVault) -> None:
    vault.setup(PASS)
    before = vault.key_file.read_bytes()
    with pytest.raises(ProfileExists):
        vault.setup("another passphrase")
    assert vault.key_file.read_bytes() == before


def test_wrong_passphrase_is_plain_and_the_key_survives(vault: KeyVault) -> None:
    vault.setup(PASS)
    with pytest.raises(WrongPassphrase) as caught:
        vault.unlock("Correct horse battery staple")
    assert caught.value.plain().startswith("Passphrase not recognised.")
    vault.unlock(PASS)


def test_delay_grows_after_five_failures_and_resets_on_success(vault: KeyVault,
                                                               clock: FakeClock) -> None:
    vault.setup(PASS)
    for _ in range(5):
        with pytest.raises(WrongPassphrase):
            vault.unlock("wrong")
    with pytest.raises(TooManyAttempts) as caught:
        vault.unlock(PASS)   # even the right one waits: the delay is not an oracle
    assert caught.value.wait_seconds == pytest.approx(30)
    clock.advance(seconds=31)
    with pytest.raises(WrongPassphrase):
        vault.unlock("wrong again")
    assert vault.wait_seconds() == pytest.approx(60)
    clock.advance(seconds=61)
    vault.unlock(PASS)
    assert vault.wait_seconds() == 0
    assert json.loads(vault.key_file.read_text())["failures"] == {"count": 0, "last": None}


def test_retry_delay_is_capped() -> None:
    assert [retry_delay(n) for n in (0, 4, 5, 6, 7)] == [0, 0, 30, 60, 120]
    assert retry_delay(40) == 3600


def test_change_passphrase_rewraps_without_touching_the_store(vault: KeyVault,
                                                              tmp_path: Path) -> None:
    vault.setup(PASS)
    key = vault.unlock(PASS).sqlcipher_pragma_value()
    db_path = tmp_path / "cases.db"
    Database.open(db_path, key).close()
    stored = db_path.read_bytes()
    vault.change_passphrase(PASS, "a new and longer passphrase")
    with pytest.raises(WrongPassphrase):
        vault.unlock(PASS)
    assert vault.unlock("a new and longer passphrase").sqlcipher_pragma_value() == key
    assert db_path.read_bytes() == stored


def test_change_passphrase_with_the_wrong_old_one_changes_nothing(vault: KeyVault) -> None:
    vault.setup(PASS)
    slot = json.loads(vault.key_file.read_text())["passphrase"]
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not it", "new passphrase here")
    assert json.loads(vault.key_file.read_text())["passphrase"] == slot


def test_recovery_key_sets_a_new_passphrase(vault: KeyVault) -> None:
    recovery = vault.setup(PASS)
    key = vault.unlock(PASS).sqlcipher_pragma_value()
    typed = recovery.lower().replace("-", " ")   # forgiving about case and spacing
    recovered = vault.unlock_with_recovery(typed, "fresh passphrase for me")
    assert recovered.sqlcipher_pragma_value() == key
    assert vault.unlock("fresh passphrase for me").sqlcipher_pragma_value() == key
    with pytest.raises(WrongPassphrase):
        vault.unlock(PASS)


def test_a_wrong_recovery_key_is_refused_and_counted(vault: KeyVault) -> None:
    recovery = vault.setup(PASS)
    wrong = format_recovery_key(bytes(20))
    assert wrong != recovery
    for attempt in (wrong, "too short"):
        with pytest.raises(WrongRecoveryKey):
            vault.unlock_with_recovery(attempt, "whatever passphrase")
    assert json.loads(vault.key_file.read_text())["failures"]["count"] == 2
    vault.unlock(PASS)


def test_recovery_key_parsing() -> None:
    raw = bytes(range(20))
    text = format_recovery_key(raw)
    assert parse_recovery_key(text) == raw
    assert parse_recovery_key(" " + text.lower().replace("-", "  ") + "\n") == raw
    assert parse_recovery_key(text[:-1]) is None


def test_data_key_wipes_and_hides_itself(vault: KeyVault) -> None:
    vault.setup(PASS)
    key = vault.unlock(PASS)
    hexed = key.sqlcipher_pragma_value()[2:-1]
    assert hexed not in repr(key) and hexed not in str(key)
    key.wipe()
    assert key.wiped and not any(key.material())
    with pytest.raises(ValueError, match="wiped"):
        key.sqlcipher_pragma_value()
    with pytest.raises(ValueError):
        DataKey(bytearray(3))


def test_missing_and_damaged_key_files_are_explained(vault: KeyVault) -> None:
    with pytest.raises(ProfileMissing):
        vault.unlock(PASS)
    vault.setup(PASS)
    data = json.loads(vault.key_file.read_text())
    data["passphrase"]["wrapped"] = data["recovery"]["wrapped"]   # a swapped slot
    vault.key_file.write_text(json.dumps(data))
    with pytest.raises(WrongPassphrase):
        vault.unlock(PASS)
    for broken in ("{not json", "[]", json.dumps({"format": 1}),
                   json.dumps({**data, "passphrase": {**data["passphrase"], "salt": "!!"}})):
        vault.key_file.write_text(broken)
        with pytest.raises(ProfileDamaged):
            vault.unlock(PASS)
    vault.key_file.write_text(json.dumps({**data, "format": 99}))
    with pytest.raises(ProfileDamaged, match="format"):
        vault.unlock(PASS)


def test_a_full_disk_leaves_the_old_key_file_in_place(vault: KeyVault,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    vault.setup(PASS)
    before = vault.key_file.read_bytes()

    def no_space(_fd: int, _data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(vault_file.os, "write", no_space)
    with pytest.raises(DiskFull):
        vault.change_passphrase(PASS, "new passphrase please")
    monkeypatch.undo()
    assert vault.key_file.read_bytes() == before
    assert not list(vault.key_file.parent.glob("*.tmp"))
    vault.unlock(PASS)


def test_calibration_lands_in_the_target_band() -> None:
    """With a model of cost (time × memory), calibration ends within 0.3–0.5 s."""
    def model(speed: float):
        return lambda p: p.time_cost * p.memory_kib / speed

    for speed in (1_000_000.0, 300_000.0, 60_000.0):
        params = calibrate(model(speed))
        assert 0.3 <= model(speed)(params) <= 0.5 or params.memory_kib == 19 * 1024, (speed, params)
