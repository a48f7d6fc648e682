"""Any sequence of edits, saves and syncing marks leaves row, history and outbox consistent.

A Hypothesis state machine drives a real encrypted store the way the editor and the
sync engine do: drafts, autosaves, finishing, deleting, marking mutations
``sending``, reverting them, the server's answers, pulled copies over local work,
reopening. After every step the rules of tests/reliability/consistency.py hold and
the store matches a simple model of what the officer typed. Each write rule also
checks its own outcome: a still-pending, never-offered mutation absorbs the edit,
anything else makes a new mutation with the next ``seq``.

Bugs it found (a deleted draft finished; a pull un-deleting a queued local delete;
records from before the search migration never found) have regression tests at the end.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from caseclient.domain.records import RecordState
from caseclient.domain.schema import spec_for
from caseclient.errors import RecordLocked
from caseclient.storage import outbox
from caseclient.storage.database import Database
from caseclient.storage.migrate import migrate
from caseclient.storage.outbox import Mutation, MutationState
from caseclient.storage.records import StoredRecord
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change
from tests.reliability.consistency import problems

CONTACT_FIELDS = spec_for("contact").field_names  # type: ignore[union-attr]
REASON = "Entered in error"

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
changes = st.fixed_dictionaries({}, optional={
    "notes": texts,
    "location": st.sampled_from(["Office", "Home", "Café Nero", None]),
    "outcome": st.sampled_from(["ATTC", "AFTC", None]),
    "sensitive": st.booleans(),
})
server_answers = st.sampled_from([MutationState.APPLIED, MutationState.DUPLICATE,
                                  MutationState.CONFLICT, MutationState.REJECTED])


@dataclass
class Expected:
    """What the officer (and the server) have made of one contact so far."""

    fields: dict[str, Any]
    draft: bool
    deleted: bool
    server_version: int | None = None      # what the server holds, once it knows the record


class StoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="caseclient-invariants-"))
        self.key = "x'" + secrets.token_hex(32) + "'"
        self.clock = FakeClock()
        self.store = self._open()
        case = case_change()
        self.case_id = str(case["record_id"])
        self.store.records.apply_server_records([case])
        self.expected: dict[str, Expected] = {}

    def _open(self) -> Store:
        return Store.open(self.folder / "cases.db", self.key, backups_dir=self.folder / "backups",
                          clock=self.clock)

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---- helpers -----------------------------------------------------------------------
    def row(self, contact_id: str) -> StoredRecord:
        return self.store.records.require("contact", contact_id)

    def mutations(self, contact_id: str) -> list[Mutation]:
        return self.store.records.mutations("contact", contact_id)

    def mutation(self, record_id: str, mutation_id: str) -> Mutation:
        [found] = [m for m in self.mutations(record_id) if m.mutation_id == mutation_id]
        return found

    def top_seq(self) -> int:
        return int(self.store.db.scalar("SELECT coalesce(max(seq), 0) FROM outbox"))

    def pick(self, data: st.DataObject, *, draft: bool | None = None, deleted: bool | None = False,
             known_to_server: bool | None = None) -> str | None:
        choices = [i for i, e in self.expected.items()      # insertion order: repeatable draws
                   if (draft is None or e.draft == draft)
                   and (deleted is None or e.deleted == deleted)
                   and (known_to_server is None or (e.server_version is not None) == known_to_server)]
        return data.draw(st.sampled_from(choices)) if choices else None

    # ---- what the officer does ---------------------------------------------------------
    @initialize(notes=texts)
    def first_draft(self, notes: str) -> None:
        self.create_draft(notes)

    @rule(notes=texts)
    def create_draft(self, notes: str) -> None:
        contact_id = str(uuid.uuid4())
        given = {"case_id": self.case_id, "contact_type": "COAP", "notes": notes}
        record = self.store.records.create_draft("contact", contact_id, self.case_id, given)
        self.expected[contact_id] = Expected({**dict.fromkeys(CONTACT_FIELDS), **given}, True, False)
        assert record.state is RecordState.DRAFT and self.mutations(contact_id) == []

    @rule(data=st.data(), edit=changes)
    def save(self, data: st.DataObject, edit: dict[str, Any]) -> None:
        contact_id = self.pick(data)
        if contact_id is None:
            return
        expected = self.expected[contact_id]
        before_row = self.row(contact_id)
        before = self.mutations(contact_id)
        before_history = self.store.records.history("contact", contact_id)
        top = self.top_seq()
        result = self.store.records.save("contact", contact_id, edit)
        changed = {k: v for k, v in edit.items() if expected.fields.get(k) != v}
        assert result.changed == tuple(sorted(changed))
        after = self.mutations(contact_id)
        if not changed:
            assert result.mutation_id is None and after == before
            assert self.store.records.history("contact", contact_id) == before_history
            assert self.row(contact_id) == before_row
        elif expected.draft:
            assert after == [] and result.mutation_id is None
        elif before and absorbs(before[-1]):
            event("save absorbed into a pending mutation")
            assert [m.mutation_id for m in after] == [m.mutation_id for m in before]
            absorbed = after[-1]
            assert result.mutation_id == absorbed.mutation_id and absorbed.seq == before[-1].seq
            assert absorbed.fields == {**before[-1].fields, **changed}
        else:
            event("save made a new mutation" + (" after an offered one" if before else ""))
            assert [m.mutation_id for m in after[:-1]] == [m.mutation_id for m in before]
            new = after[-1]
            assert result.mutation_id == new.mutation_id and new.seq == top + 1
            assert (new.op, new.state, new.attempts) == ("update", MutationState.PENDING, 0)
            assert new.fields == changed and new.base_version == before_row.version
        expected.fields.update(changed)
        assert self.row(contact_id).dirty == (bool(changed and not expected.draft) or before_row.dirty)

    @rule(data=st.data())
    def finish(self, data: st.DataObject) -> None:
        contact_id = self.pick(data, draft=True)
        if contact_id is None:
            return
        top = self.top_seq()
        result = self.store.records.finish("contact", contact_id)
        [create] = self.mutations(contact_id)
        assert result.mutation_id == create.mutation_id and create.seq == top + 1
        assert create.op == "create" and create.fields == self.expected[contact_id].fields
        self.expected[contact_id].draft = False

    @rule(data=st.data(), with_reason=st.booleans())
    def delete(self, data: st.DataObject, with_reason: bool) -> None:
        contact_id = self.pick(data)
        if contact_id is None:
            return
        expected = self.expected[contact_id]
        reason = REASON if with_reason else None
        before = self.mutations(contact_id)
        if self.row(contact_id).version is not None and reason is None:
            with pytest.raises(RecordLocked):
                self.store.records.delete("contact", contact_id, reason)
            assert self.mutations(contact_id) == before and not self.row(contact_id).deleted
            return
        top = self.top_seq()
        result = self.store.records.delete("contact", contact_id, reason)
        after = self.mutations(contact_id)
        if expected.draft:
            assert after == [] and result.mutation_id is None
        else:
            assert after[-1].op == "delete" and after[-1].seq == top + 1
            assert after[-1].fields == ({"deleted_reason": reason} if reason else {})
        expected.deleted = True

    @rule(minutes=st.integers(0, 15))
    def pause(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    # ---- what the sync engine does -------------------------------------------------------
    @rule(count=st.integers(1, 3))
    def mark_sending(self, count: int) -> None:
        """Offer the oldest waiting mutations, in order, as a push would."""
        chosen = [m for m in outbox.waiting(self.store.db.raw) if m.state is MutationState.PENDING]
        chosen = chosen[:count]
        with self.store.db.transaction() as conn:
            outbox.mark_sending(conn, [m.mutation_id for m in chosen], self.clock())
        for m in chosen:
            now = self.mutation(m.record_id, m.mutation_id)
            assert now.state is MutationState.SENDING
            assert now.attempts == m.attempts + 1 and now.fields == m.fields

    @rule()
    def revert_sending(self) -> None:
        with self.store.db.transaction() as conn:
            outbox.revert_sending(conn)
        assert all(m.state is MutationState.PENDING for m in outbox.waiting(self.store.db.raw))

    @rule(data=st.data(), answer=server_answers)
    def server_answers(self, data: st.DataObject, answer: MutationState) -> None:
        sending = [m for m in outbox.waiting(self.store.db.raw) if m.state is MutationState.SENDING]
        if not sending:
            return
        mutation = data.draw(st.sampled_from(sending))
        with self.store.db.transaction() as conn:
            outbox.set_state(conn, mutation.mutation_id, answer, self.clock(), {"result": answer.value})
        expected = self.expected.get(mutation.record_id)
        if expected is None:
            return
        if answer in (MutationState.CONFLICT, MutationState.REJECTED):
            assert self.row(mutation.record_id).state is RecordState.NEEDS_ATTENTION
        elif mutation.op != "delete":
            expected.server_version = (expected.server_version or 0) + 1

    @rule(edit=changes)
    def server_sends_a_new_contact(self, edit: dict[str, Any]) -> None:
        contact_id = str(uuid.uuid4())
        fields = {**dict.fromkeys(CONTACT_FIELDS), "case_id": self.case_id, "contact_type": "CHVS",
                  "date": "2026-11-20", **edit}
        self.store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                                  "version": 1, "fields": fields}])
        self.expected[contact_id] = Expected(dict(fields), False, False, server_version=1)
        assert self.row(contact_id).state is RecordState.SENT

    @rule(data=st.data(), edit=changes, changed_by=st.sampled_from([None, "SPO Jones"]))
    def pull_over_local_work(self, data: st.DataObject, edit: dict[str, Any],
                             changed_by: str | None) -> None:
        """A pulled copy lands on a record the server knows, dirty or not."""
        contact_id = self.pick(data, draft=False, known_to_server=True)
        if contact_id is None:
            return
        expected = self.expected[contact_id]
        before = self.row(contact_id)
        queued = self.mutations(contact_id)
        base = dict(before.server_shadow or expected.fields)
        theirs = {**base, **edit}
        version = (expected.server_version or 0) + 1
        self.store.records.apply_server_records([{
            "record_type": "contact", "record_id": contact_id, "version": version,
            "fields": theirs, "changed_by": changed_by}])
        after = self.row(contact_id)
        assert after.version == version and after.server_shadow == theirs
        assert self.mutations(contact_id) == queued, "a pull never touches the outbox"
        if before.dirty:
            event("pull over a dirty record")
            shadow = before.server_shadow or {}
            for name in CONTACT_FIELDS:
                mine = before.fields.get(name)
                wanted = mine if mine != shadow.get(name) else theirs.get(name)
                assert after.fields.get(name) == wanted, f"{name}: local work clobbered or lost"
        else:
            assert dict(after.fields) == theirs
        expected.fields = dict(after.fields)
        expected.server_version = version

    @rule()
    def reopen(self) -> None:
        self.store.close()
        self.store = self._open()
        assert not any(m.state is MutationState.SENDING for m in outbox.waiting(self.store.db.raw))

    # ---- after every step ----------------------------------------------------------------
    @invariant()
    def row_history_and_outbox_agree(self) -> None:
        found = problems(self.store)
        assert found == [], "; ".join(found)

    @invariant()
    def the_store_holds_what_was_typed(self) -> None:
        for contact_id, expected in self.expected.items():
            row = self.row(contact_id)
            assert dict(row.fields) == expected.fields
            assert (row.draft, row.deleted) == (expected.draft, expected.deleted)


def absorbs(mutation: Mutation) -> bool:
    """May this mutation still take later edits (sync-protocol.md)?"""
    return (mutation.state is MutationState.PENDING and mutation.attempts == 0
            and getattr(mutation, "wire_seq", None) is None
            and mutation.op != "delete" and mutation.resolves is None)


StoreMachine.TestCase.settings = settings(
    max_examples=80, stateful_step_count=40, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow])
TestStoreInvariants = StoreMachine.TestCase


# ---- bugs the machine found: regression tests ----------------------------------------------------
@pytest.fixture
def case_id(store: Store) -> str:
    change = case_change()
    store.records.apply_server_records([change])
    return str(change["record_id"])


def test_a_deleted_draft_cannot_be_finished(store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id, {"case_id": case_id, "notes": "x"})
    store.records.delete("contact", contact_id, None)
    with pytest.raises(RecordLocked):
        store.records.finish("contact", contact_id)
    assert store.records.mutations("contact", contact_id) == []
    assert problems(store) == []


def test_a_pull_does_not_undo_a_local_delete_waiting_to_be_sent(store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    base = {"case_id": case_id, "contact_type": "COAP", "notes": "Seen at the office"}
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 1, "fields": base}])
    store.records.delete("contact", contact_id, REASON)
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 2, "fields": {**base, "notes": "Manager's edit"}}])
    record = store.records.require("contact", contact_id)
    assert record.deleted and record.dirty
    assert store.records.mutations("contact", contact_id)[-1].op == "delete"
    assert store.records.search("office") == []
    assert problems(store) == []


def test_records_from_before_the_search_migration_are_found(tmp_path: Path, key_pragma: str) -> None:
    db = Database.open(tmp_path / "cases.db", key_pragma)
    migrate(db, tmp_path / "backups", target=1)
    with db.transaction() as conn:
        conn.execute("INSERT INTO records (record_type, id, case_id, fields, version, updated_at) "
                     "VALUES ('case', 'c1', 'c1', '{\"crn\": \"X000001\", \"first_name\": \"Ann\", "
                     "\"last_name\": \"Older\"}', 1, '2026-11-24T10:00:00+00:00')")
    db.close()
    store = Store.open(tmp_path / "cases.db", key_pragma, backups_dir=tmp_path / "backups")
    try:
        assert [hit.record_id for hit in store.records.search("Older")] == ["c1"]
        assert problems(store) == []
    finally:
        store.close()
