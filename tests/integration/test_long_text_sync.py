"""Long notes kept in pieces on the laptop (storage/long_text.py) travel whole: the central
system gets the full text on create and on update, a pulled copy over pieces replaces them,
a merge and a conflict settle on whole values, and another laptop reads the same text."""

from __future__ import annotations

from pathlib import Path

from caseclient.sync.conflicts import Conflict, Pick, needing_attention, resolve
from tests.helpers.clock import FakeClock
from tests.integration.conftest import Laptop, Office
from tests.reliability.consistency import problems


def long_notes(count: int, start: int = 0) -> str:
    return "".join(f"{n}. Discussed housing, work and the café shift 🌱; agreed the plan.\n"
                   for n in range(start, start + count))


def _pieced(laptop: Laptop, contact_id: str) -> int:
    return int(laptop.store.db.scalar("SELECT pieces FROM records WHERE id = ?", (contact_id,)))


def test_long_notes_kept_in_pieces_sync_whole_both_ways(
        laptop: Laptop, office: Office, clock: FakeClock, laptops: list[Laptop], tmp_path: Path
) -> None:
    notes = long_notes(600)
    contact_id = laptop.contact(notes=notes, location="Office")
    assert _pieced(laptop, contact_id) == 1
    laptop.sync()
    sent = office.fields(contact_id)
    assert sent is not None and sent["notes"] == notes
    assert laptop.store.records.require("contact", contact_id).fields["notes"] == notes

    # An edit in the middle: an update carrying the whole note.
    middle = len(notes) // 2
    notes = notes[:middle] + "He mentioned the allotment. " + notes[middle:]
    laptop.store.records.save("contact", contact_id, {"notes": notes})
    assert _pieced(laptop, contact_id) == 1
    laptop.sync()
    sent = office.fields(contact_id)
    assert sent is not None and sent["notes"] == notes

    # The office changes another field meanwhile: merged by field, the note kept whole.
    office.edit("contact", contact_id, location="Home visit")
    notes += long_notes(3, 900)
    laptop.store.records.save("contact", contact_id, {"notes": notes})
    laptop.sync()
    merged = office.fields(contact_id)
    assert merged is not None and (merged["notes"], merged["location"]) == (notes, "Home visit")
    assert laptop.store.records.require("contact", contact_id).fields["notes"] == notes

    # The office rewrites the note: the pulled copy replaces the pieces.
    theirs = "Office summary. " + notes[1_000:]
    office.edit("contact", contact_id, notes=theirs)
    laptop.sync()
    assert laptop.store.records.require("contact", contact_id).fields["notes"] == theirs
    assert _pieced(laptop, contact_id) == 0
    assert problems(laptop.store) == []

    # Both change the note: a conflict shows both whole texts, and "mine" goes whole.
    office.edit("contact", contact_id, notes=theirs + "Office again.")
    mine = theirs + long_notes(2, 950)
    laptop.store.records.save("contact", contact_id, {"notes": mine})
    assert _pieced(laptop, contact_id) == 1
    assert laptop.sync().conflicts == 1
    [conflict] = needing_attention(laptop.store)
    assert isinstance(conflict, Conflict)
    assert [(d.mine, d.theirs) for d in conflict.fields] == [(mine, theirs + "Office again.")]
    resolve(laptop.store, conflict, {"notes": Pick.MINE}, clock=clock)
    laptop.sync()
    final = office.fields(contact_id)
    assert final is not None and final["notes"] == mine
    assert laptop.store.records.require("contact", contact_id).fields["notes"] == mine

    # Another laptop of the same officer reads the same text.
    other = Laptop(tmp_path / "laptop2", office, clock)
    laptops.append(other)
    other.login()
    other.sync()
    assert other.store.records.require("contact", contact_id).fields["notes"] == mine
