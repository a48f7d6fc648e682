"""A locked profile holding a small synthetic caseload, for the app to unlock.

Until ``caseclient demo`` can make one, tests build it here: a key vault with the
deliberately weak test KDF (the vault file stores its parameters, so the app
unlocks it just as fast), the server copies of one officer's made-up cases, then
the session is locked. Every person in it comes from ``caseserver.synthetic``.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseclient.config import AppPaths
from caseclient.services.session import SessionService
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.store import utc_now
from caseclient.storage.vault import KeyVault
from caseclient.sync import commands
from caseclient.sync.commands import login
from caseserver.synthetic import SyntheticRecord, generate
from tests.helpers.central import PASSWORD as CENTRAL_PASSWORD
from tests.helpers.central import Central

PASSPHRASE = "made-up cases for the screen reader"
TODAY = dt.date(2026, 11, 24)


def change(record: SyntheticRecord, today: dt.date = TODAY) -> dict[str, Any]:
    """A synthetic record as the central system would send it (tests/helpers/records.py)."""
    return {"record_type": record.record_type, "record_id": record.record_id, "version": 1,
            "deleted": False, "fields": dict(record.fields), "changed_by": "SYNTH",
            "changed_at": f"{today.isoformat()}T09:00:00Z"}


def caseload_changes(*, cases: int = 4, contacts_per_case: int = 3) -> list[dict[str, Any]]:
    """The first officer's cases and everything on them (reference lists included)."""
    made = generate(officers=1, cases_per_officer=cases, contacts_per_case=contacts_per_case,
                    seed=8, today=TODAY)
    return [change(record) for record in made.records]


def make_profile(home: Path, *, cases: int = 4, contacts_per_case: int = 3) -> AppPaths:
    """Set up ``home`` with the test passphrase and a small caseload, and leave it locked."""
    paths = AppPaths.resolve(home)
    session = SessionService(paths, KeyVault(paths.key_file, params=KdfParams.for_tests()))
    session.set_up(PASSPHRASE)
    try:
        session.store.records.apply_server_records(
            caseload_changes(cases=cases, contacts_per_case=contacts_per_case))
    finally:
        session.lock()
    return paths


@dataclass(frozen=True)
class Conflict:
    """The contact both sides changed, and what each side wrote (tests/ui/test_attention_screen.py)."""

    contact_id: str
    title: str
    mine: dict[str, str]
    theirs: dict[str, str]


def make_conflict_profile(home: Path, central: Central) -> Conflict:
    """A locked profile signed in to ``central`` whose Needs attention holds one real conflict.

    Signed in and synced with the real commands; a contact is sent, then its location and
    notes are changed here and on the central system, and the next sync finds the conflict.
    The app, in its own process, does not have this process's sign-in tokens (they live in
    memory only): the test signs in again through the app's own dialog.
    """
    paths = AppPaths.resolve(home)
    session = SessionService(paths, KeyVault(paths.key_file, params=KdfParams.for_tests()))
    session.set_up(PASSPHRASE)
    secrets = MemorySecretStore()
    contact_id = str(uuid.uuid4())
    mine = {"location": "Home", "notes": "Mine: moved to Thursday at his request."}
    theirs = {"location": "Court", "notes": "Theirs: seen at court instead."}
    try:
        store = session.store
        sync = functools.partial(commands.sync_once, store, secrets, clock=utc_now)
        login(store, secrets, server_url=central.url, username="po1", password=CENTRAL_PASSWORD,
              device_name="screen reader test")
        assert sync().exit_code == commands.EXIT_OK
        store.records.create_draft("contact", contact_id, central.case_id, {
            "case_id": central.case_id, "contact_type": "COAP", "date": "2026-11-30",
            "start_time": "10:00", "end_time": "11:00", "location": "Office", "sensitive": False,
            "alert": False, "notes": "Start"})
        store.records.finish("contact", contact_id)
        assert sync().exit_code == commands.EXIT_OK
        central.edit("contact", contact_id, **theirs)
        store.records.save("contact", contact_id, dict(mine))
        assert sync().exit_code == commands.EXIT_ATTENTION
    finally:
        session.lock()
    return Conflict(contact_id, "Office appointment on 30/11/2026 — Alex Example (A000001)", mine, theirs)


@dataclass(frozen=True)
class OpenAssessment:
    """An assessment sent to the central system, complete but for one section."""

    case_id: str
    assessment_id: str
    section: str                 # the heading of the section left to answer
    left: list[tuple[str, str]]  # its questions, in order: (kind, text)


def make_assessment_profile(home: Path, central: Central, *, section_id: str = "s3") -> OpenAssessment:
    """A locked profile signed in to ``central`` whose case holds a sent, open assessment.

    Signed in and synced with the real commands, so the store keeps the officer (grade
    included) and the assessment is "Sent": the officer's first answer in the app moves it
    to "Saved on this laptop", which the editor announces. Every other shown question is
    answered as tests/ui/assessments/answers.py answers it.
    """
    from caseclient.services.assessments import AssessmentService  # noqa: PLC0415 - Qt
    from tests.ui.assessments.answers import complete_answers  # noqa: PLC0415 - Qt

    paths = AppPaths.resolve(home)
    session = SessionService(paths, KeyVault(paths.key_file, params=KdfParams.for_tests()))
    session.set_up(PASSPHRASE)
    secrets = MemorySecretStore()
    try:
        store = session.store
        login(store, secrets, server_url=central.url, username="po1", password=CENTRAL_PASSWORD,
              device_name="screen reader test")
        assert commands.sync_once(store, secrets, clock=utc_now).exit_code == commands.EXIT_OK
        assessments = AssessmentService.for_session(session, utc_now)
        template = assessments.registry.latest()
        assert template is not None, "no assessment template is installed"
        section = next(s for s in template.sections if s.id == section_id)
        started = assessments.start(central.case_id, copy_from_last=False)
        answers = {q: a for q, a in complete_answers(template).items()
                   if not q.startswith(f"{section_id}.")}
        saved = assessments.save_answers(started.view.assessment_id, answers)
        assert saved.refusal is None and not saved.errors, "the sample answers did not fit"
        assert commands.sync_once(store, secrets, clock=utc_now).exit_code == commands.EXIT_OK
    finally:
        session.lock()
    return OpenAssessment(central.case_id, started.view.assessment_id, section.heading,
                          [(q.kind.value, q.text) for q in section.questions])


@dataclass(frozen=True)
class SignedAssessment:
    """An assessment signed by a probation officer, on an SPO's laptop, to countersign or return."""

    assessment_id: str
    editor_title: str            # the editor window's title: "Assessment for <name> (<CRN>)"


def make_signed_assessment_profile(home: Path) -> SignedAssessment:
    """A locked profile of one case whose assessment PO1 answered in full and signed here,
    now in the hands of SPO1 (the grade the central system would give at sign-in)."""
    from caseclient.domain.records import Grade, Officer  # noqa: PLC0415 - beside the Qt import
    from caseclient.services.assessments import AssessmentService  # noqa: PLC0415 - Qt
    from tests.ui.assessments.answers import complete_answers  # noqa: PLC0415 - Qt

    paths = AppPaths.resolve(home)
    session = SessionService(paths, KeyVault(paths.key_file, params=KdfParams.for_tests()))
    session.set_up(PASSPHRASE)
    try:
        store = session.store
        changes = caseload_changes(cases=1, contacts_per_case=2)
        store.records.apply_server_records(changes)
        case = next(c for c in changes if c["record_type"] == "case")
        store.set_officer(Officer("PO1", "Officer PO1", Grade.PO, "North"))
        assessments = AssessmentService.for_session(session, utc_now)
        started = assessments.start(case["record_id"], copy_from_last=False).view
        saved = assessments.save_answers(started.assessment_id, complete_answers(started.template))
        assert saved.refusal is None and not saved.errors, "the sample answers did not fit"
        assert assessments.sign(started.assessment_id).ok
        store.set_officer(Officer("SPO1", "Officer SPO1", Grade.SPO, "North"))
    finally:
        session.lock()
    fields = case["fields"]
    return SignedAssessment(started.assessment_id,
                            f"Assessment for {fields['first_name']} {fields['last_name']} ({fields['crn']})")
