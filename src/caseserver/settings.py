"""Server settings: where the data lives and the limits of auth, in one frozen value.

Nothing reads the environment except :meth:`Settings.from_env`, so tests build
settings by hand and nothing is global.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    access_ttl_seconds: int = 15 * 60
    refresh_ttl_seconds: int = 30 * 24 * 3600
    # Argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # Login rate limit: failed attempts within the window, per account and per address.
    login_window_seconds: int = 15 * 60
    login_max_failures_account: int = 5
    login_max_failures_address: int = 20
    min_schema: int = 1
    max_schema: int = 1

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        url = env.get("CASESERVER_DATABASE_URL")
        if not url:
            data_dir = Path(env.get("CASESERVER_DATA_DIR") or platformdirs.user_data_dir("caseserver"))
            data_dir.mkdir(parents=True, exist_ok=True)
            url = sqlite_url(data_dir / "caseserver.db")
        return cls(database_url=url)

    def with_url(self, url: str) -> Settings:
        return Settings(**{**self.__dict__, "database_url": url})
