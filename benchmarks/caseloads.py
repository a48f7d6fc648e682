"""Made-up caseloads for the benchmarks, and profiles on the real composition root.

Every record comes from ``caseserver.synthetic.generate`` (invented people, seeded),
so a run always measures the same caseload. One case holder holds every case, as
one officer's laptop would. A profile is the real thing — ``caseclient.app.build``
over a real SQLCipher file, the vault with the KDF parameters the caller chooses —
with an in-memory secret store in place of the OS keychain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.store import Store, utc_now
from caseclient.storage.vault import KeyVault
from caseserver.synthetic import Caseload, generate

PASSPHRASE = "benchmark passphrase, not a real one"  # noqa: S105 - throwaway profiles of made-up cases
SEED = 2026
LOAD_BATCH = 5_000


def today() -> dt.date:
    return utc_now().date()


def caseload(cases: int, contacts_per_case: int, *, in_progress: bool = True) -> Caseload:
    """``cases`` cases of one case holder, ``contacts_per_case`` contacts each (plus their SPO)."""
    return generate(officers=1, cases_per_officer=cases, contacts_per_case=contacts_per_case,
                    seed=SEED, today=today(), assessments_in_progress=in_progress)


def wire_changes(made: Caseload) -> list[dict[str, Any]]:
    """The caseload as the central system sends it (version 1 of every record)."""
    return [{"record_type": r.record_type, "record_id": r.record_id, "version": 1, "fields": r.fields}
            for r in made.records]


def load(store: Store, changes: Sequence[dict[str, Any]], batch: int = LOAD_BATCH) -> None:
    """Apply server copies in large transactions: the fastest honest way to fill a store."""
    for start in range(0, len(changes), batch):
        store.records.apply_server_records(list(changes[start:start + batch]))


def profile(home: Path, params: KdfParams) -> AppServices:
    """The app's services over the profile in ``home`` (not set up, not unlocked)."""
    paths = AppPaths.resolve(home)
    return build(paths, secrets=MemorySecretStore(), vault=KeyVault(paths.key_file, params=params))


def contact_count(changes: Sequence[dict[str, Any]]) -> int:
    return sum(1 for c in changes if c["record_type"] == "contact")
