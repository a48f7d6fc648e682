"""Reading the next pull page ahead (decision 0043): a page read ahead is served only when it is
the very page a read at the time of the request gives — nothing committed in between."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from caseserver import officers
from caseserver.db.migrate import rotate_epoch
from caseserver.embedded import EmbeddedServer
from caseserver.errors import ApiError
from caseserver.officers import Officer
from caseserver.sync.pull import PullService
from caseserver.synthetic import Caseload, generate


def loaded(server: EmbeddedServer) -> tuple[Caseload, Officer]:
    made = generate(officers=2, cases_per_officer=8, contacts_per_case=3, seed=43, today=dt.date(2026, 12, 5))
    server.services.admin.load_caseload(made)
    holder = next(o for o in made.officers if o.grade != "SPO")
    with server.services.db.read() as conn:
        officer = officers.by_staff_code(conn, holder.staff_code)
    assert officer is not None
    return made, officer


def test_pages_read_ahead_are_the_pages_a_read_gives(server: EmbeddedServer) -> None:
    _, officer = loaded(server)
    ahead = server.services.pull
    plain = PullService(server.services.db, read_ahead=False)
    for limit in (3, 40):
        cursor: str | None = None
        pages = 0
        while True:
            page = ahead.pull(officer, cursor, limit)
            ahead.read_ahead(officer, page, limit)
            assert page.json_bytes() == plain.pull(officer, cursor, limit).json_bytes()
            pages += 1
            cursor = page.next_cursor
            if not page.has_more:
                break
        assert pages > 2
    assert ahead.served_ahead > 0


# Something committed between two pages, given the changes of the page read ahead.
Change = Callable[[Caseload, EmbeddedServer, list[dict[str, Any]]], None]


def _edit_in(made: Caseload, server: EmbeddedServer, held: list[dict[str, Any]]) -> None:
    """An edit of a contact the page read ahead holds: a read now puts it later, at its commit."""
    del made
    contact = next(c for c in held if c["record_type"] == "contact")
    server.services.admin.put_record(record_type="contact", record_id=contact["record_id"],
                                     fields={"notes": "Amended between two pages."}, partial=True,
                                     actor="SPO")


def _case_taken_away(made: Caseload, server: EmbeddedServer, held: list[dict[str, Any]]) -> None:
    """The case of a contact the page read ahead holds goes to another officer."""
    case_id = next(c["fields"]["case_id"] for c in held if c["record_type"] == "contact")
    holder = next(o for o in made.officers if o.grade != "SPO")
    other = next(o for o in made.officers if o.grade != "SPO" and o.staff_code != holder.staff_code)
    server.services.admin.reallocate(case_id, other.staff_code)


@pytest.mark.parametrize("change", [_edit_in, _case_taken_away])
def test_a_commit_between_two_pages_is_seen(server: EmbeddedServer, change: Change) -> None:
    made, officer = loaded(server)
    ahead = server.services.pull
    plain = PullService(server.services.db, read_ahead=False)
    cursor: str | None = None
    while True:                                          # to a page whose next page holds contacts
        page = ahead.pull(officer, cursor, 10)
        assert page.has_more
        ahead.read_ahead(officer, page, 10)
        ahead.wait_ahead()                               # the next page is read ahead, then...
        stale = plain.pull(officer, page.next_cursor, 10)
        held = [json.loads(text) for text in stale.changes]
        if any(c["record_type"] == "contact" for c in held):
            break
        cursor = page.next_cursor
    served_before = ahead.served_ahead
    change(made, server, held)                           # ...something commits
    served = ahead.pull(officer, page.next_cursor, 10)
    fresh = plain.pull(officer, page.next_cursor, 10)
    assert served.json_bytes() == fresh.json_bytes()
    assert served.changes != stale.changes
    assert ahead.served_ahead == served_before


def test_a_new_epoch_between_two_pages_is_410(server: EmbeddedServer) -> None:
    _, officer = loaded(server)
    ahead = server.services.pull
    first = ahead.pull(officer, None, 10)
    ahead.read_ahead(officer, first, 10)
    ahead.wait_ahead()
    rotate_epoch(server.services.db)
    with pytest.raises(ApiError) as refused:
        ahead.pull(officer, first.next_cursor, 10)
    assert refused.value.status == 410
