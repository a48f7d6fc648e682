"""What the status bar shows, as one frozen value; its words are computed here.

The sync engine's service feeds :class:`SyncStatus` values (through an adapter
the composition root wires); the UI never asks the engine itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from caseclient.ui.formats import age_words


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None = None              # None: not known yet (no attempt since start)
    signed_out: bool = False                 # tokens expired or revoked
    syncing: bool = False
    last_sync: dt.datetime | None = None     # last successful sync (aware)
    waiting: int = 0                         # local changes not yet accepted by the server
    oldest_waiting: dt.datetime | None = None
    needs_attention: int = 0
    clock_warning: str | None = None         # this laptop's clock is far from the central system's
    locked: bool = False                     # the store is closed: nothing syncs until unlock
    busy: bool = False                       # offline because the central system asked to wait

    def connection_words(self) -> str:
        if self.locked:
            return "Locked — unlock to sync"
        if self.signed_out:
            return "Signed out — your work is kept on this laptop"
        if self.syncing:
            return "Syncing…"
        if self.online is None:
            return "Not connected yet"
        if self.online:
            return "Online"
        return "Central system busy — your work is kept" if self.busy else "Offline — your work is kept"

    def last_sync_words(self, now: dt.datetime) -> str:
        if self.last_sync is None:
            return "Never synced"
        return f"Last sync {age_words(now - self.last_sync)}"

    def waiting_words(self, now: dt.datetime) -> str:
        if self.waiting == 0:
            return "Nothing waiting to send"
        items = "1 item" if self.waiting == 1 else f"{self.waiting} items"
        if self.oldest_waiting is None:
            return f"{items} waiting to send"
        return f"{items} waiting to send, oldest {age_words(now - self.oldest_waiting)}"

    def attention_words(self) -> str:
        if self.needs_attention == 0:
            return ""
        return f"{self.needs_attention} need{'s' if self.needs_attention == 1 else ''} attention"
