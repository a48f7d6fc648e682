"""What the desktop app needs from the composition root, as a structural type.

``caseclient.app.AppServices`` satisfies :class:`AppServicesLike`; the UI does not
import ``app`` (the composition root depends on the UI, not the other way round),
so tests can hand in services built on their own encrypted store.
"""

from __future__ import annotations

from typing import Protocol

from caseclient.config import AppPaths
from caseclient.services.assessments import AssessmentService
from caseclient.services.attention import AttentionService
from caseclient.services.case_detail import CaseDetailService
from caseclient.services.caseload import CaseloadService
from caseclient.services.clock import Clock
from caseclient.services.contacts import ContactService
from caseclient.services.diary import DiaryService
from caseclient.services.export import ExportService
from caseclient.services.session import SessionService
from caseclient.services.signin import SignInService
from caseclient.services.sync import SyncService


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

    @property
    def case_detail(self) -> CaseDetailService: ...

    @property
    def diary(self) -> DiaryService: ...

    @property
    def sync(self) -> SyncService: ...

    @property
    def signin(self) -> SignInService: ...

    @property
    def attention(self) -> AttentionService: ...

    @property
    def export(self) -> ExportService: ...

    @property
    def assessments(self) -> AssessmentService: ...
