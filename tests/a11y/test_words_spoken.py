"""What the screen reader says is words, never codes or an unnamed "button" (defects the AT-SPI run found).

- the clear button Qt puts inside "Find a case" had no name;
- a case's Requirements column read system codes (``licence_condition; licence_condition``,
  ``10 days rar``) instead of words.
"""

from __future__ import annotations

import re

import pytest

from caseclient.domain.canonical import JSONValue
from caseclient.ui.cases.rows import requirement_words
from tests.a11y.reader_client import ReaderClient
from tests.a11y.screen_reader import open_first_case, unlock

CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\brar\b")      # snake_case codes, or the bare "rar"


@pytest.mark.atspi
def test_the_search_fields_clear_button_is_named(reader: ReaderClient) -> None:
    unlock(reader)
    reader.type("a")
    clear = reader.find("push button", "Clear the search")
    assert clear.description == "Clear the search and show every case"
    assert "focusable" not in clear.states          # not a Tab stop: Escape or Ctrl+A, Delete clear it too


@pytest.mark.atspi
def test_a_cases_requirements_are_read_as_words(reader: ReaderClient) -> None:
    unlock(reader)
    open_first_case(reader)
    events = reader.find("table", "Events and requirements")
    cells = [cell.name for cell in reader.children(events) if cell.role == "table cell"]
    assert cells, "the events table has no cells"
    assert [c for c in cells if CODE.search(c)] == []
    assert any(c.startswith(("Unpaid work: ", "Rehabilitation activity: ", "Licence condition: "))
               for c in cells), cells


@pytest.mark.parametrize(("requirement", "words"), [
    ({"type": "unpaid_work", "amount": 120, "unit": "hours"}, "Unpaid work: 120 hours"),
    ({"type": "rar", "amount": 10, "unit": "days"}, "Rehabilitation activity: 10 days"),
    ({"type": "curfew", "amount": 3, "unit": "months", "detail": "19:00 to 07:00"},
     "Curfew: 3 months (19:00 to 07:00)"),
    ({"type": "licence_condition", "amount": None, "unit": None,
      "detail": "Take part in drug testing when asked"},
     "Licence condition: Take part in drug testing when asked"),
    ({"type": "new_kind_of_order"}, "New kind of order"),       # an unknown code still reads as words
    ({"amount": 3}, ""),                                          # not a requirement: nothing said
])
def test_requirement_words(requirement: JSONValue, words: str) -> None:
    assert requirement_words(requirement) == words
