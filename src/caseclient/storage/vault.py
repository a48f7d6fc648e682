"""KeyVault: the officer's passphrase and recovery key guard the store's data key.

Setup makes a random 256-bit data key and wraps it twice with AES-256-GCM: under
a key derived from the passphrase (Argon2id, parameters tuned to this laptop and
stored in the file) and under a key derived from a one-off recovery key shown
once. Unlocking unwraps it offline; changing the passphrase re-wraps it (the
store is never re-encrypted). A wrong passphrase changes nothing but the failure
counter; after five failures each further attempt waits longer.

Python cannot promise a secret leaves no copy in memory (strings are immutable);
what we can do is keep the key in a ``bytearray`` we own and zero it on lock.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from caseclient.errors import ProfileExists, TooManyAttempts, WrongPassphrase, WrongRecoveryKey
from caseclient.storage import vault_file
from caseclient.storage.kdf import KEY_BYTES, SALT_BYTES, KdfParams, calibrate, derive
from caseclient.storage.vault_file import Slot, VaultFile

FREE_ATTEMPTS = 5
FIRST_DELAY_S = 30.0
MAX_DELAY_S = 3600.0
RECOVERY_BYTES = 20          # 160 bits, 32 base32 characters
NONCE_BYTES = 12
PASSPHRASE_SLOT = "passphrase"  # noqa: S105 - the slot's name, not a secret
RECOVERY_SLOT = "recovery"

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DataKey:
    """The raw 256-bit SQLCipher key, held in a bytearray that :meth:`wipe` zeroes."""

    __slots__ = ("_key",)

    def __init__(self, key: bytearray) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("a data key is 32 bytes")
        self._key = key

    @property
    def wiped(self) -> bool:
        return not any(self._key)

    def sqlcipher_pragma_value(self) -> str:
        """``x'<hex>'``: SQLCipher's raw-key form, so SQLCipher runs no KDF of its own."""
        if self.wiped:
            raise ValueError("the data key has been wiped")
        return "x'" + self._key.hex() + "'"

    def material(self) -> bytearray:
        """The key bytes themselves, for re-wrapping only; never store or log them."""
        return self._key

    def wipe(self) -> None:
        for index in range(len(self._key)):
            self._key[index] = 0

    def __repr__(self) -> str:
        return "DataKey(<hidden>)"

    __str__ = __repr__


def format_recovery_key(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(typed: str) -> bytes | None:
    """The recovery key's bytes from what the officer typed (spaces, dashes, case forgiven)."""
    text = "".join(ch for ch in typed.upper() if ch.isalnum())
    text = text.translate(str.maketrans("018", "OIB"))
    if len(text) != 32:
        return None
    try:
        raw = base64.b32decode(text)
    except ValueError:
        return None
    return raw if len(raw) == RECOVERY_BYTES else None


def retry_delay(failures: int) -> float:
    """Seconds to wait before the next attempt after ``failures`` wrong ones in a row."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (failures - FREE_ATTEMPTS)))


def _wrap(secret: bytes | bytearray, key: bytearray, params: KdfParams, name: str) -> Slot:
    salt = secrets.token_bytes(SALT_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    kek = derive(secret, salt, params)
    try:
        slot = Slot(params, salt, nonce, b"")
        wrapped = AESGCM(bytes(kek)).encrypt(nonce, bytes(key), slot.associated_data(name))
    finally:
        kek[:] = bytes(len(kek))
    return Slot(params, salt, nonce, wrapped)


def _unwrap(secret: bytes | bytearray, slot: Slot, name: str) -> bytearray | None:
    kek = derive(secret, slot.salt, slot.params)
    try:
        return bytearray(AESGCM(bytes(kek)).decrypt(slot.nonce, slot.wrapped,
                                                    slot.associated_data(name)))
    except InvalidTag:
        return None
    finally:
        kek[:] = bytes(len(kek))


class KeyVault:
    """The key file of one profile. ``params`` fixes the KDF cost (tests); else calibrated."""

    def __init__(self, key_file: Path, *, clock: Clock = _utc_now,
                 params: KdfParams | None = None,
                 tune: Callable[[], KdfParams] = calibrate) -> None:
        self._path = key_file
        self._clock = clock
        self._params = params
        self._tune = tune

    @property
    def key_file(self) -> Path:
        return self._path

    def exists(self) -> bool:
        return self._path.exists()

    def params(self) -> KdfParams:
        """The passphrase slot's KDF parameters (for ``doctor`` and the unlock benchmark)."""
        return vault_file.read(self._path).passphrase.params

    def _kdf_params(self) -> KdfParams:
        if self._params is None:
            self._params = self._tune()
        return self._params

    # ---- verbs -----------------------------------------------------------------------------
    def setup(self, passphrase: str) -> str:
        """Make and wrap a new data key; returns the recovery key, to be shown once."""
        if self.exists():
            raise ProfileExists()
        params = self._kdf_params()
        data_key = bytearray(secrets.token_bytes(KEY_BYTES))
        recovery = secrets.token_bytes(RECOVERY_BYTES)
        try:
            vault = VaultFile(passphrase=_wrap(passphrase.encode("utf-8"), data_key, params,
                                               PASSPHRASE_SLOT),
                              recovery=_wrap(recovery, data_key, params, RECOVERY_SLOT))
        finally:
            data_key[:] = bytes(KEY_BYTES)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        vault_file.write(self._path, vault)
        return format_recovery_key(recovery)

    def unlock(self, passphrase: str) -> DataKey:
        vault = self._ready()
        key = _unwrap(passphrase.encode("utf-8"), vault.passphrase, PASSPHRASE_SLOT)
        if key is None:
            self._failed(vault)
            raise WrongPassphrase()
        self._succeeded(vault)
        return DataKey(key)

    def unlock_with_recovery(self, recovery_key: str, new_passphrase: str) -> DataKey:
        """Unwrap with the recovery key and set ``new_passphrase``; the recovery key stays valid."""
        vault = self._ready()
        raw = parse_recovery_key(recovery_key)
        key = _unwrap(raw, vault.recovery, RECOVERY_SLOT) if raw is not None else None
        if key is None:
            self._failed(vault)
            raise WrongRecoveryKey()
        slot = _wrap(new_passphrase.encode("utf-8"), key, self._kdf_params(), PASSPHRASE_SLOT)
        vault_file.write(self._path, VaultFile(passphrase=slot, recovery=vault.recovery))
        return DataKey(key)

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key under ``new``. The store itself is not touched."""
        key = self.unlock(old)
        try:
            slot = _wrap(new.encode("utf-8"), key.material(), self._kdf_params(), PASSPHRASE_SLOT)
        finally:
            key.wipe()
        vault = vault_file.read(self._path)
        vault_file.write(self._path, VaultFile(passphrase=slot, recovery=vault.recovery))

    # ---- attempts --------------------------------------------------------------------------
    def wait_seconds(self) -> float:
        """Seconds before another attempt is allowed (0 when it is allowed now)."""
        return self._wait(vault_file.read(self._path))

    def _wait(self, vault: VaultFile) -> float:
        if vault.last_failure is None:
            return 0.0
        elapsed = (self._clock() - vault.last_failure).total_seconds()
        return max(0.0, retry_delay(vault.failures) - max(0.0, elapsed))

    def _ready(self) -> VaultFile:
        vault = vault_file.read(self._path)
        wait = self._wait(vault)
        if wait > 0:
            raise TooManyAttempts(wait)
        return vault

    def _failed(self, vault: VaultFile) -> None:
        vault_file.write(self._path, vault.with_failures(vault.failures + 1, self._clock()))

    def _succeeded(self, vault: VaultFile) -> None:
        if vault.failures:
            vault_file.write(self._path, vault.with_failures(0, None))
