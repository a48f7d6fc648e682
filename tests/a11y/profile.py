"""A locked profile holding a small synthetic caseload, for the app to unlock.

Until ``caseclient demo`` can make one, tests build it here: a key vault with the
deliberately weak test KDF (the vault file stores its parameters, so the app
unlocks it just as fast), the server copies of one officer's made-up cases, then
the session is locked. Every person in it comes from ``caseserver.synthetic``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from caseclient.config import AppPaths
from caseclient.services.session import SessionService
from caseclient.storage.kdf import KdfParams
from caseclient.storage.vault import KeyVault
from caseserver.synthetic import SyntheticRecord, generate

PASSPHRASE = "made-up cases for the screen reader"
TODAY = dt.date(2026, 11, 24)


def change(record: SyntheticRecord, today: dt.date = TODAY) -> dict[str, Any]:
    """A synthetic record as the central system would send it (tests/helpers/records.py)."""
    return {"record_type": record.record_type, "record_id": record.record_id, "version": 1,
            "deleted": False, "fields": dict(record.fields), "changed_by": "SYNTH",
            "changed_at": f"{today.isoformat()}T09:00:00Z"}


def caseload_changes(*, cases: int = 4, contacts_per_case: int = 3) -> list[dict[str, Any]]:
    """The first officer's cases and everything on them (reference lists included)."""
    made = generate(officers=1, cases_per_officer=cases, contacts_per_case=contacts_per_case,
                    seed=8, today=TODAY)
    return [change(record) for record in made.records]


def make_profile(home: Path, *, cases: int = 4, contacts_per_case: int = 3) -> AppPaths:
    """Set up ``home`` with the test passphrase and a small caseload, and leave it locked."""
    paths = AppPaths.resolve(home)
    session = SessionService(paths, KeyVault(paths.key_file, params=KdfParams.for_tests()))
    session.set_up(PASSPHRASE)
    try:
        session.store.records.apply_server_records(
            caseload_changes(cases=cases, contacts_per_case=contacts_per_case))
    finally:
        session.lock()
    return paths
