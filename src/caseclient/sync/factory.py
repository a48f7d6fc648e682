"""Opening a sync engine with its own store connection, inside the thread that will use it.

A :class:`Database` belongs to one thread, so the worker opens a second
connection to the same encrypted file with the same key (WAL lets it read while
the UI thread writes). The key never appears in a repr or a log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from caseclient.storage.store import Store, utc_now
from caseclient.sync.engine import SyncEngine
from caseclient.sync.scheduler import EngineHandle
from caseclient.sync.tls import TlsContexts
from caseclient.sync.transport import CredentialStore, RetryPolicy, ServerConfig, Transport


@dataclass(frozen=True)
class EngineFactory:
    store_path: Path
    key_pragma: str = field(repr=False)
    backups_dir: Path
    server: ServerConfig
    credentials: CredentialStore = field(repr=False)
    clock: Callable[[], dt.datetime] = utc_now
    http: httpx.BaseTransport | None = None
    retry: RetryPolicy | None = None
    batch_size: int = 200
    page_size: int = 500          # records a pull page (2,000 made the UI thread wait longer: 0042)
    tls: TlsContexts = field(default_factory=TlsContexts)   # the app's, made once (sync/tls.py)

    def __call__(self, stopping: Callable[[], bool],
                 on_progress: Callable[[int], None] | None = None) -> EngineHandle:
        store = Store.open(self.store_path, self.key_pragma, backups_dir=self.backups_dir,
                           clock=self.clock, check=False)
        try:
            transport = Transport(self.server, client_id=store.client_id,
                                  credentials=self.credentials, http=self.http, retry=self.retry,
                                  tls=self.tls.get(self.server.ca_bundle))
        except BaseException:
            store.close()
            raise
        engine = SyncEngine(store, transport, clock=self.clock, batch_size=self.batch_size,
                            page_size=self.page_size, on_progress=on_progress, stopping=stopping)

        def close() -> None:
            try:
                transport.close()
            finally:
                store.close()

        return EngineHandle(engine, close)
