"""Through the screen reader's bus: unlock, then the caseload and a case by keyboard alone."""

from __future__ import annotations

import pytest

from tests.a11y.reader_client import ReaderClient
from tests.a11y.screen_reader import MAIN_TITLE, open_first_case, said, tab_stops, unlock

pytestmark = pytest.mark.atspi

STATUS_LABELS = [("label", "Not connected yet"), ("label", "Never synced"),
                 ("label", "Nothing waiting to send")]
SYNC_NOW = ("push button", "Sync now")


def status_stops(stops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The Tab stops that belong to the window's status bar (its labels and Sync now)."""
    return [stop for stop in stops if stop in (*STATUS_LABELS, SYNC_NOW)]


def test_the_unlock_field_is_found_by_role_and_name_and_a_wrong_passphrase_is_announced(
        reader: ReaderClient) -> None:
    reader.wait_window("Caseclient")
    field = reader.find("password text", "Passphrase")
    assert field.description.startswith("The passphrase you chose")
    assert reader.find("label", "Passphrase").obj != field.obj
    reader.focus_window(MAIN_TITLE)
    assert reader.grab_focus(field).obj == field.obj

    before = reader.mark()
    reader.type("not the passphrase")
    reader.keys("Return")
    heard = reader.wait_announcement("Passphrase not recognised", before)
    focus = reader.current_focus()
    assert said(focus) == ("password text", "Passphrase")          # focus stays to retype
    assert reader.describe(field).description == f"Error: {heard}"  # the error is the field's description
    assert reader.find("label", heard).role == "label"              # and shown beside it


def test_unlocking_lands_in_the_search_field_and_says_so(reader: ReaderClient) -> None:
    before = reader.mark()
    focus = unlock(reader)
    assert said(focus) == ("text", "Find a case")
    assert reader.wait_announcement("Unlocked", before) == "Unlocked"
    assert focus.description.startswith("Type a name, a CRN or words from contact notes")


def test_tab_goes_through_the_caseload_in_order_and_never_traps(reader: ReaderClient) -> None:
    unlock(reader)
    stops = [said(reader.press("Tab"))]
    while stops[-1] != ("text", "Find a case") and len(stops) < 12:
        stops.append(said(reader.press("Tab")))
    assert stops[0] == ("table", "Cases")
    assert stops[-1] == ("text", "Find a case")          # round again: no trap
    assert stops[1:-1] == status_stops(stops) and stops[-2] == SYNC_NOW
    back = tab_stops(reader, 2, "shift+Tab")
    assert back == [SYNC_NOW, stops[-3]]


def test_tab_reaches_every_part_of_the_status_bar(reader: ReaderClient) -> None:
    unlock(reader)
    assert tab_stops(reader, 6) == [("table", "Cases"), *STATUS_LABELS, SYNC_NOW, ("text", "Find a case")]


def test_enter_opens_a_case_which_is_announced_and_tabbed_in_order(reader: ReaderClient) -> None:
    unlock(reader)
    before = reader.mark()
    focus = open_first_case(reader)
    assert said(focus) == ("table", "Registers")
    summary = reader.wait_announcement("Risk of serious harm", before)
    heading = reader.find("label", summary.split(".")[0])          # "Name — CRN" is on screen
    assert heading.role == "label"
    stops = [said(reader.press("Tab"))]
    while stops[-1] != ("table", "Registers") and len(stops) < 17:
        stops.append(said(reader.press("Tab")))
    in_case = [stop for stop in stops if stop not in status_stops(stops)]
    assert in_case == [("table", "Events and requirements"), ("table", "Contacts"),
                       ("table", "Appointments ahead"), ("push button", "Start assessment"),
                       ("push button", "Open assessment"), ("table", "Assessments"),
                       ("push button", "New contact"), ("push button", "Back to caseload"),
                       ("table", "Registers")]
    status = status_stops(stops)
    assert stops[6:6 + len(status)] == [*STATUS_LABELS, SYNC_NOW]   # the status bar after the last table
    reader.press("shift+Tab")                                         # Back to caseload
    assert said(reader.press("space")) == ("table", "Cases")
