"""Unlock time beside the key derivation alone, with the parameters calibrated here.

Unlock = read the key file, Argon2id, AES-GCM unwrap, open SQLCipher (quick check,
migrations) and read the store's identity. The reference is one Argon2id derivation
with the same parameters measured in the same run; the target is KDF + 1 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.table import BenchRow, median
from caseclient.storage.kdf import KdfParams, calibrate, measure
from caseclient.storage.store import Store
from caseclient.storage.vault import KeyVault

PASS = "benchmark passphrase, not a real one"  # noqa: S105 - throwaway profile


def run(quick: bool = False) -> list[BenchRow]:
    params = KdfParams.for_tests() if quick else calibrate()
    rounds = 2 if quick else 5
    with tempfile.TemporaryDirectory(prefix="caseclient-bench-unlock-") as folder:
        root = Path(folder)
        vault = KeyVault(root / "vault.json", params=params)
        vault.setup(PASS)
        key = vault.unlock(PASS)
        Store.open(root / "cases.db", key.sqlcipher_pragma_value(), backups_dir=root / "b").close()
        key.wipe()
        unlocks: list[float] = []
        kdf: list[float] = []
        for _ in range(rounds):
            kdf.append(measure(params))
            start = time.perf_counter()
            key = vault.unlock(PASS)
            store = Store.open(root / "cases.db", key.sqlcipher_pragma_value(), backups_dir=root / "b")
            _ = store.client_id
            unlocks.append(time.perf_counter() - start)
            store.close()
            key.wipe()
    kdf_s = median(kdf)
    return [
        BenchRow("unlock: passphrase → store open", median(unlocks), "s", reference=kdf_s,
                 reference_label=f"Argon2id alone, t={params.time_cost} m={params.memory_kib // 1024} MiB",
                 target_abs=kdf_s + 1.0),
        BenchRow("Argon2id derivation (calibrated 0.3–0.5 s)", kdf_s, "s", target_abs=0.5),
    ]
