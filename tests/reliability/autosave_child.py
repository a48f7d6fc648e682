"""The process the crash test kills: it autosaves into a real encrypted store forever.

Run as ``python -m tests.reliability.autosave_child <store path> <seed>`` with the
raw key pragma (``x'…'``) as the first line on stdin — never in argv or the
environment, where other processes could read it.

It types into contacts the way an officer does (new drafts, notes growing on every
pause, finishing, deleting) and, like the sync engine, marks some mutations
``sending``. Each line it prints names one commit and is written only after that
commit has returned; the parent may ``kill -9`` it at any moment, so a line that
was printed is a promise that the save is on disk. Lines carry ids and counts only,
never the notes.

Notes are deterministic: the notes of a contact after ``n`` saves are
:func:`notes_text` ``(contact_id, n)``, so the parent can check content it never saw.
Every third piece typed is a paragraph, and pieces go in at the end, the start or the
middle, so notes soon pass the length kept in pieces (storage/long_text.py) and saves
edit them anywhere, as an officer does.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from caseclient.services.caseload import CaseloadService
from caseclient.services.contacts import ContactService
from caseclient.storage import outbox
from caseclient.storage.store import Store, utc_now
from tests.reliability.true_refcount import TrueKeeper

MAX_LIVE_CONTACTS = 12
DELETE_REASON = "Entered in error"
_MARK = "¶"


def chunk(contact_id: str, n: int) -> str:
    """The ``n``-th piece typed into a contact's notes (non-ASCII on purpose)."""
    paragraph = "A longer paragraph, typed in one go 🌱. " * 15 + "\n" if n % 3 == 2 else ""
    return f"{_MARK}{n} {contact_id[-6:]} Noté {n}: " + "wörds and more " * (n % 5 + 1) + paragraph


def notes_text(contact_id: str, saves: int) -> str:
    text = ""
    for n in range(saves):
        at = (0, len(text), len(text) // 2)[n % 3] if n % 2 else len(text)
        text = text[:at] + chunk(contact_id, n) + text[at:]
    return text


def saves_in(notes: str | None) -> int:
    return (notes or "").count(_MARK)


def say(*parts: str) -> None:
    """One promise to the parent, written after the commit it names has returned."""
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


class Typist:
    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store = store
        self.rng = rng
        caseload = CaseloadService(lambda: store, utc_now)
        self.contacts = ContactService(lambda: store, utc_now, caseload.reference)
        [case] = store.records.all("case")
        self.case_id = case.id
        self.live: dict[str, int] = {}      # contact id -> saves in its notes
        self.drafts: set[str] = set()
        for record in store.records.all("contact"):
            self.live[record.id] = saves_in(record.fields.get("notes"))
            if record.draft:
                self.drafts.add(record.id)

    def step(self) -> None:
        roll = self.rng.random()
        if not self.live or (roll < 0.08 and len(self.live) < MAX_LIVE_CONTACTS):
            self.new()
        elif roll < 0.11 or (roll < 0.14 and len(self.live) >= MAX_LIVE_CONTACTS):
            self.delete(self.rng.choice(sorted(self.live)))
        elif roll < 0.18 and self.drafts:
            self.finish(self.rng.choice(sorted(self.drafts)))
        elif roll < 0.26:
            self.mark_sending()
        else:
            self.save(self.rng.choice(sorted(self.live)))

    def new(self) -> None:
        view = self.contacts.new_contact(self.case_id, contact_type="COAP", date="2026-11-24")
        contact_id = view.contact.id
        self.live[contact_id] = 0
        self.drafts.add(contact_id)
        say("create", contact_id)

    def save(self, contact_id: str) -> None:
        saves = self.live[contact_id] + 1
        changes = {"notes": notes_text(contact_id, saves)}
        if self.rng.random() < 0.2:
            changes["location"] = f"Room {saves}"
        result = self.contacts.save_draft(contact_id, changes)
        if result.errors:
            raise SystemExit("autosave refused a change")
        self.live[contact_id] = saves
        say("save", contact_id, str(saves))

    def finish(self, contact_id: str) -> None:
        self.store.records.finish("contact", contact_id)
        self.drafts.discard(contact_id)
        say("finish", contact_id)

    def delete(self, contact_id: str) -> None:
        self.store.records.delete("contact", contact_id, DELETE_REASON)
        del self.live[contact_id]
        self.drafts.discard(contact_id)
        say("delete", contact_id)

    def mark_sending(self) -> None:
        waiting = [m.mutation_id for m in outbox.waiting(self.store.db.raw)
                   if m.state is outbox.MutationState.PENDING]
        if not waiting:
            return
        chosen = self.rng.sample(waiting, min(3, len(waiting)))
        with self.store.db.transaction() as conn:
            outbox.mark_sending(conn, chosen, utc_now())
        say("sending", *chosen)


def main(argv: list[str]) -> int:
    path, seed = Path(argv[1]), int(argv[2])
    key_pragma = sys.stdin.readline().strip()
    store = Store.open(path, key_pragma, backups_dir=path.parent / "backups")
    typist = Typist(store, random.Random(seed))
    keeper = TrueKeeper()
    say("ready")
    while True:
        typist.step()
        keeper.settle()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
