"""Search over a contentless index: the migration indexes what the save path would, hits
carry snippets cut from the records, and replacing an entry leaves no stale words."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from caseclient.storage import outbox, reconcile, search
from caseclient.storage.database import Database
from caseclient.storage.migrate import migrate
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change
from tests.reliability.consistency import problems

CONTENTLESS_FROM = 4   # migration 0004_search_contentless

# Records as an older store may hold them, with the awkward values the body must skip.
OLDER_RECORDS: list[tuple[str, str, dict[str, Any], bool]] = [
    ("case", "c1", {"crn": "X000001", "first_name": "Ann", "last_name": "Older"}, False),
    ("case", "c2", {"crn": "X000002", "first_name": None, "last_name": "Zoë Ångström"}, False),
    ("case", "c3", {"crn": 1234, "first_name": ["not", "text"], "last_name": "Numbered"}, False),
    ("case", "c4", {"crn": "X000004", "first_name": "Gone", "last_name": "Deleted"}, True),
    ("contact", "n1", {"case_id": "c1", "notes": "Café meeting\nabout the tenancy", "location": None},
     False),
    ("contact", "n2", {"case_id": "c1", "notes": None, "location": "Probation office"}, False),
    ("contact", "n3", {"case_id": "c1", "location": {"room": 3}}, False),
    ("contact", "n4", {"case_id": "c2", "notes": "", "location": ""}, False),
    ("contact", "n5", {"case_id": "c2", "notes": "Withdrawn words"}, True),
    ("reference", "r1", {"code": "COAP", "description": "Office appointment"}, False),
]


def _older_store(path: Path, key_pragma: str, version: int) -> Database:
    db = Database.open(path, key_pragma)
    migrate(db, path.parent / "backups", target=version)
    with db.transaction() as conn:
        for record_type, record_id, fields, deleted in OLDER_RECORDS:
            conn.execute("INSERT INTO records (record_type, id, case_id, fields, version, deleted, "
                         "updated_at) VALUES (?, ?, ?, ?, 1, ?, '2026-11-24T10:00:00+00:00')",
                         (record_type, record_id, fields.get("case_id", record_id),
                          json.dumps(fields), int(deleted)))
    return db


def _instances(db: Database, table: str) -> list[tuple[Any, ...]]:
    """Every (term, rowid, offset) the FTS5 table ``table`` (main or temp) holds."""
    schema, name = table.split(".")
    db.execute(f"CREATE VIRTUAL TABLE temp.vocab_{name} USING fts5vocab({schema}, {name}, 'instance')")
    return db.query(f"SELECT term, doc, offset FROM temp.vocab_{name} ORDER BY doc, offset, term")


@pytest.mark.parametrize("start", range(1, CONTENTLESS_FROM))
def test_the_migration_indexes_every_live_record_as_the_save_path_would(
        tmp_path: Path, key_pragma: str, start: int) -> None:
    db = _older_store(tmp_path / "c.db", key_pragma, start)
    migrate(db, tmp_path / "backups")
    migrated = _instances(db, "main.search")
    db.execute("CREATE VIRTUAL TABLE temp.expected USING fts5 (body, content = '', "
               "tokenize = 'unicode61 remove_diacritics 2')")
    with db.transaction() as conn:
        for rid, record_type, fields in conn.execute(
                "SELECT rid, record_type, fields FROM records WHERE deleted = 0").fetchall():
            body = search.body_of(record_type, json.loads(fields))
            if body is not None:
                conn.execute("INSERT INTO temp.expected (rowid, body) VALUES (?, ?)", (rid, body))
    assert migrated == _instances(db, "temp.expected")
    assert {t for t, _doc, _offset in migrated} >= {"ann", "older", "zoe", "angstrom", "cafe",
                                                    "numbered", "probation"}
    live = {r[0] for r in db.query("SELECT rid FROM records WHERE deleted = 0 "
                                   "AND record_type IN ('case', 'contact')")}
    assert {r[0] for r in db.query("SELECT rowid FROM search")} == live
    db.close()


def test_older_records_are_found_after_opening(tmp_path: Path, key_pragma: str) -> None:
    _older_store(tmp_path / "c.db", key_pragma, 1).close()
    store = Store.open(tmp_path / "c.db", key_pragma, backups_dir=tmp_path / "backups")
    try:
        assert [h.record_id for h in store.records.search("zoe angst")] == ["c2"]
        assert [h.record_id for h in store.records.search("tenancy")] == ["n1"]
        assert store.records.search("withdrawn") == [] and store.records.search("gone") == []
        assert store.records.search("appointment") == [], "reference lists are not searched"
        assert store.db.integrity_check() == "ok"
    finally:
        store.close()


def test_the_body_is_the_searched_strings_one_per_line() -> None:
    assert search.body_of("case", {"crn": "X1", "first_name": None, "last_name": "Lee"}) == "X1\nLee"
    assert search.body_of("contact", {"notes": 3, "location": "Home"}) == "Home"
    assert search.body_of("contact", {}) == ""
    assert search.body_of("reference", {"description": "x"}) is None


# ---- the save path keeps the index in step ---------------------------------------------------------
@pytest.fixture
def case_id(store: Store) -> str:
    change = case_change()
    store.records.apply_server_records([change])
    return str(change["record_id"])


def test_each_save_replaces_the_words_of_the_last(store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id, {"case_id": case_id, "notes": "alpha"})
    for word in ("bravo", "charlie", "delta"):
        store.records.save("contact", contact_id, {"notes": f"{word} words"})
    assert [h.record_id for h in store.records.search("delta")] == [contact_id]
    for gone in ("alpha", "bravo", "charlie"):
        assert store.records.search(gone) == [], f"{gone} still found"
    store.records.delete("contact", contact_id, None)
    assert store.records.search("delta") == []
    assert problems(store) == []


# ---- snippets, cut from the record -------------------------------------------------------------
def _snippet(body: str, typed: str) -> str:
    return search.snippet(body, search._Terms.of(typed))


def test_a_snippet_marks_the_match_and_cuts_with_an_ellipsis() -> None:
    body = ("Met at the office. " * 20) + "Discussed the allotment project and his new tenancy. " + (
        "Next steps agreed. " * 20)
    cut = _snippet(body, "allotm")
    assert cut.startswith("…") and cut.endswith("…")
    assert "[allotment]" in cut and "Discussed the [allotment] project" in cut
    assert len(cut.split()) <= search.SNIPPET_TOKENS + 2


def test_a_short_body_is_shown_whole_with_every_match_marked() -> None:
    assert _snippet("Rang about housing.", "housing") == "Rang about [housing]."
    assert _snippet("Housing, then more housing", "hous") == "[Housing], then more [housing]"


def test_whole_words_match_whole_and_only_the_last_word_as_a_prefix() -> None:
    cut = _snippet("the tenant spoke of tenancy and ten tents", "ten tena")
    assert cut == "the [tenant] spoke of [tenancy] and [ten] tents"


def test_a_last_word_of_one_letter_matches_whole_in_the_index_and_the_snippet(
        store: Store, case_id: str) -> None:
    """A one-letter prefix matched most of the index (a second at 100,000 contacts)."""
    assert search.to_match_query("w") == '"w"' and search.to_match_query("sick n") == '"sick" "n"'
    assert search.to_match_query("wi") == '"wi"*'
    assert _snippet("a wren and a w in the wall", "w") == "…wren and a [w] in the wall"
    contact_id = store.records.create_draft("contact", str(uuid.uuid4()), case_id,
                                            {"case_id": case_id, "notes": "Plan B agreed"}).id
    assert [h.record_id for h in store.records.search("b")] == [contact_id]
    assert store.records.search("p") == []


def test_accents_and_case_are_ignored_as_the_index_ignores_them() -> None:
    assert _snippet("Coffee at the Café Nero", "cafe") == "Coffee at the [Café] Nero"
    assert _snippet("ZOË came in", "zoe") == "[ZOË] came in"


def test_a_match_deep_in_a_long_note_costs_no_more_than_its_snippet() -> None:
    body = "word " * 50_000 + "needle here"
    cut = _snippet(body, "needle")
    assert cut == "…word word word [needle] here"


def test_search_hits_carry_snippets_from_the_record(store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    notes = "Long history. " * 100 + "He has started at the bakery on Monday."
    store.records.create_draft("contact", contact_id, case_id, {"case_id": case_id, "notes": notes})
    [hit] = store.records.search("bakery")
    assert hit.record_id == contact_id and hit.case_id == case_id
    assert "[bakery]" in hit.snippet and hit.snippet.startswith("…")
    [case_hit] = store.records.search("X123456")
    assert case_hit.snippet.startswith("[X123456]")


# ---- autosaves queue the record instead of re-indexing it ---------------------------------------------
def _queued(store: Store) -> set[str]:
    return {r[0] for r in store.db.query(
        "SELECT r.id FROM reindex_queue q JOIN records r ON r.rid = q.rid")}


def _in_index(store: Store, word: str) -> set[str]:
    """Records the FTS5 index itself (not the queue) finds for ``word``."""
    return {r[0] for r in store.db.query(
        "SELECT r.id FROM search JOIN records r ON r.rid = search.rowid WHERE search MATCH ?",
        (f'"{word}"',))}


def test_the_record_being_typed_into_is_queued_once_and_caught_up_on_moving_on(
        store: Store, case_id: str) -> None:
    first = str(uuid.uuid4())
    store.records.create_draft("contact", first, case_id, {"case_id": case_id, "notes": "opening"})
    assert _queued(store) == set() and _in_index(store, "opening") == {first}
    for n in range(5):
        store.records.save("contact", first, {"notes": f"typing {n} kestrel"})
        assert _queued(store) == {first}
    assert _in_index(store, "kestrel") == set(), "autosaves wrote nothing to the index"
    assert [h.record_id for h in store.records.search("kestrel")] == [first]
    assert store.records.search("opening") == [], "the lagging entry's old words are not found"

    second = str(uuid.uuid4())
    store.records.create_draft("contact", second, case_id, {"case_id": case_id, "notes": ""})
    store.records.save("contact", second, {"notes": "heron"})
    assert _queued(store) == {second}
    assert _in_index(store, "kestrel") == {first} and _in_index(store, "opening") == set()
    assert [h.record_id for h in store.records.search("heron")] == [second]
    assert problems(store) == []


def test_a_queued_record_that_is_deleted_or_removed_leaves_the_queue(store: Store,
                                                                    case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id, {"case_id": case_id, "notes": "a"})
    store.records.save("contact", contact_id, {"notes": "withdrawn"})
    store.records.delete("contact", contact_id, None)
    assert _queued(store) == set() and store.records.search("withdrawn") == []
    assert problems(store) == []

    kept = str(uuid.uuid4())
    store.records.create_draft("contact", kept, case_id, {"case_id": case_id, "notes": "a"})
    store.records.save("contact", kept, {"notes": "removed with its case"})
    with store.db.transaction() as conn:
        conn.execute("DELETE FROM history WHERE record_id = ?", (kept,))
        conn.execute("DELETE FROM search WHERE rowid = (SELECT rid FROM records WHERE id = ?)", (kept,))
        conn.execute("DELETE FROM records WHERE id = ?", (kept,))
    assert _queued(store) == set(), "the queue follows the record out of the store"


def test_a_pulled_copy_brings_a_queued_entry_up_to_date(store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    base = {"case_id": case_id, "contact_type": "COAP", "notes": "from the office"}
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 1, "fields": base}])
    store.records.save("contact", contact_id, {"notes": "officer's osprey"})
    assert _queued(store) == {contact_id}
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 2, "fields": {**base, "location": "Home"}}])
    assert _queued(store) == set() and _in_index(store, "osprey") == {contact_id}
    assert problems(store) == []


def test_catch_up_indexes_everything_queued(store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id, {"case_id": case_id, "notes": "a"})
    store.records.save("contact", contact_id, {"notes": "plover"})
    with store.db.transaction() as conn:
        assert search.catch_up(conn) == 1
    assert _queued(store) == set() and _in_index(store, "plover") == {contact_id}


def test_matching_queued_records_keeps_no_copy_and_respects_the_limit(store: Store,
                                                                     case_id: str) -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for contact_id in ids:
        store.records.create_draft("contact", contact_id, case_id,
                                   {"case_id": case_id, "notes": "wren"})
    store.records.save("contact", ids[0], {"notes": "wren again"})
    hits = store.records.search("wren", limit=2)
    assert len(hits) == 2 and hits[0].record_id == ids[0], "the record being typed into comes first"
    assert {h.record_id for h in store.records.search("wren")} == set(ids)
    assert _instances(store.db, "temp.search_queued") == [], "the in-memory index is emptied"


def test_matching_queued_records_needs_temporary_tables_in_memory(store: Store,
                                                                  case_id: str) -> None:
    assert store.db.scalar("PRAGMA temp_store") == 2, "Database.open keeps temp tables in memory"
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id, {"case_id": case_id, "notes": "a"})
    store.records.save("contact", contact_id, {"notes": "curlew"})
    store.db.execute("PRAGMA temp_store = FILE")
    with pytest.raises(RuntimeError, match="temp_store = MEMORY"):
        store.records.search("curlew")
    store.db.execute("PRAGMA temp_store = MEMORY")
    assert [h.record_id for h in store.records.search("curlew")] == [contact_id]


def test_search_as_you_type_changes_no_schema_and_runs_beside_open_statements(
        store: Store, case_id: str) -> None:
    """A keystroke's search leaves the connection's schema alone (no re-prepare of every cached
    statement, no DROP that fails while a statement is open) and works inside a transaction."""
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id, {"case_id": case_id, "notes": "a"})
    store.records.save("contact", contact_id, {"notes": "sandpiper at the allotment"})
    store.records.search("sand")
    temp_schema = store.db.query("SELECT name, sql FROM temp.sqlite_master ORDER BY name")
    open_rows = store.db.execute("SELECT id FROM records ORDER BY rid")
    first = open_rows.fetchone()
    for typed in ("sa", "sandp", "sandpiper all"):
        assert [h.record_id for h in store.records.search(typed)] == [contact_id]
    assert store.records.search("s") == [], "one letter is matched as a whole word"
    assert first is not None and open_rows.fetchall() is not None
    with store.db.transaction() as conn:
        assert [h.record_id for h in search.find(conn, "allotment")] == [contact_id]
    assert store.db.query("SELECT name, sql FROM temp.sqlite_master ORDER BY name") == temp_schema


def test_a_deleted_record_is_never_a_hit_even_if_its_entry_was_left_behind(
        store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id,
                               {"case_id": case_id, "notes": "godwit"})
    with store.db.transaction() as conn:
        conn.execute("UPDATE records SET deleted = 1 WHERE id = ?", (contact_id,))
    assert _in_index(store, "godwit") == {contact_id}
    assert store.records.search("godwit") == []


def test_words_typed_while_settling_a_conflict_are_found(store: Store, case_id: str,
                                                         clock: FakeClock) -> None:
    """Settling a conflict writes the chosen (or newly typed) values into the row; the index
    follows, so search finds them and not the words they replaced."""
    contact_id = str(uuid.uuid4())
    base = {"case_id": case_id, "contact_type": "COAP", "notes": "from the office"}
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 1, "fields": base}])
    saved = store.records.save("contact", contact_id, {"notes": "officer's pipit"})
    theirs = {**base, "notes": "manager's linnet"}
    answer = {"server_record": {"record_type": "contact", "record_id": contact_id, "version": 2,
                                "fields": theirs}}
    assert saved.mutation_id is not None
    with store.db.transaction() as conn:
        [mutation] = [m for m in outbox.for_record(conn, "contact", contact_id)
                      if m.mutation_id == saved.mutation_id]
        reconcile.conflict(conn, store.records, mutation, answer, clock())
    with store.db.transaction() as conn:
        reconcile.resolve(conn, saved.mutation_id, {"notes": "settled on the dunlin"},
                          keep_deleted=None, actor="N01A123", now=clock())
    assert [h.record_id for h in store.records.search("dunlin")] == [contact_id]
    assert store.records.search("pipit") == [] and store.records.search("linnet") == []
    assert _in_index(store, "dunlin") == {contact_id} and _queued(store) == set()


# ---- caseload search: one snippet per case, whatever the index's stale entries say ---------------
def _cases(store: Store, crns: list[str]) -> list[str]:
    made = [case_change(crn=crn, first="Pat", last=f"Case{n}") for n, crn in enumerate(crns)]
    store.records.apply_server_records(made)
    return [str(c["record_id"]) for c in made]


def _contact(store: Store, case_id: str, notes: str) -> str:
    return store.records.create_draft("contact", str(uuid.uuid4()), case_id,
                                      {"case_id": case_id, "notes": notes}).id


def _leave_deleted_entry_behind(store: Store, record_id: str) -> None:
    with store.db.transaction() as conn:
        conn.execute("UPDATE records SET deleted = 1 WHERE id = ?", (record_id,))


def _owners(store: Store, remembered: bool) -> search.CaseOwners | None:
    """None: find_cases reads every record's case afresh. Remembered: read now, before the
    test's records exist, so their rids are above every remembered one (looked up)."""
    if not remembered:
        return None
    owners = search.CaseOwners()
    owners.refresh(store.db.raw)
    return owners


@pytest.mark.parametrize("remembered", [False, True])
def test_a_case_whose_newest_hit_lags_its_text_is_found_by_its_older_ones(
        store: Store, remembered: bool) -> None:
    owners = _owners(store, remembered)
    typing, lagging_only = _cases(store, ["A000001", "A000002"])
    _contact(store, typing, "the wren at the feeder")
    only = _contact(store, lagging_only, "a wren in the hedge")
    store.records.save("contact", only, {"notes": "a finch in the hedge"})
    newest = _contact(store, typing, "wren again")
    store.records.save("contact", newest, {"notes": "a heron now"})   # queued, entry says wren
    assert _queued(store) == {newest} and _in_index(store, "wren") >= {newest}
    assert dict(search.find_cases(store.db.raw, "wren", owners)) == {
        typing: "the [wren] at the feeder"}, "found by its older note, not by the stale entry"
    assert dict(search.find_cases(store.db.raw, "heron", owners)) == {typing: "a [heron] now"}
    assert dict(search.find_cases(store.db.raw, "finch", owners)) == {
        lagging_only: "a [finch] in the hedge"}


@pytest.mark.parametrize("remembered", [False, True])
def test_a_case_whose_newest_hit_was_deleted_is_found_by_its_older_ones(
        store: Store, remembered: bool) -> None:
    owners = _owners(store, remembered)
    kept, gone = _cases(store, ["B000001", "B000002"])
    _contact(store, kept, "godwit on the mudflat")
    _leave_deleted_entry_behind(store, _contact(store, kept, "godwit flew off"))
    _leave_deleted_entry_behind(store, _contact(store, gone, "godwit withdrawn"))
    assert len(_in_index(store, "godwit")) == 3
    assert dict(search.find_cases(store.db.raw, "godwit", owners)) == {
        kept: "[godwit] on the mudflat"}


# ---- caseload search against every record decoded -----------------------------------------------------
COMMON = ["housing", "home", "appointment", "the", "note"]          # in most notes
RARER = ["hostel", "appointments", "appointed", "kitchen", "job", "offer", "sick", "notes",
         "garden", "hospital", "appeal", "applied"]
TYPED = ["housing", "hous", "ho", "home", "app", "appoint", "appointment", "appointments", "sick note",
         "job off", "job offer", "kitchen", "kitch", "notes", "note", "the", "hostel garden", "w",
         "zebra", "zebr", "Pat", "Case3", "Y0000", "HOUSING", "Appoi", "sick no", "sick ho", "wo",
         "word1"]


def _decoded_matches(store: Store, typed: str) -> set[str]:
    """Live cases with a live case or contact record whose text matches ``typed``, from every
    record decoded (no index): every word whole, the last one as a prefix."""
    terms = search._Terms.of(typed)
    live = {r[0] for r in store.db.query(
        "SELECT id FROM records WHERE record_type = 'case' AND deleted = 0")}
    matched: set[str] = set()
    for record_type, case_id, fields in store.db.query(
            "SELECT record_type, case_id, fields FROM records WHERE deleted = 0"):
        body = search.body_of(record_type, json.loads(fields))
        if body is not None and case_id in live and terms.found_in(body):
            matched.add(case_id)
    return matched


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_caseload_search_finds_exactly_the_cases_every_record_decoded_finds(
        store: Store, seed: int) -> None:
    """Common words (every case, most notes), prefixes, several words, a record being typed
    into (queued: its entry lags), deleted records and their left-behind entries, cases
    matched by name: each way of knowing the hits' cases (read afresh, remembered from before
    the records existed so looked up, remembered from after) gives the live cases
    decoding finds. (A deleted case's id may come back on the looked-up path; the caseload
    service shows only live cases.)"""
    rng = random.Random(seed)
    before = _owners(store, remembered=True)
    made = [case_change(crn=f"Y{n:06d}", first="Pat", last=f"Case{n}") for n in range(9)]
    store.records.apply_server_records(made)
    cases = [str(c["record_id"]) for c in made]
    extra = [f"word{n}" for n in range(18)]
    contacts = []
    for _ in range(240):
        case_id = cases[min(int(rng.expovariate(0.4)), len(cases) - 1)]
        words = [w for w in COMMON if rng.random() < 0.8] + rng.sample(RARER, 2) + [rng.choice(extra)]
        rng.shuffle(words)
        contacts.append({"record_type": "contact", "record_id": str(uuid.uuid4()), "version": 1,
                         "fields": {"case_id": case_id, "notes": " ".join(words),
                                    "location": rng.choice([None, "Hostel", "Home visit"])}})
    store.records.apply_server_records(contacts)
    for change in rng.sample(contacts, 12):
        _leave_deleted_entry_behind(store, change["record_id"])
    for change in rng.sample(contacts, 6):
        store.records.delete("contact", change["record_id"], "entered in error")
    store.records.delete("case", cases[-1], "transferred")
    typing = next(c for c in reversed(contacts) if not store.records.require(
        "contact", c["record_id"]).deleted)
    store.records.save("contact", typing["record_id"], {"notes": "zebra crossing near the hostel"})
    assert _queued(store) == {typing["record_id"]}
    live = set(cases[:-1])
    after = _owners(store, remembered=True)
    for typed in TYPED:
        expected = _decoded_matches(store, typed)
        for way, owners in (("afresh", None), ("before", before), ("after", after)):
            found = [(c, cut) for c, cut in search.find_cases(store.db.raw, typed, owners)
                     if c in live]
            assert {c for c, _ in found} == expected, (typed, way)
            assert len(found) == len(expected), "one row per case"
            assert all("[" in cut for _, cut in found), (typed, way)


def test_a_case_is_matched_on_its_name_and_crn_as_body_of_gives_them(store: Store) -> None:
    """The caseload search reads cases' names in SQL: escapes, accents and a name that is
    not text come out as ``body_of`` gives them, so a case is found (and shown) the same."""
    odd = case_change(crn="Z000123", first="x", last='Ó\'Brien "Jr" \\ Zoë', first_name=None)
    plain = case_change(crn="Z000456", first="Ann", last="Obi")
    store.records.apply_server_records([odd, plain])
    fields = store.records.require("case", odd["record_id"]).fields
    assert search.body_of("case", fields) == 'Z000123\nÓ\'Brien "Jr" \\ Zoë'
    assert dict(search.find_cases(store.db.raw, "obrien")) == {}
    odd_id = odd["record_id"]
    assert dict(search.find_cases(store.db.raw, "brien")) == {odd_id: 'Z000123\nÓ\'[Brien] "Jr" \\ Zoë'}
    assert dict(search.find_cases(store.db.raw, "zoe")) == {odd_id: '…Ó\'Brien "Jr" \\ [Zoë]'}
    assert [c for c, _ in search.find_cases(store.db.raw, "Z000")] == [odd_id, plain["record_id"]]
