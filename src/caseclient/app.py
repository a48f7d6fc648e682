"""The one composition root: paths → vault → session → store-backed services.

Nothing runs at import time and nothing here is global: ``build`` returns the
collaborators, each handed what it needs (the clock, the secret store), so tests
and the command line assemble the same parts the desktop app does.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseclient.config import AppPaths
from caseclient.services.caseload import CaseloadService
from caseclient.services.clock import Clock
from caseclient.services.contacts import ContactService
from caseclient.services.session import SessionService
from caseclient.storage.secrets import SecretStore, open_secret_store
from caseclient.storage.store import utc_now
from caseclient.storage.vault import KeyVault

KEYRING_SERVICE = "caseclient"


@dataclass(frozen=True)
class AppServices:
    paths: AppPaths
    clock: Clock
    secrets: SecretStore
    secrets_warning: str | None
    session: SessionService
    caseload: CaseloadService
    contacts: ContactService


def build(paths: AppPaths, *, clock: Clock = utc_now, secrets: SecretStore | None = None,
          vault: KeyVault | None = None) -> AppServices:
    """Assemble the services. The store behind them exists only while unlocked."""
    warning: str | None = None
    if secrets is None:
        secrets, warning = open_secret_store(KEYRING_SERVICE)
    session = SessionService(paths, vault or KeyVault(paths.key_file))
    caseload = CaseloadService(lambda: session.store, clock)
    contacts = ContactService(lambda: session.store, clock, caseload.reference)
    return AppServices(paths, clock, secrets, warning, session, caseload, contacts)
