"""The key file: the data key wrapped twice, as JSON, written atomically (0600).

Format 1::

    {"format": 1,
     "passphrase": {"kdf": "argon2id", "params": {...}, "salt": b64, "nonce": b64, "wrapped": b64},
     "recovery":   {"kdf": "argon2id", "params": {...}, "salt": b64, "nonce": b64, "wrapped": b64},
     "failures":   {"count": 0, "last": null}}

Each ``wrapped`` is AES-256-GCM of the 32-byte data key under a key derived from
the passphrase (or the recovery key), with the format and the slot's name as
associated data, so a slot cannot be swapped or the format downgraded unnoticed.
Nothing in the file is secret; it is useless without the passphrase.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from caseclient.errors import DiskFull, ProfileDamaged, ProfileMissing
from caseclient.storage.kdf import KdfParams

FORMAT = 1


@dataclass(frozen=True)
class Slot:
    """One wrapping of the data key."""

    params: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes

    def associated_data(self, name: str) -> bytes:
        return f"caseclient-vault|format={FORMAT}|slot={name}".encode()


@dataclass(frozen=True)
class VaultFile:
    passphrase: Slot
    recovery: Slot
    failures: int = 0
    last_failure: dt.datetime | None = None

    def with_failures(self, count: int, last: dt.datetime | None) -> VaultFile:
        return replace(self, failures=count, last_failure=last)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _slot_json(slot: Slot) -> dict[str, Any]:
    return {"kdf": "argon2id", "params": slot.params.as_json(), "salt": _b64(slot.salt),
            "nonce": _b64(slot.nonce), "wrapped": _b64(slot.wrapped)}


def _slot(data: Any) -> Slot:
    if not isinstance(data, dict) or data.get("kdf") != "argon2id":
        raise ValueError("slot")
    params = data["params"]
    kdf = KdfParams(time_cost=int(params["time_cost"]), memory_kib=int(params["memory_kib"]),
                    parallelism=int(params["parallelism"]))
    if min(kdf.time_cost, kdf.memory_kib, kdf.parallelism) < 1:
        raise ValueError("params")
    return Slot(kdf, base64.b64decode(data["salt"], validate=True),
                base64.b64decode(data["nonce"], validate=True),
                base64.b64decode(data["wrapped"], validate=True))


def read(path: Path) -> VaultFile:
    """The key file at ``path``; ProfileMissing / ProfileDamaged with plain words."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as error:
        raise ProfileMissing() from error
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileDamaged() from error
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        if data.get("format") != FORMAT:
            raise ProfileDamaged("The key file of this profile has a format this version does not know.",
                                 "Nothing was changed. Install the newest Caseclient or contact IT support.")
        failures = data.get("failures") or {}
        last = failures.get("last")
        return VaultFile(passphrase=_slot(data["passphrase"]), recovery=_slot(data["recovery"]),
                         failures=int(failures.get("count", 0)),
                         last_failure=dt.datetime.fromisoformat(last) if last else None)
    except ProfileDamaged:
        raise
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise ProfileDamaged() from error


def write(path: Path, vault: VaultFile) -> None:
    """Replace the key file atomically: temp file (0600), fsync, rename, fsync folder."""
    data = {"format": FORMAT, "passphrase": _slot_json(vault.passphrase),
            "recovery": _slot_json(vault.recovery),
            "failures": {"count": vault.failures,
                         "last": vault.last_failure.isoformat() if vault.last_failure else None}}
    payload = json.dumps(data, indent=2, sort_keys=True).encode("utf-8")
    temp = path.with_name(path.name + ".tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
        if os.name == "posix":
            folder = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        if error.errno in (28, 122):  # ENOSPC, EDQUOT
            raise DiskFull("The disk is full, so the key file could not be written.",
                           "Nothing was changed. Free some disk space and try again.") from error
        raise
