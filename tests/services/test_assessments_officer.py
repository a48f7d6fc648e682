"""The signed-in officer kept on this laptop: whole (grade too), from sign-in and each handshake.

An SPO can countersign in the app only if the store knows they are an SPO. Profiles
from before grades were kept hold the staff code only: the grade is unknown, the
officer gets the least rights, the editor says why, and the next sync puts it right.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from caseclient.domain.assessment import Action
from caseclient.domain.records import Grade, Officer
from caseclient.services.assessments import GRADE_UNKNOWN, AssessmentService
from caseclient.storage.store import Store
from caseclient.sync import commands, signin
from tests.helpers.central import PASSWORD, Central, running_central
from tests.helpers.clock import FakeClock
from tests.sync.fakes import MemoryCredentials
from tests.ui.assessments.answers import complete_answers

SPO = Officer("SPO1", "Lee Senior", Grade.SPO, "North")


class Session:
    """The one attribute ``AssessmentService.for_session`` reads."""

    def __init__(self, opened: Store) -> None:
        self.store = opened


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    with running_central(tmp_path / "central.db") as running:
        running.server.services.admin.add_officer(staff_code=SPO.staff_code, username="spo1",
                                                  password=PASSWORD, name=SPO.name,
                                                  grade=SPO.grade.value, team=SPO.team)
        yield running


def test_a_new_profile_has_nobody_with_the_least_rights(store: Store) -> None:
    assert store.officer() == Officer("this laptop", "", Grade.PO, "")
    assert not store.officer_grade_known()


def test_the_whole_officer_is_kept_across_a_restart_and_written_only_when_it_changes(
        store: Store, store_path: Path, key_pragma: str, clock: FakeClock) -> None:
    assert store.set_officer(SPO) is True
    assert store.set_officer(SPO) is False                   # a handshake with nothing new writes nothing
    store.close()
    reopened = Store.open(store_path, key_pragma, backups_dir=store_path.parent / "backups", clock=clock)
    try:
        assert reopened.officer() == SPO and reopened.officer_grade_known()
        assert reopened.officer_code() == "SPO1"
        assert reopened.set_officer(Officer("SPO1", "Lee Senior", Grade.PO, "South")) is True
        assert reopened.officer().grade is Grade.PO and reopened.officer().team == "South"
    finally:
        reopened.close()


def test_an_old_profile_with_the_staff_code_only_gets_the_least_rights_and_is_told_why(
        store: Store, local_clock: FakeClock, seeded: dict[str, str]) -> None:
    store.set_officer(SPO)
    store.set_officer_code("SPO1")                            # as every profile before grades were kept
    assert store.officer() == Officer("SPO1", "", Grade.PO, "")
    assert not store.officer_grade_known()

    service = AssessmentService.for_session(Session(store), local_clock)  # type: ignore[arg-type]
    assert service.officer() == Officer("SPO1", "", Grade.PO, "")
    assert service.officer_notice() == GRADE_UNKNOWN
    started = service.start(seeded["ann"], copy_from_last=False)
    template = started.view.template
    service.save_answers(started.view.assessment_id, complete_answers(template))
    signed = service.sign(started.view.assessment_id)
    assert signed.ok and signed.view.officer_notice == GRADE_UNKNOWN
    assert Action.COUNTERSIGN not in signed.view.actions


def test_signing_in_keeps_the_grade_and_an_spo_may_then_countersign(
        store: Store, central: Central, local_clock: FakeClock, seeded: dict[str, str]) -> None:
    service = AssessmentService.for_session(Session(store), local_clock)  # type: ignore[arg-type]
    started = service.start(seeded["ann"], copy_from_last=False)
    service.save_answers(started.view.assessment_id, complete_answers(started.view.template))
    assert service.sign(started.view.assessment_id).ok        # written here by "this laptop"

    officer = signin.sign_in(store, MemoryCredentials(), server_url=central.url, username="spo1",
                             password=PASSWORD, device_name="Laptop")
    assert officer == SPO and store.officer() == SPO and store.officer_grade_known()
    view = service.get(started.view.assessment_id)
    assert view.officer_notice is None and Action.COUNTERSIGN in view.actions
    result = service.countersign(started.view.assessment_id)
    assert result.ok and result.view.fields["countersigned_by"] == "SPO1"


def test_the_handshake_brings_back_the_grade_of_an_old_profile(
        store: Store, central: Central, clock: FakeClock) -> None:
    credentials = MemoryCredentials()
    commands.login(store, credentials, server_url=central.url, username="spo1", password=PASSWORD,
                   device_name="Laptop")
    assert store.officer() == SPO
    store.set_officer_code("SPO1")                            # the profile as an older version left it
    assert not store.officer_grade_known()
    result = commands.sync_once(store, credentials, clock=clock)
    assert result.exit_code == commands.EXIT_OK, result.text
    assert store.officer() == SPO and store.officer_grade_known()
