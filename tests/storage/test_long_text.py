"""Long text in pieces (storage/long_text.py, migration 0009): a save writes the row and the
pieces that changed, every reader gets the whole value, and the pieces never outlive their
row or disagree with it. On real SQLCipher stores."""

from __future__ import annotations

import ast
import json
import secrets
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseclient.domain.reference import ReferenceData
from caseclient.services.contacts import ContactService
from caseclient.storage import history, long_text, outbox, search
from caseclient.storage.database import Database
from caseclient.storage.migrate import head_version, migrate
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change
from tests.reliability.consistency import problems

PIECES_FROM = 9      # 0009_record_text
SENTENCES = ["Discussed housing and the tenancy; agreed to ring the landlord. ",
             "Café shift confirmed — Noël said it goes well.\n",
             "会议已确认。", "Talked about the allotment 🌱 and the bus fares! ",
             "He asked about the course, which starts in March? ",
             "Mood steady, sleep better, no new concerns raised at all. "]


def long_notes(count: int, start: int = 0) -> str:
    return "".join(f"{n}. {SENTENCES[n % len(SENTENCES)]}" for n in range(start, start + count))


@pytest.fixture
def case_id(store: Store) -> str:
    change = case_change()
    store.records.apply_server_records([change])
    return str(change["record_id"])


def _draft(store: Store, case_id: str, notes: str | None = None) -> str:
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id,
                               {"case_id": case_id, "contact_type": "COAP", "date": "2026-11-24",
                                "notes": notes})
    return contact_id


def _row(store: Store, contact_id: str) -> tuple[int, dict[str, object], int]:
    rid, fields, pieced = store.db.query("SELECT rid, fields, pieces FROM records WHERE id = ?",
                                         (contact_id,))[0]
    return int(rid), json.loads(fields), int(pieced)


def _pieces(store: Store, rid: int) -> dict[int, str]:
    return dict(store.db.query("SELECT piece, text FROM record_text WHERE rid = ? ORDER BY piece",
                               (rid,)))


def _written(before: dict[int, str], after: dict[int, str]) -> int:
    """How many pieces a save inserted, changed or deleted."""
    return sum(1 for key in before.keys() | after.keys() if before.get(key) != after.get(key))


# ---- splitting ------------------------------------------------------------------------------
def test_pieces_join_back_and_each_fits_a_page_cell() -> None:
    text = long_notes(3_000) + "x" * 5_000 + "🌱" * 2_000 + "é" * 3_000
    spans = long_text.split(text)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(s < e for s, e in spans)
    assert all(len(text[s:e].encode()) <= long_text.PIECE_BYTES for s, e in spans)
    assert [s for s, _e in spans][1:] == [e for _s, e in spans][:-1]


def test_a_piece_of_the_largest_size_and_keys_needs_no_overflow_page(store: Store) -> None:
    """PIECE_BYTES leaves room for the largest keys and the longest long-text field name
    in one cell of a SQLCipher page (4096 bytes less its reserve): no overflow page."""
    longest = max((f for t in ("case", "contact", "event", "register", "assessment")
                   for f in long_text.long_fields(t)), key=len)
    rid = piece = 2**63 - 1
    for text in ("a" * long_text.PIECE_BYTES, "🌱" * (long_text.PIECE_BYTES // 4),
                 "é" * (long_text.PIECE_BYTES // 2)):
        with store.db.transaction() as conn:
            conn.execute("INSERT INTO records (rid, record_type, id, fields, updated_at) "
                         "VALUES (?, 'contact', ?, '{}', 'now')", (rid, str(uuid.uuid4())))
        pages = store.db.scalar("PRAGMA page_count")
        with store.db.transaction() as conn:
            conn.execute("INSERT INTO record_text (rid, field, piece, text) VALUES (?, ?, ?, ?)",
                         (rid, longest, piece, text))
        assert store.db.scalar("PRAGMA page_count") == pages
        with store.db.transaction() as conn:
            conn.execute("DELETE FROM records WHERE rid = ?", (rid,))
        rid -= 1


# ---- the save path --------------------------------------------------------------------------
def test_a_long_note_is_kept_in_pieces_and_read_whole(store: Store, case_id: str) -> None:
    notes = long_notes(400)
    contact_id = _draft(store, case_id, notes)
    rid, fields, pieced = _row(store, contact_id)
    assert pieced == 1 and fields["notes"] is None and len(json.dumps(fields)) < 1_000
    assert "".join(_pieces(store, rid).values()) == notes
    assert store.records.require("contact", contact_id).fields["notes"] == notes
    assert [c.id for c in store.records.all("contact", case_id=case_id)] == [contact_id]
    assert store.records.all("contact")[0].fields["notes"] == notes
    assert problems(store) == []


def test_a_row_that_selected_columns_gives_the_whole_values(store: Store, case_id: str) -> None:
    """Wherever the columns stand in a reader's row, and {} for an outer join that found no
    record (history's sealing reads rows so)."""
    notes = long_notes(400)
    contact_id = _draft(store, case_id, notes)
    whole = dict(store.records.require("contact", contact_id).fields)
    assert whole["notes"] == notes
    conn = store.db.raw
    [alone] = conn.execute(f"SELECT {long_text.columns()} FROM records WHERE id = ?",
                           (contact_id,)).fetchall()
    assert alone[2] == 1 and long_text.values_of(conn, alone) == whole
    [after] = conn.execute(f"SELECT id, case_id, {long_text.columns('r')} FROM records r "
                           "WHERE id = ?", (contact_id,)).fetchall()
    assert long_text.values_of(conn, after, 2) == whole
    [missing] = conn.execute(f"SELECT 1, {long_text.columns('r')} FROM (SELECT 1) LEFT JOIN "
                             "records r ON r.id = 'none such'").fetchall()
    assert long_text.values_of(conn, missing, 1) == {}


def test_readers_of_fields_take_them_through_values_of() -> None:
    """A reader calling assemble by hand picks its own columns and may forget the pieces."""
    src = Path(__file__).resolve().parents[2] / "src" / "caseclient"
    callers = set()
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr == "assemble"
                    and isinstance(node.value, ast.Name) and node.value.id == "long_text"):
                callers.add(path.relative_to(src).as_posix())
    assert not callers, callers


@pytest.mark.parametrize("where", ["end", "start", "middle", "cut", "replace"])
def test_an_edit_rewrites_only_the_pieces_it_touches(store: Store, case_id: str, where: str) -> None:
    notes = long_notes(1_500)
    contact_id = _draft(store, case_id, notes)
    rid = _row(store, contact_id)[0]
    count = len(_pieces(store, rid))
    assert count > 100
    for n in range(5):
        middle = len(notes) // 2 + 977 * n
        notes = {
            "end": notes + long_notes(1, 5_000 + n),
            "start": f"Note {n}. " + notes,
            "middle": notes[:middle] + " and the dog " + notes[middle:],
            "cut": notes[:middle] + notes[middle + 40:],
            "replace": notes[:middle] + "X" + notes[middle + 1:],
        }[where]
        before = _pieces(store, rid)
        saved = store.records.save("contact", contact_id, {"notes": notes})
        assert saved.changed == ("notes",)
        after = _pieces(store, rid)
        assert "".join(after.values()) == notes
        assert _written(before, after) <= 5, f"{where} edit {n} rewrote {_written(before, after)}"
        assert store.records.require("contact", contact_id).fields["notes"] == notes
    assert problems(store) == []


def test_shrinking_below_the_threshold_puts_the_text_back_in_the_row(store: Store,
                                                                     case_id: str) -> None:
    contact_id = _draft(store, case_id, long_notes(100))
    rid = _row(store, contact_id)[0]
    assert _pieces(store, rid)
    store.records.save("contact", contact_id, {"notes": "Short now."})
    _rid, fields, pieced = _row(store, contact_id)
    assert (fields["notes"], pieced, _pieces(store, rid)) == ("Short now.", 0, {})
    store.records.save("contact", contact_id, {"notes": long_notes(100, 7)})
    assert _row(store, contact_id)[2] == 1
    store.records.save("contact", contact_id, {"notes": None})
    assert _row(store, contact_id)[1]["notes"] is None and _row(store, contact_id)[2] == 0
    assert _pieces(store, rid) == {}
    assert problems(store) == []


def test_values_at_the_threshold() -> None:
    limit = long_text.LONG_BYTES
    assert not long_text.goes_in_pieces("a" * (limit - 2))           # JSON: limit bytes
    assert long_text.goes_in_pieces("a" * (limit - 1))
    assert not long_text.goes_in_pieces("é" * ((limit - 2) // 6))    # \\u00e9: six bytes each
    assert long_text.goes_in_pieces("é" * ((limit - 2) // 6 + 1))
    assert not long_text.goes_in_pieces("a\x00" * limit)             # SQLite text stops at NUL
    assert not long_text.goes_in_pieces("a\ud800" * limit)           # lone surrogate: not UTF-8
    assert not long_text.goes_in_pieces(["a" * limit * 2])


@pytest.mark.parametrize("notes", [
    "🌱🐝" * 3_000, "é" * 9_000, "会议已确认。" * 2_000, "e\u0301" * 5_000,
    "line\r\n" * 2_000, "a\x00b" * 2_000, "x\ud800y" * 2_000, "x" * 896 * 3, "x" * 895 * 3,
    "a" * (long_text.LONG_BYTES - 2), "a" * (long_text.LONG_BYTES - 1),
])
def test_unicode_and_edge_lengths_round_trip(store: Store, case_id: str, notes: str) -> None:
    contact_id = _draft(store, case_id, "start")
    store.records.save("contact", contact_id, {"notes": notes})
    assert store.records.require("contact", contact_id).fields["notes"] == notes
    store.records.save("contact", contact_id, {"notes": notes + "🌱 end"})
    assert store.records.require("contact", contact_id).fields["notes"] == notes + "🌱 end"
    assert _row(store, contact_id)[2] == int(long_text.goes_in_pieces(notes + "🌱 end"))
    assert problems(store) == []


def test_history_old_and_new_are_the_whole_values(store: Store, case_id: str,
                                                  clock: FakeClock) -> None:
    first, second, third = long_notes(300), long_notes(320), "Rewritten short."
    contact_id = _draft(store, case_id, first)
    store.records.save("contact", contact_id, {"notes": second})
    [entry] = store.records.history("contact", contact_id)
    assert (entry.old_values, entry.new_values["notes"]) == ({}, second)
    store.records.finish("contact", contact_id)
    [mutation] = store.records.mutations("contact", contact_id)
    assert mutation.fields["notes"] == second                 # sync sends the whole text
    clock.advance(minutes=30)
    store.records.save("contact", contact_id, {"notes": second + "More."})
    store.records.save("contact", contact_id, {"notes": third})
    entries = store.records.history("contact", contact_id)
    assert [(e.old_values.get("notes"), e.new_values.get("notes")) for e in entries] == [
        (None, second), (second, third)]
    assert store.records.mutations("contact", contact_id)[-1].fields["notes"] == third
    assert problems(store) == []


def test_an_update_of_a_sent_record_carries_the_whole_note(store: Store, case_id: str,
                                                           clock: FakeClock) -> None:
    contact_id = _draft(store, case_id, "first")
    store.records.finish("contact", contact_id)
    with store.db.transaction() as conn:
        outbox.mark_sending(conn, [m.mutation_id for m in outbox.waiting(conn)], clock())
    notes = long_notes(200)
    store.records.save("contact", contact_id, {"notes": notes})
    store.records.save("contact", contact_id, {"notes": notes + "Later."})
    update = store.records.mutations("contact", contact_id)[-1]
    assert (update.op, update.fields) == ("update", {"notes": notes + "Later."})


def test_search_finds_words_anywhere_in_a_long_note(store: Store, case_id: str) -> None:
    notes = "Zebrafish first. " + long_notes(1_200) + " Quokka in the middle. " + long_notes(
        800, 3) + " Wombat last."
    contact_id = _draft(store, case_id, "short")
    store.records.save("contact", contact_id, {"notes": notes})     # queued: matched on its text
    for word in ("zebrafish", "quokka", "wombat"):
        [hit] = store.records.search(word)
        assert hit.record_id == contact_id and f"[{word.capitalize()}]" in hit.snippet
        assert [c for c, _s in search.find_cases(store.db.raw, word)] == [case_id]
    store.records.save("contact", _draft(store, case_id, "x"), {"notes": "y"})   # catches up
    assert store.db.scalar("SELECT count(*) FROM reindex_queue WHERE rid = ?",
                           (_row(store, contact_id)[0],)) == 0
    for word in ("zebrafish", "quokka", "wombat"):
        assert [h.record_id for h in store.records.search(word)] == [contact_id]
        assert [c for c, _s in search.find_cases(store.db.raw, word)] == [case_id]
    assert problems(store) == []


def test_a_row_leaving_or_taken_whole_leaves_no_pieces(store: Store, case_id: str) -> None:
    kept = _draft(store, case_id, long_notes(300))
    gone = _draft(store, case_id, long_notes(300, 1))
    with store.db.transaction() as conn:         # as reconcile removes a deallocated record
        conn.execute("DELETE FROM search WHERE rowid = ?", (_row(store, gone)[0],))
        conn.execute("DELETE FROM history WHERE record_id = ?", (gone,))
        conn.execute("DELETE FROM records WHERE rid = ?", (_row(store, gone)[0],))
    assert store.db.scalar("SELECT count(DISTINCT rid) FROM record_text") == 1
    # The central system's copy is written whole: the pieces go, the JSON holds the text.
    store.records.finish("contact", kept)
    server = {**store.records.require("contact", kept).fields, "notes": long_notes(310, 2)}
    store.records.apply_server_records([{"record_type": "contact", "record_id": kept,
                                         "version": 1, "fields": server}])
    rid, fields, pieced = _row(store, kept)
    assert pieced == 0 and _pieces(store, rid) == {}
    assert store.records.require("contact", kept).fields["notes"] == fields["notes"]
    assert problems(store) == []


def test_the_pieces_are_joined_in_key_order_whatever_the_insert_order(store: Store,
                                                                      case_id: str) -> None:
    contact_id = _draft(store, case_id, "short")
    rid = _row(store, contact_id)[0]
    parts = [f"part {n}; " * 30 for n in range(40)]
    keys = list(range(1, 41))
    order = list(range(40))
    secrets.SystemRandom().shuffle(order)
    with store.db.transaction() as conn:
        for n in order:
            conn.execute("INSERT INTO record_text (rid, field, piece, text) VALUES (?, 'notes', ?, ?)",
                         (rid, keys[n] * 1000, parts[n]))
        conn.execute("UPDATE records SET pieces = 1, fields = json_set(fields, '$.notes', json('null')) "
                     "WHERE rid = ?", (rid,))
    assert store.records.require("contact", contact_id).fields["notes"] == "".join(parts)
    [plan] = store.db.query("EXPLAIN QUERY PLAN " + long_text._JOINED.replace("?", "1"))[:1]
    assert "USING PRIMARY KEY" in plan[3]


# ---- random edits ---------------------------------------------------------------------------
_WORDS = st.sampled_from(["a", "word", "Noël", "🌱", "会议", ". ", "! ", "\n", " ", "e\u0301",
                          "long sentence about the tenancy and work. "])
_EDIT = st.tuples(st.sampled_from(["type", "insert", "cut", "paste"]), st.floats(0, 1),
                  st.lists(_WORDS, min_size=1, max_size=12), st.integers(1, 3_000))


def _apply(text: str, edit: tuple[str, float, list[str], int]) -> str:
    kind, where, words, size = edit
    at = int(where * len(text))
    if kind == "type":
        return text + "".join(words)
    if kind == "insert":
        return text[:at] + "".join(words) + text[at:]
    if kind == "cut":
        return text[:at] + text[at + size:]
    return text[:at] + long_notes(size // 60 + 1, size) + text[at:]


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, 400), edits=st.lists(_EDIT, min_size=1, max_size=40))
def test_plans_always_rebuild_the_text(start: int, edits: list[tuple[str, float, list[str], int]]
                                       ) -> None:
    held: dict[int, str] = {}
    text = long_notes(start)
    for edit in [("type", 0.0, [""], 0), *edits]:
        text = _apply(text, edit)
        ordered = sorted(held.items())
        old = long_text.Stored("".join(t for _k, t in ordered), len(ordered)) if held else None
        plan = long_text.plan(old, text, reversed(ordered))
        if plan.clear:
            held.clear()
        for key in plan.deletes:
            del held[key]
        for key, piece in plan.updates:
            assert key in held
            held[key] = piece
        for key, piece in plan.inserts:
            assert key not in held
            held[key] = piece
        assert "".join(t for _k, t in sorted(held.items())) == text
        assert all(0 < len(t.encode()) <= long_text.PIECE_BYTES for t in held.values())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(_EDIT, min_size=1, max_size=25))
def test_random_saves_read_back_and_history_agrees(tmp_path: Path, edits: list[
        tuple[str, float, list[str], int]]) -> None:
    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    clock = FakeClock()
    store = Store.open(folder / "c.db", "x'" + secrets.token_hex(32) + "'",
                       backups_dir=folder / "b", clock=clock)
    try:
        change = case_change()
        store.records.apply_server_records([change])
        contact_id = _draft(store, str(change["record_id"]), long_notes(50))
        text = long_notes(50)
        values = [text]
        for n, edit in enumerate(edits):
            text = _apply(text, edit)
            if n % 7 == 6:
                clock.advance(minutes=11)          # a new history entry starts
            store.records.save("contact", contact_id, {"notes": text})
            values.append(text)
            assert store.records.require("contact", contact_id).fields["notes"] == text
        entries = store.records.history("contact", contact_id)
        chain = [entries[0].new_values["notes"]] + [e.new_values["notes"] for e in entries[1:]]
        assert chain[-1] == text
        assert all(e.old_values.get("notes") == p for e, p in zip(entries[1:], chain, strict=False))
        assert set(chain) <= set(values)
        assert problems(store) == []
    finally:
        store.close()


# ---- migration ------------------------------------------------------------------------------
@pytest.mark.parametrize("start", range(1, PIECES_FROM))
def test_a_long_note_from_every_earlier_version_reads_whole_and_moves_on_save(
        tmp_path: Path, key_pragma: str, start: int) -> None:
    db = Database.open(tmp_path / "c.db", key_pragma)
    migrate(db, tmp_path / "backups", target=start)
    notes = "Kingfisher. " + long_notes(800)
    case = {"crn": "X123456", "first_name": "Ann", "last_name": "Example"}
    contact = {"case_id": "c1", "contact_type": "COAP", "date": "2026-11-24", "notes": notes}
    with db.transaction() as conn:
        conn.execute("INSERT INTO records (rid, record_type, id, case_id, fields, updated_at) "
                     "VALUES (1, 'case', 'c1', 'c1', ?, 'then')", (json.dumps(case),))
        conn.execute("INSERT INTO records (rid, record_type, id, case_id, fields, draft, updated_at) "
                     "VALUES (2, 'contact', 'n1', 'c1', ?, 1, 'then')", (json.dumps(contact),))
    db.close()
    store = Store.open(tmp_path / "c.db", key_pragma, backups_dir=tmp_path / "backups")
    try:
        assert store.db.scalar("PRAGMA user_version") == head_version()
        assert store.records.require("contact", "n1").fields["notes"] == notes
        assert store.db.scalar("SELECT pieces FROM records WHERE rid = 2") == 0   # left as it was
        store.records.save("contact", "n1", {"notes": notes + "Heron."})
        assert store.db.scalar("SELECT pieces FROM records WHERE rid = 2") == 1
        assert store.records.require("contact", "n1").fields["notes"] == notes + "Heron."
        assert [h.record_id for h in store.records.search("kingfisher")] == ["n1"]
        assert [h.record_id for h in store.records.search("heron")] == ["n1"]
        assert store.db.integrity_check() == "ok"
    finally:
        store.close()


# ---- one read a save --------------------------------------------------------------------------
def test_an_autosave_reads_the_record_and_its_pieces_once(store: Store, case_id: str,
                                                          clock: FakeClock) -> None:
    """ContactService.save_draft checks the changes against the record as RecordRepository.save
    reads it (``vet``), in its transaction: it read the row and the note twice a save."""
    contacts = ContactService(lambda: store, clock, lambda: ReferenceData.from_records([]))
    contact_id = _draft(store, case_id, long_notes(300))
    statements: list[str] = []
    store.db.raw.set_trace_callback(statements.append)
    try:
        saved = contacts.save_draft(contact_id, {"notes": long_notes(301), "date": "not a date"})
    finally:
        store.db.raw.set_trace_callback(None)
    assert saved.changed == ("notes",) and [e.field for e in saved.errors] == ["date"]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert sum("FROM records r" in s for s in reads) == 1
    assert sum("group_concat(text" in s for s in reads) == 1
    assert store.records.require("contact", contact_id).fields["notes"] == long_notes(301)


def test_a_save_failing_after_its_pieces_are_written_leaves_the_old_value(
        store: Store, case_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pieces are written before the history entry: a failure there rolls them back
    with the row (one transaction), so the old value is read whole, never a mix."""
    old = long_notes(500)
    contact_id = _draft(store, case_id, old)
    rid = _row(store, contact_id)[0]
    before = _pieces(store, rid)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(history, "record_change", fail)
    with pytest.raises(OSError):
        store.records.save("contact", contact_id, {"notes": "New start. " + old[:9_000] + "x"})
    monkeypatch.undo()
    assert _pieces(store, rid) == before
    assert store.records.require("contact", contact_id).fields["notes"] == old
    assert problems(store) == []
