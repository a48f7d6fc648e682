"""Through the screen reader's bus: finish an assessment's last section by keyboard, then sign it.

The profile is signed in to the real central system on loopback and its open assessment
was sent, complete but for section 3; the real app (``caseclient app``) is unlocked and
the case opened by keyboard. Each question is reached with the editor's "next
unanswered" command and checked as Orca hears it (role, and the question text as its
name — a combo box's through its label), the first answer's autosave is heard as
"Saved on this laptop", and signing goes through the summary and confirmation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caseclient.config import AppPaths
from caseclient.services.session import SessionService
from caseclient.storage.kdf import KdfParams
from caseclient.storage.vault import KeyVault
from tests.a11y.profile import PASSPHRASE, OpenAssessment, make_assessment_profile
from tests.a11y.reader_client import Node, ReaderClient
from tests.a11y.screen_reader import open_first_case, said, spoken, tab_stops, tick_and_reach, unlock
from tests.helpers.central import Central

pytestmark = pytest.mark.atspi
EDITOR = "Assessment for Alex Example (A000001)"
CASE_TO_ASSESSMENTS = [
    ("table", "Events and requirements"), ("table", "Contacts"), ("table", "Appointments ahead"),
    ("push button", "Start assessment"), ("push button", "Open assessment"), ("table", "Assessments")]
# What Down chooses first in each kind of choice ("Not answered" comes first in every one).
CHOSEN = {"score": ("Down",), "yes_no": ("Down", "Down")}
CHOSEN_WORDS = {"score": "0 – no problems", "yes_no": "No"}
EVIDENCE = "Lives with his sister; the tenancy is secure until March."


@pytest.fixture
def assessment(tmp_path: Path, central: Central) -> OpenAssessment:
    return make_assessment_profile(tmp_path / "home", central)


@pytest.fixture
def profile_home(tmp_path: Path, assessment: OpenAssessment) -> Path:
    return tmp_path / "home"


def open_the_assessment(reader: ReaderClient) -> Node:
    """Unlock, open the case, Tab to its Assessments list, Enter: the editor, on its sections."""
    unlock(reader)
    assert said(open_first_case(reader)) == ("table", "Registers")
    assert tab_stops(reader, len(CASE_TO_ASSESSMENTS)) == CASE_TO_ASSESSMENTS
    focus = reader.press("Return")
    window = reader.wait_window(EDITOR)
    assert window.role == "frame"                           # heard as a window of its own
    assert said(focus) == ("list", "Sections")
    assert focus.description.startswith("Each section with how far it has got")
    first = reader.find("list item", "1. Offending information: Complete", within=window, contains=True)
    assert {"focused", "selected"} <= set(first.states)     # the section highlighted is read out
    return window


def stored_status(home: Path, assessment_id: str) -> object:
    """The assessment's status as the app's encrypted store holds it (read beside the app)."""
    paths = AppPaths.resolve(home)
    session = SessionService(paths, KeyVault(paths.key_file, params=KdfParams.for_tests()))
    session.unlock(PASSPHRASE)
    try:
        return session.store.records.require("assessment", assessment_id).fields.get("status")
    finally:
        session.lock()


def answer(reader: ReaderClient, focus: Node, kind: str, text: str) -> None:
    """Check the question is heard as itself, then answer it from the keyboard."""
    if kind in CHOSEN:
        assert focus.role == "combo box"
        assert spoken(focus) == f"{text} (required)"        # its label, as Orca reads a combo box
        assert focus.name == "Not answered"
        reader.keys(*CHOSEN[kind])
        assert reader.describe(focus).name == CHOSEN_WORDS[kind]
    else:
        assert kind == "long_text"
        assert said(focus) == ("text", f"{text}, required")
        assert "EditableText" in focus.interfaces
        reader.type(EVIDENCE)
        assert reader.text_once_typed(focus, EVIDENCE) == EVIDENCE


def test_the_last_section_is_answered_by_keyboard_heard_saved_and_signed(
        reader: ReaderClient, assessment: OpenAssessment, profile_home: Path) -> None:
    window = open_the_assessment(reader)
    reader.find("label", "Status: Open: being written. Sent.", within=window)

    before = reader.mark()
    for index, (kind, text) in enumerate(assessment.left):
        focus = reader.press("ctrl+j")                      # next unanswered question
        answer(reader, focus, kind, text)
        if index == 0:                                       # the first autosave moves it from Sent
            assert reader.wait_announcement("Saved on this laptop", before) == \
                "Open: being written. Saved on this laptop."
    before = reader.mark()
    reader.keys("ctrl+j")
    assert reader.wait_announcement("Every question", before) == "Every question shown has an answer."
    section = reader.find("list item", assessment.section, within=window, contains=True)
    assert section.name.startswith(f"{assessment.section}: Complete, 7 of 7 answered")

    tick_and_reach(reader, "alt+s", "Sign the assessment",        # Sign…: the summary first
                   "I confirm this assessment is complete and accurate", "Sign assessment")
    before = reader.mark()
    focus = reader.press("space")
    assert reader.wait_announcement("Signed.", before) == (
        "Signed. It will be sent at the next sync for a senior probation officer to countersign.")
    assert said(focus) == ("push button", "Close")         # back in the editor, on Close
    reader.find("label", "Status: Signed: waiting for a senior probation officer. Saved on this laptop.",
                within=window)
    assert stored_status(profile_home, assessment.assessment_id) == "signed"


def test_signing_too_early_lists_each_missing_answer_as_a_way_to_its_question(
        reader: ReaderClient, assessment: OpenAssessment) -> None:
    window = open_the_assessment(reader)
    before = reader.mark()
    focus = reader.press("alt+s")
    dialog = reader.wait_window("Sign the assessment")
    count = len(assessment.left)
    assert reader.wait_announcement("need attention", before) == (
        f"{count} answers need attention before this assessment can be signed. "
        "Choose one to go to its question.")
    kind, text = assessment.left[0]
    first = f"Section {assessment.section}, \u201c{text}\u201d"
    assert said(focus) == ("push button", first)
    assert focus.description == f"{first}: this question needs an answer."
    buttons = [c for c in reader.children(dialog) if c.role == "push button"]
    assert len(buttons) >= 1
    focus = reader.press("Return")                           # goes to that question in the editor
    answer(reader, focus, kind, text)
    assert reader.find("label", "Status: Open: being written.", within=window, contains=True)
