"""What the desktop app needs from the composition root, as a structural type.

``caseclient.app.AppServices`` satisfies :class:`AppServicesLike`; the UI does not
import ``app`` (the composition root depends on the UI, not the other way round),
so tests can hand in services built on their own encrypted store.
"""

from __future__ import annotations

from typing import Protocol

from caseclient.config import AppPaths
from caseclient.services.caseload import CaseloadService
from caseclient.services.clock import Clock
from caseclient.services.contacts import ContactService
from caseclient.services.session import SessionService


class AppServicesLike(Protocol):
    @property
    def paths(self) -> AppPaths: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def session(self) -> SessionService: ...

    @property
    def caseload(self) -> CaseloadService: ...

    @property
    def contacts(self) -> ContactService: ...
