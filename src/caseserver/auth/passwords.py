"""Argon2id password hashes (argon2-cffi), with the cost taken from settings."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from caseserver.settings import Settings


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(time_cost=settings.argon2_time_cost,
                                      memory_cost=settings.argon2_memory_kib,
                                      parallelism=settings.argon2_parallelism)
        # Unknown users are checked against this, so they take as long as known ones.
        self._dummy = self._hasher.hash("not a password of anyone")

    def hash(self, password: str) -> str:
        return str(self._hasher.hash(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored_hash or self._dummy, password)) and bool(stored_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
