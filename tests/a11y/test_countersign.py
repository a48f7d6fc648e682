"""Through the screen reader's bus: a senior probation officer countersigns, or returns, an
assessment by keyboard alone.

The profile (tests/a11y/profile.py) holds one case whose assessment a probation officer
answered and signed on this laptop; the signed-in officer is now an SPO. The real app is
unlocked, the case and its assessment opened by keyboard; each dialog is checked as Orca
hears it (what takes focus, the confirmation's name and state, the button that stays
unavailable until it is ticked, the required comments and their error) and its result is
heard and read back from the encrypted store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caseclient.config import AppPaths
from caseclient.services.session import SessionService
from caseclient.storage.kdf import KdfParams
from caseclient.storage.vault import KeyVault
from tests.a11y.profile import PASSPHRASE, SignedAssessment, make_signed_assessment_profile
from tests.a11y.reader_client import Node, ReaderClient
from tests.a11y.screen_reader import open_first_case, said, tick_and_reach, unlock

pytestmark = pytest.mark.atspi
COMMENTS = "Section 6 needs the new tenancy date."


@pytest.fixture
def signed(tmp_path: Path) -> SignedAssessment:
    return make_signed_assessment_profile(tmp_path / "home")


@pytest.fixture
def profile_home(tmp_path: Path, signed: SignedAssessment) -> Path:
    return tmp_path / "home"


def stored_fields(home: Path, assessment_id: str) -> dict[str, object]:
    """The assessment as the app's encrypted store holds it (read beside the app)."""
    paths = AppPaths.resolve(home)
    session = SessionService(paths, KeyVault(paths.key_file, params=KdfParams.for_tests()))
    session.unlock(PASSPHRASE)
    try:
        return dict(session.store.records.require("assessment", assessment_id).fields)
    finally:
        session.lock()


def open_signed(reader: ReaderClient, signed: SignedAssessment) -> Node:
    """Unlock, open the case, Tab to its Assessments list, Enter: the editor window."""
    unlock(reader)
    assert said(open_first_case(reader)) == ("table", "Registers")
    for _ in range(12):
        if said(reader.press("Tab")) == ("table", "Assessments"):
            break
    else:
        raise AssertionError("Tab never reached the case's Assessments list")
    reader.press("Return")
    window = reader.wait_window(signed.editor_title)
    reader.find("label", "Status: Signed: waiting for a senior probation officer", within=window,
                contains=True)
    return window


def test_an_spo_countersigns_by_keyboard_after_ticking_the_review(
        reader: ReaderClient, signed: SignedAssessment, profile_home: Path) -> None:
    open_signed(reader, signed)
    button = tick_and_reach(reader, "alt+c", "Countersign the assessment",   # the summary first
                            "I have reviewed this assessment and countersign it", "Countersign and lock")
    assert button.description == "Available once you have ticked the confirmation."
    before = reader.mark()
    focus = reader.press("space")
    assert reader.wait_announcement("Countersigned", before).startswith("Countersigned and locked.")
    assert said(focus) == ("push button", "Close")           # back in the editor, on Close
    fields = stored_fields(profile_home, signed.assessment_id)
    assert (fields["status"], fields["countersigned_by"]) == ("locked", "SPO1")


def test_returning_needs_comments_said_as_an_error_then_goes_back_to_the_assessor(
        reader: ReaderClient, signed: SignedAssessment, profile_home: Path) -> None:
    open_signed(reader, signed)
    focus = reader.press("alt+r")                            # Return for changes…
    reader.wait_window("Return the assessment for changes")
    assert said(focus) == ("text", "Comments for the assessor, required")
    assert focus.description.startswith("Say what needs to change.")
    assert said(reader.press("Tab")) == ("push button", "Return to the assessor")
    before = reader.mark()
    focus = reader.press("space")                            # nothing written yet
    error = reader.wait_announcement("Say what needs to change", before)
    assert said(focus) == ("text", "Comments for the assessor, required")   # back to the field
    assert reader.describe(focus).description == f"Error: {error}"
    reader.type(COMMENTS)
    assert reader.text_once_typed(focus, COMMENTS) == COMMENTS
    reader.keys("Tab")
    before = reader.mark()
    focus = reader.press("space")
    assert reader.wait_announcement("Returned", before) == "Returned to the assessor with your comments."
    assert said(focus) == ("push button", "Close")
    assert stored_fields(profile_home, signed.assessment_id)["status"] == "returned"
