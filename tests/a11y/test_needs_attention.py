"""Through the screen reader's bus: a real conflict settled from Needs attention by keyboard, then sent.

The profile is signed in to the real central system on loopback; a contact was changed
here and there, and the last sync put the conflict in Needs attention. The central
system keeps running, so the officer signs in again through the app's own dialog
(the app does not have the test's in-memory tokens) and the settled values are sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.a11y.conftest import RunningApp
from tests.a11y.desktop import Desktop
from tests.a11y.profile import Conflict, make_conflict_profile
from tests.a11y.reader_client import Node, ReaderClient, ReaderFailed
from tests.a11y.screen_reader import said, unlock
from tests.helpers.central import PASSWORD, Central

pytestmark = pytest.mark.atspi
# `caseclient app` does not join the sync service yet (see tests/a11y/apps/synced_app.py).
SYNCED_APP = ("-m", "tests.a11y.apps.synced_app", "{home}")
HANG_GUARD_S = 30.0      # waiting for the central system to hear; not a speed requirement
WHAT_HAPPENED = "Changed on the central system while you changed it here"


@pytest.fixture
def conflict(tmp_path: Path, central: Central) -> Conflict:
    return make_conflict_profile(tmp_path / "home", central)


@pytest.fixture
def profile_home(tmp_path: Path, conflict: Conflict) -> Path:
    return tmp_path / "home"


@pytest.fixture
def app(desktop: Desktop, profile_home: Path, tmp_path: Path) -> Iterator[RunningApp]:
    running = RunningApp(desktop, profile_home, tmp_path / "app.log", SYNCED_APP)
    yield running
    running.stop()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def focus_is(reader: ReaderClient, wanted: tuple[str, str]) -> bool:
    try:
        return said(reader.current_focus()) == wanted
    except ReaderFailed:                 # nothing focused (yet)
        return False


def tab_until(reader: ReaderClient, wanted: tuple[str, str], limit: int = 8) -> Node:
    for _ in range(limit):
        focus = reader.press("Tab")
        if said(focus) == wanted:
            return focus
    raise AssertionError(f"Tab never reached {wanted}")


def open_needs_attention(reader: ReaderClient, conflict: Conflict) -> Node:
    """Unlock, hear the count in the status bar, then Go → Needs attention by its shortcut."""
    unlock(reader)
    count = reader.find("push button", "1 needs attention")
    assert count.description == "Opens the Needs attention list."
    before = reader.mark()
    focus = reader.press("ctrl+shift+a")
    assert reader.wait_announcement("needs your attention", before) == "1 item needs your attention."
    assert said(focus) == ("table cell", conflict.title)
    table = reader.find("table", "Items needing attention")
    assert table.description == "Arrow keys move between items; Enter opens one."
    cells = [c.name for c in reader.children(table) if c.role == "table cell"]
    assert cells[:2] == [conflict.title, WHAT_HAPPENED]
    for button in ("Open", "Export"):
        assert reader.find("push button", button).description
    return table


def test_the_chooser_names_every_value_and_choice_with_its_field(
        reader: ReaderClient, conflict: Conflict) -> None:
    open_needs_attention(reader, conflict)
    before = reader.mark()
    focus = reader.press("Return")
    dialog = reader.wait_window("Settle a conflict")
    assert reader.wait_announcement("Conflict on", before) == (
        f"Conflict on {conflict.title}. 2 fields differ. For each, keep mine, keep theirs, or edit.")
    assert said(focus) == ("text", "Location, yours")
    for label, field in (("Location", "location"), ("Notes", "notes")):
        group = reader.find("panel", label, within=dialog)
        yours = reader.find("text", f"{label}, yours", within=group)
        theirs = reader.find("text", f"{label}, theirs", within=group)
        assert (reader.text(yours), reader.text(theirs)) == (conflict.mine[field], conflict.theirs[field])
        assert "read only" in yours.states or "editable" not in yours.states
        assert yours.relations.get("labelled by") == ["Yours, on this laptop", label]   # label, then group
        assert theirs.relations.get("labelled by") == ["Theirs, on the central system", label]
        for name in (f"Keep mine for {label}", f"Keep theirs for {label}", f"Edit {label}"):
            reader.find("radio button", name, within=group)
        edited = reader.find("text", f"Edited {label}", within=group)
        assert "sensitive" not in edited.states          # used only once Edit is chosen
    # Tab: yours, theirs, the choice (one stop per radio group), per field; then Settle, Cancel; no trap.
    assert [said(reader.press("Tab")) for _ in range(8)] == [
        ("text", "Location, theirs"), ("radio button", "Keep mine for Location"),
        ("text", "Notes, yours"), ("text", "Notes, theirs"), ("radio button", "Keep mine for Notes"),
        ("push button", "Settle"), ("push button", "Cancel"), ("text", "Location, yours")]


def test_a_conflict_is_settled_by_keyboard_announced_and_sent_after_signing_in(
        reader: ReaderClient, conflict: Conflict, central: Central) -> None:
    open_needs_attention(reader, conflict)
    reader.press("Return")
    dialog = reader.wait_window("Settle a conflict")

    before = reader.mark()
    focus = reader.press("Return")                     # nothing chosen: named, focused, announced
    problem = "Choose mine, theirs or edit for Location."
    assert reader.wait_announcement("Choose mine", before) == problem
    assert said(focus) == ("radio button", "Keep mine for Location")
    assert reader.find("label", problem, within=dialog).role == "label"

    focus = reader.press("Right")                       # arrows move within the field's choices
    assert said(focus) == ("radio button", "Keep theirs for Location")
    reader.keys("space")
    assert "checked" in reader.describe(focus).states
    mine = tab_until(reader, ("radio button", "Keep mine for Notes"))
    reader.keys("space")
    assert "checked" in reader.describe(mine).states

    before = reader.mark()
    focus = reader.press("Return")
    heard = reader.wait_announcement("Settled", before)
    assert heard == (f"Settled {conflict.title}: Location theirs, Notes yours. "
                     "It is sent at the next sync.")
    assert said(focus) == ("table", "Items needing attention")          # back on the emptied list
    assert [c for c in reader.children(reader.describe(focus)) if c.role == "table cell"] == []
    assert reader.find("label", "Nothing needs your attention.").role == "label"

    # Sign in again by keyboard (Sync → Sign in…): the settled values go to the central system.
    focus = reader.press("alt+s", "s")
    sign_in = reader.wait_window("Sign in to the central system")
    assert said(focus) == ("text", "Username")           # the address is filled in already
    address = reader.find("text", "Central system address", within=sign_in)
    assert reader.text(address) == central.url
    reader.type("po1")
    assert said(reader.press("Tab")) == ("password text", "Password")
    reader.type(PASSWORD)
    before = reader.mark()
    reader.keys("Return")
    assert reader.wait_announcement("Signed in as", before) == \
        "Signed in as Officer PO1. Sending your work now."
    # The dialog closes and focus is back where the officer opened it from, in the main window,
    # even with no window manager to hand it back.
    back = ("table", "Items needing attention")
    wait_for(lambda: focus_is(reader, back), "focus to return to the list after signing in")

    def sent() -> bool:
        fields = central.fields(conflict.contact_id)
        return fields is not None and (fields["location"], fields["notes"]) == (
            conflict.theirs["location"], conflict.mine["notes"])
    wait_for(sent, "the settled contact to reach the central system")
    reader.find("label", "Online")
