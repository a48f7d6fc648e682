"""Export one record to a file: the last resort when a conflict or refusal cannot be settled.

The file holds the record as this laptop has it (fields, version, the changes not
yet accepted) as JSON, encrypted with a passphrase the officer chooses: Argon2id
derives the key, AES-256-GCM seals the text, and the header (format, KDF
parameters, salt, nonce) is bound in as associated data, so a changed header fails
to open. Case data never leaves the process unencrypted here; a PDF copy is the
UI's job (``QPdfWriter``), asked for explicitly.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from caseclient.domain.canonical import JSONValue
from caseclient.errors import KnownError
from caseclient.storage.kdf import SALT_BYTES, KdfParams, derive
from caseclient.storage.store import Store

FORMAT = "caseclient-record-export"
VERSION = 1
MIN_PASSPHRASE = 10


class ExportProblem(KnownError):
    message = "The record could not be exported."


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _header(params: KdfParams, salt: bytes, nonce: bytes) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "kdf": {"type": "argon2id", **params.as_json()},
            "salt": _b64(salt), "nonce": _b64(nonce)}


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


class ExportService:
    def __init__(self, store: Callable[[], Store], clock: Callable[[], dt.datetime], *,
                 kdf: KdfParams | None = None) -> None:
        self._store = store
        self._clock = clock
        self._kdf = kdf or KdfParams.baseline()

    def record(self, record_type: str, record_id: str) -> dict[str, JSONValue]:
        """The record as this laptop holds it, with its unsent changes."""
        records = self._store().records
        stored = records.require(record_type, record_id)
        changes: list[JSONValue] = [
            {"op": m.op, "state": m.state.value, "fields": dict(m.fields)}
            for m in records.mutations(record_type, record_id)]
        return {"record_type": record_type, "record_id": record_id, "version": stored.version,
                "state": stored.state.value, "fields": dict(stored.fields), "changes": changes,
                "exported_at": self._clock().isoformat()}

    def export_encrypted(self, record_type: str, record_id: str, path: Path, passphrase: str) -> None:
        if len(passphrase) < MIN_PASSPHRASE:
            raise ExportProblem(f"Use a passphrase of at least {MIN_PASSPHRASE} characters.",
                                "Whoever opens the file will need it; give it to them separately.")
        plain = json.dumps(self.record(record_type, record_id), ensure_ascii=False).encode()
        salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(12)
        header = _header(self._kdf, salt, nonce)
        key = derive(passphrase.encode(), salt, self._kdf)
        try:
            sealed = AESGCM(bytes(key)).encrypt(nonce, plain, _aad(header))
        finally:
            key[:] = bytes(len(key))
        write_atomically(path, json.dumps({**header, "ciphertext": _b64(sealed)}).encode())


def read_encrypted(path: Path, passphrase: str) -> dict[str, Any]:
    """Open an export (for whoever receives it, and for tests)."""
    try:
        document = json.loads(path.read_bytes())
        header = {k: document[k] for k in ("format", "version", "kdf", "salt", "nonce")}
        kdf = document["kdf"]
        params = KdfParams(int(kdf["time_cost"]), int(kdf["memory_kib"]), int(kdf["parallelism"]))
        salt, nonce = base64.b64decode(header["salt"]), base64.b64decode(header["nonce"])
        sealed = base64.b64decode(document["ciphertext"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ExportProblem("That file is not a Caseclient record export.") from error
    if header["format"] != FORMAT:
        raise ExportProblem("That file is not a Caseclient record export.")
    key = derive(passphrase.encode(), salt, params)
    try:
        plain = AESGCM(bytes(key)).decrypt(nonce, sealed, _aad(header))
    except InvalidTag:
        raise ExportProblem("Passphrase not recognised, or the file was changed.") from None
    finally:
        key[:] = bytes(len(key))
    result: dict[str, Any] = json.loads(plain)
    return result


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder (never half a file)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ExportProblem("The file could not be written there.",
                            "Choose another folder (one you can write to, with space free).") from error
