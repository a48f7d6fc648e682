"""Through the screen reader's bus: record a contact without a mouse or a Save button."""

from __future__ import annotations

import pytest

from tests.a11y.reader_client import Node, ReaderClient
from tests.a11y.screen_reader import open_first_case, said, spoken, tab_stops, unlock

pytestmark = pytest.mark.atspi

EDITOR_ORDER = [
    ("combo box", "Contact type"), ("text", "Date"), ("text", "Start time"), ("text", "End time"),
    ("text", "Location"), ("combo box", "Outcome"), ("combo box", "Enforcement action"),
    ("text", "Reason for the enforcement decision"), ("check box", "Sensitive"),
    ("check box", "Alert"), ("text", "Notes"), ("push button", "Finish"), ("push button", "Close"),
]
NOTES = "Rang to move Thursday's appointment; agreed 10:00 at the office."


def open_new_contact(reader: ReaderClient) -> tuple[Node, Node]:
    """Unlock, open the first case, Ctrl+N: the editor window and where focus landed."""
    unlock(reader)
    open_first_case(reader)
    focus = reader.press("ctrl+n")
    return reader.wait_window("Contact"), focus


def choose(reader: ReaderClient, wanted: str) -> Node:
    """Down arrow through a closed combo box until it says ``wanted`` (as a keyboard user does)."""
    focus = reader.current_focus()
    for _ in range(20):
        if focus.name == wanted:
            return focus
        reader.keys("Down")
        focus = reader.current_focus()
        focus = reader.describe(focus)
    raise AssertionError(f"{wanted!r} is not among the choices of {spoken(focus)!r}")


def test_the_editor_opens_on_its_first_field_and_tabs_in_form_order(reader: ReaderClient) -> None:
    window, focus = open_new_contact(reader)
    assert window.name.startswith("Contact for ")
    assert window.role == "frame"                      # heard as a window of its own, not "filler"
    assert said(focus) == EDITOR_ORDER[0]
    assert focus.name == "Choose a type"               # the combo's value: nothing chosen yet
    assert tab_stops(reader, len(EDITOR_ORDER)) == [*EDITOR_ORDER[1:], EDITOR_ORDER[0]]
    assert tab_stops(reader, 2, "shift+Tab") == [EDITOR_ORDER[-1], EDITOR_ORDER[-2]]


def test_hints_are_spoken_with_their_fields(reader: ReaderClient) -> None:
    window, _focus = open_new_contact(reader)
    date = reader.find("text", "Date", within=window)
    assert date.description == "Date as day/month/year, for example 24/11/2026."
    sensitive = reader.find("check box", "Sensitive", within=window)
    assert sensitive.description.startswith("Only people allowed to see sensitive information")
    assert "labelled by" in date.relations and date.relations["labelled by"] == ["Date"]


def test_notes_typed_through_editable_text_read_back_and_finish_is_announced(
        reader: ReaderClient) -> None:
    window, _focus = open_new_contact(reader)
    choose(reader, "Phone contact")
    notes = reader.find("text", "Notes", within=window)
    assert "EditableText" in notes.interfaces
    reader.insert_text(notes, NOTES)
    assert reader.text(notes) == NOTES

    state = reader.find("label", "Status: Draft", within=window)
    before = reader.mark()
    reader.keys("alt+f")                                   # Finish, by its mnemonic
    heard = reader.wait_announcement("Saved on this laptop", before)
    assert heard.startswith("Finished. Saved on this laptop")
    assert reader.describe(state).name == "Status: Saved on this laptop"
    reader.keys("Escape")                                  # closes: everything is already saved
    reopened = reader.find("table", "Contacts")
    cells = [c.name for c in reader.children(reopened)]
    assert "Phone contact" in cells and "Saved on this laptop" in cells
