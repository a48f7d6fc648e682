"""Argon2id key derivation for the vault, and its calibration to this laptop.

The parameters are stored beside each wrapped key (see :mod:`vault_file`), so a
profile set up on a slow laptop still opens after the parameters are retuned, and
a future format can raise them without breaking old profiles.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

KEY_BYTES = 32
SALT_BYTES = 16

# Calibration bounds: never weaker than OWASP's Argon2id floor (19 MiB, t=2),
# never so heavy that a low-memory laptop swaps.
MIN_MEMORY_KIB = 19 * 1024
MAX_MEMORY_KIB = 256 * 1024
TARGET_LOW_S = 0.3
TARGET_HIGH_S = 0.5


@dataclass(frozen=True)
class KdfParams:
    time_cost: int
    memory_kib: int
    parallelism: int

    @classmethod
    def for_tests(cls) -> KdfParams:
        """Deliberately weak, fast parameters: for tests and throwaway self-test profiles only."""
        return cls(time_cost=1, memory_kib=8 * 1024, parallelism=1)

    @classmethod
    def baseline(cls) -> KdfParams:
        return cls(time_cost=2, memory_kib=64 * 1024, parallelism=2)

    def as_json(self) -> dict[str, int]:
        return {"time_cost": self.time_cost, "memory_kib": self.memory_kib,
                "parallelism": self.parallelism}


def derive(secret: bytes | bytearray, salt: bytes, params: KdfParams) -> bytearray:
    """The 256-bit key-encryption key for ``secret``; a bytearray so callers can wipe it."""
    raw = hash_secret_raw(secret=bytes(secret), salt=salt, time_cost=params.time_cost,
                          memory_cost=params.memory_kib, parallelism=params.parallelism,
                          hash_len=KEY_BYTES, type=Type.ID)
    return bytearray(raw)


def measure(params: KdfParams, timer: Callable[[], float] = time.perf_counter) -> float:
    """Seconds one derivation with ``params`` takes here."""
    start = timer()
    derive(b"calibration passphrase", b"\0" * SALT_BYTES, params)
    return timer() - start


def calibrate(measure_s: Callable[[KdfParams], float] = measure) -> KdfParams:
    """Parameters taking about 0.3–0.5 s on this machine (within the memory bounds).

    Starts from the baseline and raises the time cost (or lowers memory on a slow
    machine) until one derivation lands in the target band. Takes a few derivations.
    """
    params = KdfParams.baseline()
    for _ in range(12):
        seconds = measure_s(params)
        if seconds > TARGET_HIGH_S:
            if params.time_cost > 2:
                params = KdfParams(params.time_cost - 1, params.memory_kib, params.parallelism)
            elif params.memory_kib > MIN_MEMORY_KIB:
                params = KdfParams(params.time_cost, max(MIN_MEMORY_KIB, params.memory_kib // 2),
                                   params.parallelism)
            else:
                return params
        elif seconds < TARGET_LOW_S:
            scale = max(1.1, TARGET_LOW_S * 1.2 / max(seconds, 1e-3))
            if params.memory_kib < MAX_MEMORY_KIB and scale >= 2:
                params = KdfParams(params.time_cost, min(MAX_MEMORY_KIB, params.memory_kib * 2),
                                   params.parallelism)
            else:
                params = KdfParams(max(params.time_cost + 1, round(params.time_cost * scale)),
                                   params.memory_kib, params.parallelism)
        else:
            return params
    return params
