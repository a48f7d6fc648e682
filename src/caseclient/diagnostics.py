"""What ``caseclient doctor`` reports, and its ``--self-test``.

The self-test makes a throwaway profile, writes a contact carrying a unique
marker, reopens it, and proves the marker is on no file in clear, stock sqlite3
cannot read the store, a wrong key is refused with a clear error, and the
integrity check passes. It never touches the officer's own profile and never
prints case data or keys.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from caseclient import __version__
from caseclient.config import KEYRING_SERVICE, AppPaths
from caseclient.errors import StoreDamaged
from caseclient.storage.database import Database, library_versions, plain_sqlite_can_read
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import open_secret_store
from caseclient.storage.store import Store
from caseclient.storage.vault import KeyVault

SELF_TEST_KDF = KdfParams.for_tests()  # a throwaway profile: fast, weak on purpose


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def report(paths: AppPaths) -> list[tuple[str, str]]:
    """Facts about this installation; no secrets, no case data."""
    cipher_version, provider = library_versions()
    store, warning = open_secret_store(KEYRING_SERVICE)
    return [
        ("Caseclient", __version__),
        ("SQLCipher", cipher_version),
        ("Crypto provider", provider),
        ("Keychain", store.describe() + (f" — {warning}" if warning else "")),
        ("Profile data", str(paths.data_dir)),
        ("Settings", str(paths.config_dir)),
        ("Logs", str(paths.log_dir)),
        ("Profile set up", "yes" if paths.key_file.exists() else "no"),
    ]


def _files_under(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def self_test(progress: Callable[[Check], None] = lambda _check: None) -> list[Check]:
    """Run every check; each result is also passed to ``progress`` as it completes."""
    checks: list[Check] = []

    def record(name: str, ok: bool, detail: str = "") -> None:
        check = Check(name, ok, detail)
        checks.append(check)
        progress(check)

    with tempfile.TemporaryDirectory(prefix="caseclient-selftest-") as folder:
        paths = AppPaths.resolve(folder)
        paths.ensure()
        marker = f"SELFTEST-{secrets.token_hex(12)}"
        passphrase = secrets.token_urlsafe(16)
        vault = KeyVault(paths.key_file, params=SELF_TEST_KDF)
        vault.setup(passphrase)
        key = vault.unlock(passphrase)
        record("key vault: set up and unlock", True)
        store = Store.open(paths.database, key.sqlcipher_pragma_value(), backups_dir=paths.backups_dir)
        case_id, contact_id = str(uuid.uuid4()), str(uuid.uuid4())
        store.records.apply_server_records([{
            "record_type": "case", "record_id": case_id, "version": 1,
            "fields": {"crn": "Z999999", "first_name": "Self", "last_name": "Test"}}])
        store.records.create_draft("contact", contact_id, case_id,
                                   {"case_id": case_id, "notes": marker,
                                    "date": dt.date.today().isoformat()})
        store.records.finish("contact", contact_id)
        store.close()
        record("store: write a contact", True)

        store = Store.open(paths.database, key.sqlcipher_pragma_value(), backups_dir=paths.backups_dir)
        found = store.records.get("contact", contact_id)
        record("store: reopen and read back", found is not None and found.fields.get("notes") == marker)
        record("store: integrity check", store.db.integrity_check() == "ok")
        settings = store.db.cipher_settings()
        record("store: WAL and synchronous=FULL",
               settings["journal_mode"] == "wal" and settings["synchronous"] == "2")
        store.close()

        needle = marker.encode("utf-8")
        leaking = [p.name for p in _files_under(paths.data_dir.parent) if needle in p.read_bytes()]
        record("no case text in clear on disk", not leaking, ", ".join(leaking))
        record("stock sqlite3 cannot read the store", not plain_sqlite_can_read(paths.database))
        wrong = "x'" + secrets.token_hex(32) + "'"
        try:
            Database.open(paths.database, wrong).close()
            record("a wrong key is refused", False, "opened with a wrong key")
        except StoreDamaged:
            record("a wrong key is refused", True)
        key.wipe()
    return checks
